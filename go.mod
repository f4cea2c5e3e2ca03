module github.com/surftrace/surftrace

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4 // indirect
	// The REPL's line editor: pure Go, history file, tab completion, and
	// Instance.Write clears and redraws the prompt around events printed by
	// other goroutines, which peterh/liner cannot do; stable API since 2022.
	github.com/chzyer/readline v1.5.1
	github.com/cilium/ebpf v0.22.0 // indirect
	// Drives the REPL through a real terminal in its test.
	github.com/creack/pty v1.1.24
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/tools v0.40.1-0.20260108161641-ca281cf95054 // indirect
)

require (
	// --metrics: the Prometheus exposition format, a Collector that reads
	// the BPF maps on scrape, and the HTTP handler; the reference
	// implementation every Prometheus server and agent reads.
	github.com/prometheus/client_golang v1.25.0
	github.com/prometheus/client_model v0.6.3
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
