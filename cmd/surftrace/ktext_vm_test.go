package main

import (
	"bytes"
	"debug/elf"
	"os"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/surftrace/surftrace/kernel"
)

// endbr64 is the instruction IBT kernels (Debian's 6.12) put first in
// every function that may be called indirectly.
var endbr64 = []byte{0xf3, 0x0f, 0x1e, 0xfa}

// offsetAfterFentry returns the offset of sym's first instruction after
// its fentry site (the 5-byte nop, or call once ftrace patched it), past
// the ENDBR64 of IBT kernels. It decodes the running kernel's own text
// from /proc/kcore, so a test picks an instruction boundary that holds on
// every kernel rather than one build's layout.
func offsetAfterFentry(t *testing.T, sym string) uint64 {
	t.Helper()
	text, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	var addr uint64
	for _, s := range kernel.ParseKallsyms(string(text)) {
		if s.Name == sym && s.Func && s.Module == "" {
			addr = s.Addr
			break
		}
	}
	if addr == 0 {
		t.Fatalf("%s: no address in /proc/kallsyms", sym)
	}
	core, err := elf.Open("/proc/kcore")
	if err != nil {
		t.Fatalf("reading kernel text: %v", err)
	}
	defer core.Close()
	code := make([]byte, 16)
	found := false
	for _, p := range core.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+uint64(len(code)) <= p.Vaddr+p.Memsz {
			if _, err := p.ReadAt(code, int64(addr-p.Vaddr)); err != nil {
				t.Fatalf("reading %s from /proc/kcore: %v", sym, err)
			}
			found = true
			break
		}
	}
	if !found {
		t.Fatalf("%s at %#x is in no /proc/kcore segment", sym, addr)
	}
	var off uint64
	if bytes.HasPrefix(code, endbr64) {
		off = uint64(len(endbr64))
	}
	in, err := x86asm.Decode(code[off:], 64)
	if err != nil || in.Len != 5 {
		t.Fatalf("%s+%#x: want the 5-byte fentry site, decoded %v (% x), %v", sym, off, in, code, err)
	}
	return off + uint64(in.Len)
}
