package ktest

import (
	"debug/elf"
	"fmt"
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// RequireUprobes skips the test when the kernel cannot attach a uprobe
// program, and fails it in the VM, whose kernel can. It requires root,
// then probes for real, once per process: a program that returns 0 is
// attached as a uprobe and a uretprobe at the entry point of this test
// binary (which ran once, long ago, so neither fires) and detached.
func RequireUprobes(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	uprobed.once.Do(func() { uprobed.err = classify(probeUprobe()) })
	err := uprobed.err
	switch {
	case err == nil:
	case !IsAbsent(err):
		t.Fatalf("probing kernel %s for uprobes: %v", Release(), err)
	case InVM():
		t.Fatalf("uprobes missing on VM kernel %s, which is known to have them: %v", Release(), err)
	default:
		t.Skipf("uprobes absent on this kernel (%s): %v", Release(), err)
	}
}

var uprobed probeResult

func probeUprobe() error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.Kprobe, License: "GPL", Instructions: returnZero})
	if err != nil {
		return err
	}
	defer prog.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	off, err := entryOffset(self)
	if err != nil {
		return err
	}
	ex, err := link.OpenExecutable(self)
	if err != nil {
		return err
	}
	for _, attach := range []func(string, *ebpf.Program, *link.UprobeOptions) (link.Link, error){ex.Uprobe, ex.Uretprobe} {
		l, err := attach("entry", prog, &link.UprobeOptions{Address: off})
		if err != nil {
			return err
		}
		l.Close()
	}
	return nil
}

// entryOffset is the file offset of path's ELF entry point.
func entryOffset(path string) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && f.Entry >= p.Vaddr && f.Entry < p.Vaddr+p.Filesz {
			return f.Entry - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("%s: entry point %#x is in no loadable segment", path, f.Entry)
}

// BuildProbes compiles the user-space probe fixture
// (kernel/uelf/testdata/probes.c: a plain function for uprobes, USDT
// probes with arguments and one with a semaphore) with gcc into a
// temporary directory and returns the binary's path. opt is gcc's
// optimization flag: -O0 puts USDT arguments in stack memory, -O2 in
// registers. gcc and sys/sdt.h come from tools/deps.sh.
func BuildProbes(t testing.TB, opt string) string {
	t.Helper()
	return build(t, "gcc", "probes.c", "surfprobes", opt)
}

// BuildCPP compiles the C++ fixture (kernel/uelf/testdata/cpp.cc: a
// method and an overloaded function, mangled) with g++ -O0.
func BuildCPP(t testing.TB) string {
	t.Helper()
	return build(t, "g++", "cpp.cc", "surfcpp", "-O0")
}

// BuildDWARF compiles the DWARF fixture (kernel/uelf/testdata/dwarf.c:
// functions whose parameters are integers, pointers, a struct with
// arrays and bit fields, an enum, a typedef) with gcc -O0 and debug
// flag g: "-g" for the compiler's default DWARF version, "-gdwarf-2" for
// the old bit-field encoding.
func BuildDWARF(t testing.TB, g string) string {
	t.Helper()
	return build(t, "gcc", "dwarf.c", "surfdwarf", "-O0", g)
}

// build compiles testdata file src of kernel/uelf with cc and flags opts
// into binary name in a temporary directory.
func build(t testing.TB, cc, src, name string, opts ...string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	src = filepath.Join(filepath.Dir(self), "..", "..", "kernel", "uelf", "testdata", src)
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command(cc, append(opts, "-o", bin, src)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (tools/deps.sh installs gcc, g++ and systemtap-sdt-dev): %v\n%s", cc, src, err, out)
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
