// Command surftrace compiles surftrace expression lines and .st scripts
// to eBPF and runs them:
//
//	surftrace [flags] 'p ip_output proto=@(struct iphdr*)l3%2->protocol' 'e skb/kfree_skb'
//	surftrace [flags] -e 'tracepoint:syscalls:sys_enter_getpid { @[comm] = count(); }'
//	surftrace [flags] FILE.st
//
// Invoked as bpftrace (a symlink to it), it reads bpftrace's command line:
//
//	bpftrace [options] -e 'PROGRAM' [ARGS...] | FILE [ARGS...] | - [ARGS...]
package main

import (
	"os"
	"path/filepath"
)

// main speaks bpftrace's command line when invoked as bpftrace (a
// symlink), surftrace's otherwise.
func main() {
	if filepath.Base(os.Args[0]) == bpftraceName {
		os.Exit(runBpftrace(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
