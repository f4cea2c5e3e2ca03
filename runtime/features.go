package runtime

import (
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
)

// HaveKprobes reports whether the running kernel can create kprobes: it
// has the kprobe PMU, or kprobe_events in a mounted tracefs. It needs no
// privilege.
func HaveKprobes() bool { return !kprobesMissing(os.DirFS("/")) }

// fentryProbeTarget is the function FentryWorks attaches to: one every
// kernel has, with BTF.
const fentryProbeTarget = "vfs_read"

// FentryWorks loads a fentry program that does nothing, attaches it to
// vfs_read and removes it again: nil when the kernel attaches fentry
// programs. Kernels without the trampolines refuse the load, also to
// root, with EPERM or ENOTSUPP; without root every load fails.
func FentryWorks() error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Tracing,
		AttachType:   ebpf.AttachTraceFEntry,
		AttachTo:     fentryProbeTarget,
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	l, err := link.AttachTracing(link.TracingOptions{Program: prog, AttachType: ebpf.AttachTraceFEntry})
	if err != nil {
		return err
	}
	return l.Close()
}
