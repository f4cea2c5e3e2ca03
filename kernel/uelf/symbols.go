package uelf

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"sort"
)

// Symbol is one function symbol of an ELF file.
type Symbol struct {
	Name  string
	Value uint64 // virtual address as linked
	Size  uint64
}

// File is an opened ELF file with its function symbols.
type File struct {
	Path string
	elf  *elf.File
	syms []Symbol // sorted by name, duplicates (symtab and dynsym) merged
	// byAddr is syms sorted by address, made on the first SymbolAt.
	byAddr []Symbol
	objs   map[string]Symbol // data objects, by name
	// dw is the debug information, read on the first DWARF call.
	dw       *dwarf.Data
	dwLoaded bool
	funcs    map[string]dwarf.Offset // subprograms by name, on the first Params
}

// Open reads path's ELF headers, function symbols and data objects. Close
// releases it.
func Open(path string) (*File, error) {
	ef, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	f := &File{Path: path, elf: ef, objs: map[string]Symbol{}}
	seen := map[string]bool{}
	reads := []func() ([]elf.Symbol, error){ef.Symbols, ef.DynamicSymbols}
	if _, err := ef.Symbols(); errors.Is(err, elf.ErrNoSymbols) {
		reads = append(reads, func() ([]elf.Symbol, error) { return debugSymbols(ef) })
	}
	for _, read := range reads {
		syms, err := read()
		if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
			ef.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, s := range syms {
			typ := elf.ST_TYPE(s.Info)
			if s.Value == 0 || s.Section == elf.SHN_UNDEF {
				continue
			}
			if typ == elf.STT_OBJECT {
				if _, dup := f.objs[s.Name]; !dup {
					f.objs[s.Name] = Symbol{Name: s.Name, Value: s.Value, Size: s.Size}
				}
				continue
			}
			if typ != elf.STT_FUNC && typ != elf.STT_GNU_IFUNC {
				continue
			}
			name := s.Name
			if seen[name] {
				continue
			}
			seen[name] = true
			f.syms = append(f.syms, Symbol{Name: name, Value: s.Value, Size: s.Size})
		}
	}
	sort.Slice(f.syms, func(i, j int) bool { return f.syms[i].Name < f.syms[j].Name })
	return f, nil
}

// Close closes the file. Symbols, Lookup, FileOffset, VirtAddr, SymbolAt
// and, once read, DWARF still work afterwards; USDT does not.
func (f *File) Close() error { return f.elf.Close() }

// Symbols returns the function symbols, sorted by name.
func (f *File) Symbols() []Symbol { return f.syms }

// Lookup finds the function symbol name.
func (f *File) Lookup(name string) (Symbol, bool) {
	i := sort.Search(len(f.syms), func(i int) bool { return f.syms[i].Name >= name })
	if i < len(f.syms) && f.syms[i].Name == name {
		return f.syms[i], true
	}
	return Symbol{}, false
}

// Object finds the data object (a global variable) name.
func (f *File) Object(name string) (Symbol, bool) {
	s, ok := f.objs[name]
	return s, ok
}

// Relocatable reports whether the file loads at an address chosen at run
// time (a shared library or a position-independent executable), so that
// its symbols' addresses are relative to where it was loaded.
func (f *File) Relocatable() bool { return f.elf.Type == elf.ET_DYN }

// FileOffset converts a virtual address of the file into its offset in
// the file, through the loadable segment that holds it: uprobes attach at
// file offsets.
func (f *File) FileOffset(addr uint64) (uint64, error) {
	for _, p := range f.elf.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("%s: address %#x is in no loadable segment", f.Path, addr)
}

// VirtAddr converts an offset in the file into the virtual address it is
// loaded at, through the loadable segment that holds it: the inverse of
// FileOffset, for addresses read from /proc/PID/maps.
func (f *File) VirtAddr(off uint64) (uint64, bool) {
	for _, p := range f.elf.Progs {
		if p.Type == elf.PT_LOAD && off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// SymbolAt returns the function that holds virtual address addr and
// addr's offset into it.
func (f *File) SymbolAt(addr uint64) (Symbol, uint64, bool) {
	if f.byAddr == nil {
		f.byAddr = append([]Symbol(nil), f.syms...)
		sort.Slice(f.byAddr, func(i, j int) bool { return f.byAddr[i].Value < f.byAddr[j].Value })
	}
	i := sort.Search(len(f.byAddr), func(i int) bool { return f.byAddr[i].Value > addr }) - 1
	if i < 0 {
		return Symbol{}, 0, false
	}
	s := f.byAddr[i]
	if s.Size != 0 && addr >= s.Value+s.Size {
		return Symbol{}, 0, false
	}
	return s, addr - s.Value, true
}
