// Package smoke holds end-to-end smoke tests of the test foundation: BPF
// programs written with cilium/ebpf/asm, attached to the kernel, count
// traffic that the netfix fixtures send, and the tests assert the counts.
// The tracepoint test runs on the host and in the VM; the kprobe test
// needs the VM's 6.1 kernel and skips on a host without kprobes.
package smoke
