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
	// nftables rulesets over netlink, with no nft binary: the fault
	// fixtures install drop rules with it, and diag reads a namespace's
	// ruleset to name the rule that matches a dropped packet.
	github.com/google/nftables v0.3.0
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	// rtnetlink (links, qdiscs with their statistics, routes), the
	// library most Go networking tools use; diag names a dropping qdisc
	// and its counters with it.
	github.com/vishvananda/netlink v1.3.1
	// Network-namespace handles for netlink and nftables connections.
	github.com/vishvananda/netns v0.0.5
	golang.org/x/sys v0.43.0 // indirect
	golang.org/x/tools v0.40.1-0.20260108161641-ca281cf95054 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mdlayher/netlink v1.7.3-0.20250113171957-fbb4dce95f42 // indirect
	github.com/mdlayher/socket v0.5.1 // indirect
	golang.org/x/net v0.48.0 // indirect
	golang.org/x/sync v0.20.0 // indirect
)
