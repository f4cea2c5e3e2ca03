module github.com/surftrace/surftrace

go 1.26.8

require (
	// The .st script grammar as annotated Go structs, with positions on
	// every node and a lexer we define; the grammar reads as the AST.
	github.com/alecthomas/participle/v2 v2.1.4
	// The REPL's line editor: pure Go, history file, tab completion, and
	// Instance.Write clears and redraws the prompt around events printed by
	// other goroutines, which peterh/liner cannot do; stable API since 2022.
	github.com/chzyer/readline v1.5.1
	// eBPF instructions (asm), BTF, maps, programs and links: the
	// compiler emits asm.Instructions and the runtime loads them. The
	// library Cilium, pwru and Tetragon are built on.
	github.com/cilium/ebpf v0.22.0
	// Drives the REPL through a real terminal in its test.
	github.com/creack/pty v1.1.24
	// nftables rulesets over netlink, with no nft binary: the fault
	// fixtures install drop rules with it, and diag reads a namespace's
	// ruleset to name the rule that matches a dropped packet.
	github.com/google/nftables v0.3.0
	// C++ symbol demangling for uprobes and usym(), as bpftrace demangles.
	github.com/ianlancetaylor/demangle v0.0.0-20260724033716-83e58baca724
	// --metrics: the Prometheus exposition format, a Collector that reads
	// the BPF maps on scrape, and the HTTP handler; the reference
	// implementation every Prometheus server and agent reads.
	github.com/prometheus/client_golang v1.25.0
	github.com/prometheus/client_model v0.6.3
	// testscript: CLI transcripts as txtar files (cmd/surftrace/testdata).
	github.com/rogpeppe/go-internal v1.16.0
	// Pure-Go xz decoder: the vmtest harness decompresses Debian 6.12's
	// .ko.xz modules for busybox insmod, without needing xz-utils.
	github.com/ulikunitz/xz v0.5.17
	// rtnetlink (links, qdiscs with their statistics, routes), the
	// library most Go networking tools use; diag names a dropping qdisc
	// and its counters with it.
	github.com/vishvananda/netlink v1.3.1
	// Network-namespace handles for netlink and nftables connections.
	github.com/vishvananda/netns v0.0.5
	// x86-64 instruction decoding: a uprobe at FUNC+OFFSET must start an
	// instruction, as bpftrace checks.
	golang.org/x/arch v0.33.0
	// perf_event_open, mounts, namespaces and the other system calls the
	// runtime makes directly.
	golang.org/x/sys v0.48.0
	// deploy's test decodes the DaemonSet with the Kubernetes API types,
	// strictly and case-sensitively, as the API server would.
	k8s.io/api v0.37.2
	sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730
	sigs.k8s.io/yaml v1.6.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/fxamacker/cbor/v2 v2.9.1 // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.yaml.in/yaml/v2 v2.4.4 // indirect
	golang.org/x/net v0.59.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
	k8s.io/apimachinery v0.37.2 // indirect
	k8s.io/klog/v2 v2.140.0 // indirect
	k8s.io/kube-openapi v0.0.0-20260721132016-d427ff9ee9ad // indirect
	k8s.io/utils v0.0.0-20260626114624-be93311217bd // indirect
	sigs.k8s.io/randfill v1.0.0 // indirect
	sigs.k8s.io/structured-merge-diff/v6 v6.4.2 // indirect
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mdlayher/netlink v1.7.3-0.20250113171957-fbb4dce95f42 // indirect
	github.com/mdlayher/socket v0.5.1 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/tools v0.49.0 // indirect
)
