package uelf

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/arch/x86/x86asm"

	"github.com/surftrace/surftrace/internal/ktest"
)

func TestParseArg(t *testing.T) {
	cases := []struct {
		in   string
		want Arg
	}{
		{"-4@%eax", Arg{Kind: ArgReg, Size: 4, Signed: true, Reg: "ax"}},
		{"8@%rdi", Arg{Kind: ArgReg, Size: 8, Reg: "di"}},
		{"8@%r12", Arg{Kind: ArgReg, Size: 8, Reg: "r12"}},
		{"-2@%r9w", Arg{Kind: ArgReg, Size: 2, Signed: true, Reg: "r9"}},
		{"1@%sil", Arg{Kind: ArgReg, Size: 1, Reg: "si"}},
		{"8@-16(%rbp)", Arg{Kind: ArgMem, Size: 8, Reg: "bp", Offset: -16}},
		{"4@(%rax)", Arg{Kind: ArgMem, Size: 4, Reg: "ax"}},
		{"-4@$5", Arg{Kind: ArgConst, Size: 4, Signed: true, Const: 5}},
		{"-4@$-5", Arg{Kind: ArgConst, Size: 4, Signed: true, Const: -5}},
		{"-4@g1(%rip)", Arg{Kind: ArgMem, Size: 4, Signed: true, Reg: "ip", Symbol: "g1"}},
		{"8@arr+16(%rip)", Arg{Kind: ArgMem, Size: 8, Reg: "ip", Symbol: "arr", Offset: 16}},
		{"8@(%rax,%rdx,8)", Arg{Kind: ArgMem, Size: 8, Reg: "ax", Index: "dx", Scale: 8}},
		{"-2@-4(%rbp,%rcx)", Arg{Kind: ArgMem, Size: 2, Signed: true, Reg: "bp", Offset: -4, Index: "cx", Scale: 1}},
	}
	for _, c := range cases {
		got, err := ParseArg(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseArg(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"%eax", "3@%eax", "8@%xmm0", "8@16(%rip)", "8@8(%rax,%rbx,3)", "8@(%rax,%rip)", "4@$x"} {
		if a, err := ParseArg(bad); err == nil {
			t.Errorf("ParseArg(%q) = %+v, want an error", bad, a)
		}
	}
}

// TestUSDTNotes reads the fixture's notes, built so that arguments are in
// memory (-O0) and in registers (-O2); the addresses are where readelf
// says, and the semaphore is in .probes.
func TestUSDTNotes(t *testing.T) {
	for _, opt := range []string{"-O0", "-O2"} {
		f, err := Open(ktest.BuildProbes(t, opt))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		notes, err := f.USDT()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range notes {
			got = append(got, n.Provider+":"+n.Name)
			if n.Semaphore == 0 {
				t.Errorf("%s %s:%s has no semaphore", opt, n.Provider, n.Name)
			}
			probes := f.elf.Section(".probes")
			if probes == nil || n.Semaphore < probes.Addr || n.Semaphore >= probes.Addr+probes.Size {
				t.Errorf("%s %s:%s semaphore %#x is not in .probes", opt, n.Provider, n.Name, n.Semaphore)
			}
			text := f.elf.Section(".text")
			if n.Addr < text.Addr || n.Addr >= text.Addr+text.Size {
				t.Errorf("%s %s:%s at %#x is not in .text", opt, n.Provider, n.Name, n.Addr)
			}
		}
		if want := []string{"surf:args", "surf:strarg", "surf:global", "surf:withsem"}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: notes %v, want %v", opt, got, want)
		}
		if len(notes) > 0 {
			args := notes[0].Args
			if len(args) != 3 || args[2] != (Arg{Kind: ArgConst, Size: 4, Signed: true, Const: -5}) {
				t.Errorf("%s: surf:args arguments %+v (%q)", opt, args, notes[0].ArgText)
			}
			if opt == "-O0" && args[0].Kind != ArgMem {
				t.Errorf("-O0: surf:args arg0 %+v is not in memory (%q)", args[0], notes[0].ArgText)
			}
			if g := notes[2].Args; opt == "-O2" && (len(g) != 2 || g[0].Symbol != "surf_global_int" || g[1].Index == "") {
				t.Errorf("-O2: surf:global arguments %+v (%q), want %%rip-relative and indexed", g, notes[2].ArgText)
			}
		}
	}
}

// TestFileOffset checks a function's file offset against the bytes of
// .text: the bytes at the offset are the function's first bytes.
func TestFileOffset(t *testing.T) {
	path := ktest.BuildProbes(t, "-O1")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, ok := f.Lookup("surf_add")
	if !ok {
		t.Fatalf("no surf_add among %d symbols", len(f.Symbols()))
	}
	off, err := f.FileOffset(s.Value)
	if err != nil {
		t.Fatal(err)
	}
	text := f.elf.Section(".text")
	data, _ := text.Data()
	raw, _ := os.ReadFile(path)
	want := data[s.Value-text.Addr:][:8]
	if got := raw[off:][:8]; !reflect.DeepEqual(got, want) {
		t.Errorf("bytes at file offset %#x = % x, want % x", off, got, want)
	}
	if _, ok := f.Lookup("no_such_function"); ok {
		t.Error("Lookup found no_such_function")
	}
	if _, err := f.FileOffset(1 << 40); err == nil {
		t.Error("FileOffset(1<<40) did not fail")
	}
}

// TestResolve finds libc by its short names, in a process's maps and in
// the loader's directories, and an executable in $PATH.
func TestResolve(t *testing.T) {
	for _, name := range []string{"libc", "c", "libc.so.6"} {
		p, err := Resolve(name, 0)
		if err != nil || !strings.HasPrefix(filepath.Base(p), "libc.so") {
			t.Errorf("Resolve(%q) = %q, %v; want libc.so.*", name, p, err)
		}
	}
	if p, err := Resolve("sh", 0); err != nil || !filepath.IsAbs(p) {
		t.Errorf("Resolve(sh) = %q, %v; want an absolute path", p, err)
	}
	if _, err := Resolve("surftrace-no-such-lib", 0); err == nil {
		t.Error("Resolve of a missing library did not fail")
	}
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if p, err := Resolve("libc", cmd.Process.Pid); err == nil && strings.Contains(p, "libc.so") {
			if ef, err := elf.Open(p); err == nil {
				ef.Close()
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("Resolve(libc, %d) did not find the mapped libc", cmd.Process.Pid)
}

// TestSymbolAt maps an address inside a function back to it, through a
// file offset and back, as stack symbolization does.
func TestSymbolAt(t *testing.T) {
	f, err := Open(ktest.BuildProbes(t, "-O1"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, _ := f.Lookup("surf_add")
	off, err := f.FileOffset(s.Value + 2)
	if err != nil {
		t.Fatal(err)
	}
	va, ok := f.VirtAddr(off)
	if !ok || va != s.Value+2 {
		t.Fatalf("VirtAddr(%#x) = %#x, %v; want %#x", off, va, ok, s.Value+2)
	}
	got, in, ok := f.SymbolAt(va)
	if !ok || got.Name != "surf_add" || in != 2 {
		t.Errorf("SymbolAt(%#x) = %s+%d, %v; want surf_add+2", va, got.Name, in, ok)
	}
	if _, _, ok := f.SymbolAt(1); ok {
		t.Error("SymbolAt(1) found a function")
	}
}

// TestCheckOffset accepts offsets at instruction boundaries of a function
// and refuses one inside an instruction or past the end.
func TestCheckOffset(t *testing.T) {
	f, err := Open(ktest.BuildProbes(t, "-O0"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, _ := f.Lookup("surf_add")
	code := make([]byte, 16)
	if err := f.read(code, s.Value); err != nil {
		t.Fatal(err)
	}
	first, err := x86asm.Decode(code, 64)
	if err != nil {
		t.Fatal(err)
	}
	second, err := x86asm.Decode(code[first.Len:], 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []uint64{0, uint64(first.Len), uint64(first.Len + second.Len)} {
		if err := f.CheckOffset(s, off); err != nil {
			t.Errorf("surf_add+%d (%v; %v): %v", off, first, second, err)
		}
	}
	inside := uint64(first.Len + 1)
	if second.Len == 1 {
		t.Fatalf("fixture's surf_add starts with %v; %v: no offset inside an instruction to try", first, second)
	}
	if err := f.CheckOffset(s, inside); err == nil {
		t.Errorf("surf_add+%d (inside %v) passed", inside, second)
	}
	if err := f.CheckOffset(s, s.Size+1); err == nil {
		t.Errorf("surf_add+%d (past the end) passed", s.Size+1)
	}
}
