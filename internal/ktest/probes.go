package ktest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// probeSymbol is a kernel function present, traceable and BTF-described in
// every kernel we test on.
const probeSymbol = "vfs_read"

var probes = [numFeatures]func() error{
	BTF:          probeBTF,
	Tracepoints:  probeTracepoint,
	TpBTF:        func() error { return probeTracing(ebpf.AttachTraceRawTp, "kfree_skb") },
	Ringbuf:      func() error { return features.HaveMapType(ebpf.RingBuf) },
	Kprobes:      func() error { return probeKprobe(link.Kprobe) },
	Kretprobes:   func() error { return probeKprobe(link.Kretprobe) },
	KprobeEvents: probeKprobeEvents,
	Fentry:       func() error { return probeTracing(ebpf.AttachTraceFEntry, probeSymbol) },
	Fexit:        func() error { return probeTracing(ebpf.AttachTraceFExit, probeSymbol) },
	KprobeMulti:  probeKprobeMulti,
}

// isAbsence reports whether err means the kernel lacks what was probed.
// Probes run as root, so EPERM means the kernel refuses that kind of
// program outright (this is how fentry fails on kernels that disallow it).
func isAbsence(err error) bool {
	return errors.Is(err, ebpf.ErrNotSupported) ||
		errors.Is(err, unix.EPERM) ||
		errors.Is(err, os.ErrNotExist) ||
		errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, errENOTSUPP)
}

// errENOTSUPP is the kernel-internal ENOTSUPP (524), which leaks out of the
// bpf syscall on some paths and has no name in x/sys/unix.
const errENOTSUPP = unix.Errno(524)

// returnZero is the body of every probe program.
var returnZero = asm.Instructions{
	asm.Mov.Imm(asm.R0, 0),
	asm.Return(),
}

func probeBTF() error {
	if err := exists("/sys/kernel/btf/vmlinux"); err != nil {
		return err
	}
	_, err := btf.LoadKernelSpec()
	return err
}

func probeTracepoint() error {
	if _, err := MountTracefs(); err != nil {
		return err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.TracePoint,
		License:      "GPL",
		Instructions: returnZero,
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	l, err := link.Tracepoint("skb", "kfree_skb", prog, nil)
	if err != nil {
		return err
	}
	return l.Close()
}

func probeKprobe(attach func(string, *ebpf.Program, *link.KprobeOptions) (link.Link, error)) error {
	if _, err := MountTracefs(); err != nil {
		return err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Kprobe,
		License:      "GPL",
		Instructions: returnZero,
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	l, err := attach(probeSymbol, prog, nil)
	if err != nil {
		return err
	}
	return l.Close()
}

// probeKprobeMulti attaches one kprobe.multi program to probeSymbol and
// vfs_write through a single link.
func probeKprobeMulti() error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Kprobe,
		AttachType:   ebpf.AttachTraceKprobeMulti,
		License:      "GPL",
		Instructions: returnZero,
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	l, err := link.KprobeMulti(prog, link.KprobeMultiOptions{Symbols: []string{probeSymbol, "vfs_write"}})
	if err != nil {
		return err
	}
	return l.Close()
}

// probeTracing loads and attaches a BTF tracing program of the given
// attach type to target.
func probeTracing(at ebpf.AttachType, target string) error {
	if err := probeBTF(); err != nil {
		return err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Tracing,
		AttachType:   at,
		AttachTo:     target,
		License:      "GPL",
		Instructions: returnZero,
	})
	if err != nil {
		return err
	}
	defer prog.Close()
	l, err := link.AttachTracing(link.TracingOptions{Program: prog, AttachType: at})
	if err != nil {
		return err
	}
	return l.Close()
}

// probeKprobeEvents defines and removes a dynamic probe through tracefs.
func probeKprobeEvents() error {
	dir, err := MountTracefs()
	if err != nil {
		return err
	}
	file := filepath.Join(dir, "kprobe_events")
	if err := exists(file); err != nil {
		return err
	}
	event := fmt.Sprintf("surftrace_ktest_%d", os.Getpid())
	if err := appendFile(file, fmt.Sprintf("p:%s %s\n", event, probeSymbol)); err != nil {
		return fmt.Errorf("define kprobe event: %w", err)
	}
	return appendFile(file, "-:"+event+"\n")
}

func appendFile(name, text string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
