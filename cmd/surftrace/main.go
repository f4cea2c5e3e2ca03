// Command surftrace compiles surftrace expression lines and .st scripts
// to eBPF and runs them:
//
//	surftrace [flags] 'p ip_output proto=@(struct iphdr*)l3%2->protocol' 'e skb/kfree_skb'
//	surftrace [flags] -e 'tracepoint:syscalls:sys_enter_getpid { @[comm] = count(); }'
//	surftrace [flags] FILE.st
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
