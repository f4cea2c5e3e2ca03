// Package smoke holds end-to-end smoke tests of the test foundation: BPF
// programs written with cilium/ebpf/asm, attached to the kernel, count
// traffic that the netfix fixtures send, and the tests assert the counts.
// The tracepoint test runs on the host and in the VM; the kprobe test
// needs a VM kernel and skips on a host without kprobes; the kprobe.multi
// test needs the 6.12 VM and skips on the host and on 6.1.
package smoke
