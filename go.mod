module github.com/surftrace/surftrace

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4
	// The REPL's line editor: pure Go, history file, tab completion, and
	// Instance.Write clears and redraws the prompt around events printed by
	// other goroutines, which peterh/liner cannot do; stable API since 2022.
	github.com/chzyer/readline v1.5.1
	github.com/cilium/ebpf v0.22.0
	// Drives the REPL through a real terminal in its test.
	github.com/creack/pty v1.1.24
	github.com/rogpeppe/go-internal v1.16.0
	// Pure-Go xz decoder: the vmtest harness decompresses Debian 6.12's
	// .ko.xz modules for busybox insmod, without needing xz-utils.
	github.com/ulikunitz/xz v0.5.17
	golang.org/x/sys v0.43.0
)

require golang.org/x/tools v0.40.1-0.20260108161641-ca281cf95054 // indirect
