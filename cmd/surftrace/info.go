package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	ebpffeatures "github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/runtime"
)

// printInfo prints --info in bpftrace 0.17's layout (sections of "name:
// yes|no" lines, which bpftrace's test suite greps to skip tests): what
// the running kernel offers, probed by loading small programs and maps,
// and, where a line is about the tracer, what surftrace itself does. A
// probe type the kernel has but surftrace cannot attach says no.
func printInfo(w io.Writer) {
	var u unix.Utsname
	_ = unix.Uname(&u)
	fmt.Fprintf(w, "System\n  OS: %s %s %s\n  Arch: %s\n\n",
		unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]),
		unix.ByteSliceToString(u.Version[:]), unix.ByteSliceToString(u.Machine[:]))
	fmt.Fprintf(w, "Build\n  version: v0.17.0 (surftrace %s)\n  LLVM: none (surftrace emits eBPF itself)\n", version())
	infoLines(w, []infoLine{
		{"unsafe uprobe", false}, {"bfd", false}, {"libdw (DWARF support)", true}, // Go's debug/dwarf
	})
	helper := func(fn asm.BuiltinFunc) bool { return ebpffeatures.HaveProgramHelper(ebpf.Kprobe, fn) == nil }
	fmt.Fprintln(w, "\nKernel helpers")
	infoLines(w, []infoLine{
		{"probe_read", helper(asm.FnProbeRead)},
		{"probe_read_str", helper(asm.FnProbeReadStr)},
		{"probe_read_user", helper(asm.FnProbeReadUser)},
		{"probe_read_user_str", helper(asm.FnProbeReadUserStr)},
		{"probe_read_kernel", helper(asm.FnProbeReadKernel)},
		{"probe_read_kernel_str", helper(asm.FnProbeReadKernelStr)},
		{"get_current_cgroup_id", helper(asm.FnGetCurrentCgroupId)},
		{"send_signal", helper(asm.FnSendSignal)},
		{"override_return", helper(asm.FnOverrideReturn)},
		{"get_boot_ns", helper(asm.FnKtimeGetBootNs)},
		{"dpath", false},     // path() is not implemented
		{"skboutput", false}, // skboutput() is not implemented
	})
	fmt.Fprintln(w, "\nKernel features")
	limit := 4096
	if ebpffeatures.HaveLargeInstructions() == nil {
		limit = 1000000
	}
	fmt.Fprintf(w, "  Instruction limit: %d\n", limit)
	_, btfErr := os.Stat("/sys/kernel/btf/vmlinux")
	_, refErr := os.Stat("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset")
	infoLines(w, []infoLine{
		{"Loop support", ebpffeatures.HaveBoundedLoops() == nil},
		{"btf", btfErr == nil},
		{"map batch", mapBatchWorks()},
		{"uprobe refcount (depends on Build:bcc bpf_attach_uprobe refcount)", refErr == nil},
	})
	mapType := func(t ebpf.MapType) bool { return ebpffeatures.HaveMapType(t) == nil }
	fmt.Fprintln(w, "\nMap types")
	infoLines(w, []infoLine{
		{"hash", mapType(ebpf.Hash)}, {"percpu hash", mapType(ebpf.PerCPUHash)},
		{"array", mapType(ebpf.Array)}, {"percpu array", mapType(ebpf.PerCPUArray)},
		{"stack_trace", mapType(ebpf.StackTrace)}, {"perf_event_array", mapType(ebpf.PerfEventArray)},
		{"ringbuf", mapType(ebpf.RingBuf)},
	})
	progType := func(t ebpf.ProgramType) bool { return ebpffeatures.HaveProgramType(t) == nil }
	fmt.Fprintln(w, "\nProbe types")
	infoLines(w, []infoLine{
		{"kprobe", runtime.HaveKprobes() && progType(ebpf.Kprobe)},
		{"tracepoint", progType(ebpf.TracePoint)},
		{"perf_event", progType(ebpf.PerfEvent)},
		{"kfunc", runtime.FentryWorks() == nil},
		{"iter:task", false},      // iter probes are not implemented
		{"iter:task_file", false}, // iter probes are not implemented
		{"kprobe_multi", false},   // wildcards attach one kprobe per function
		{"raw_tp_special", progType(ebpf.RawTracepoint)},
	})
	fmt.Fprintln(w)
}

// infoLine is one "name: yes|no" line of --info.
type infoLine struct {
	name string
	yes  bool
}

func infoLines(w io.Writer, lines []infoLine) {
	for _, l := range lines {
		answer := "no"
		if l.yes {
			answer = "yes"
		}
		fmt.Fprintf(w, "  %s: %s\n", l.name, answer)
	}
}

// mapBatchWorks reports whether the kernel has the map batch operations
// (5.6), by a batch lookup on an empty hash map: ENOENT says it has them.
func mapBatchWorks() bool {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return false
	}
	defer m.Close()
	keys, values := make([]uint32, 1), make([]uint32, 1)
	var cursor ebpf.MapBatchCursor
	_, err = m.BatchLookup(&cursor, keys, values, nil)
	return err == nil || errors.Is(err, ebpf.ErrKeyNotExist)
}
