package uelf

import (
	"debug/elf"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// CheckOffset reports an error unless off bytes into function s is the
// start of an instruction: a uprobe elsewhere would write its breakpoint
// into the middle of one and break the program. x86-64 code is decoded
// from the function's start; arm64 instructions are 4 bytes each.
func (f *File) CheckOffset(s Symbol, off uint64) error {
	if off == 0 {
		return nil
	}
	if s.Size != 0 && off >= s.Size {
		//lint:ignore ST1005 bpftrace's words, which its users and tests match.
		return fmt.Errorf("Offset outside the function bounds ('%s' size is %d): +%d", s.Name, s.Size, off)
	}
	switch f.elf.Machine {
	case elf.EM_AARCH64:
		if off%4 != 0 {
			return fmt.Errorf("offset %d into %s is not an instruction boundary (arm64 instructions are 4 bytes)", off, s.Name)
		}
		return nil
	case elf.EM_X86_64:
	default:
		return fmt.Errorf("cannot check offsets into %s code", f.elf.Machine)
	}
	code := make([]byte, off+16)
	if err := f.read(code, s.Value); err != nil {
		return err
	}
	for at := uint64(0); at < off; {
		in, err := x86asm.Decode(code[at:], 64)
		if err != nil {
			return fmt.Errorf("%s+%d: %v", s.Name, at, err)
		}
		at += uint64(in.Len)
		if at > off {
			return fmt.Errorf("offset %d into %s is not an instruction boundary (the instruction at %d is %d bytes)", off, s.Name, at-uint64(in.Len), in.Len)
		}
	}
	return nil
}

// read reads len(b) bytes of the loaded image at virtual address addr; it
// needs the file open.
func (f *File) read(b []byte, addr uint64) error {
	for _, p := range f.elf.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+uint64(len(b)) <= p.Vaddr+p.Filesz {
			_, err := p.ReadAt(b, int64(addr-p.Vaddr))
			return err
		}
	}
	return fmt.Errorf("%s: %d bytes at %#x are not all in one loadable segment", f.Path, len(b), addr)
}
