package uelf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Note is one USDT probe from a .note.stapsdt ELF note.
type Note struct {
	Provider, Name string
	// Addr is the probe's virtual address, Semaphore its semaphore's
	// (0: none), both adjusted by .stapsdt.base for prelinking.
	Addr, Semaphore uint64
	// Args are the argument locations, in order.
	Args []Arg
	// ArgText is the note's argument string ("-4@%eax 8@-16(%rbp)").
	ArgText string
}

// ArgKind says where a USDT argument lives.
type ArgKind int

// The argument kinds.
const (
	ArgConst ArgKind = iota + 1 // Const
	ArgReg                      // the register Reg
	ArgMem                      // memory at Reg + Offset (+ Index * Scale when Index is set)
)

// Arg is one USDT argument: "-4@%eax" is a signed 4-byte value in
// register ax.
type Arg struct {
	Kind   ArgKind
	Size   int  // bytes: 1, 2, 4 or 8
	Signed bool // the size was negative
	Reg    string
	Offset int64
	Const  int64
	// Index and Scale are the index register and its factor of an
	// address OFF(%BASE,%INDEX,SCALE).
	Index string
	Scale int
	// Symbol is the global of an address SYMBOL+OFF(%rip): Reg is "ip",
	// and the address is the symbol's plus Offset, wherever the file
	// loaded.
	Symbol string
}

// USDT returns the file's USDT probes, in note order.
func (f *File) USDT() ([]Note, error) {
	sec := f.elf.Section(".note.stapsdt")
	if sec == nil {
		return nil, nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: .note.stapsdt: %w", f.Path, err)
	}
	var baseAdj int64
	haveBase := false
	if b := f.elf.Section(".stapsdt.base"); b != nil {
		haveBase, baseAdj = true, int64(b.Addr)
	}
	bo := f.elf.ByteOrder
	var out []Note
	for len(data) >= 12 {
		namesz, descsz, typ := bo.Uint32(data), bo.Uint32(data[4:]), bo.Uint32(data[8:])
		nameEnd := 12 + align4(namesz)
		end := nameEnd + align4(descsz)
		if end > uint32(len(data)) {
			return nil, fmt.Errorf("%s: truncated .note.stapsdt", f.Path)
		}
		name := strings.TrimRight(string(data[12:12+namesz]), "\x00")
		desc := data[nameEnd : nameEnd+descsz]
		data = data[end:]
		if name != "stapsdt" || typ != 3 || len(desc) < 24 {
			continue
		}
		n, err := parseNote(bo, desc, haveBase, baseAdj)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func align4(n uint32) uint32 { return (n + 3) &^ 3 }

// parseNote reads one note's description: pc, base and semaphore
// addresses, then provider, name and arguments as C strings.
func parseNote(bo binary.ByteOrder, desc []byte, haveBase bool, actualBase int64) (Note, error) {
	pc, base, sem := bo.Uint64(desc), bo.Uint64(desc[8:]), bo.Uint64(desc[16:])
	strs := bytes.SplitN(desc[24:], []byte{0}, 4)
	if len(strs) < 3 {
		return Note{}, fmt.Errorf("malformed stapsdt note")
	}
	n := Note{Provider: string(strs[0]), Name: string(strs[1]), ArgText: string(strs[2]), Addr: pc, Semaphore: sem}
	if haveBase {
		adj := uint64(actualBase) - base
		n.Addr += adj
		if n.Semaphore != 0 {
			n.Semaphore += adj
		}
	}
	for _, a := range strings.Fields(n.ArgText) {
		arg, err := ParseArg(a)
		if err != nil {
			return Note{}, fmt.Errorf("usdt %s:%s: %w", n.Provider, n.Name, err)
		}
		n.Args = append(n.Args, arg)
	}
	return n, nil
}

// ParseArg parses one x86-64 SDT argument: SIZE@LOCATION where LOCATION
// is %REG, $CONST, OFF(%REG), (%REG) or OFF(%BASE,%INDEX,SCALE), and a
// negative SIZE is signed.
func ParseArg(s string) (Arg, error) {
	sz, loc, ok := strings.Cut(s, "@")
	if !ok {
		return Arg{}, fmt.Errorf("argument %q has no size", s)
	}
	size, err := strconv.Atoi(sz)
	if err != nil {
		return Arg{}, fmt.Errorf("argument %q: bad size", s)
	}
	a := Arg{Size: size, Signed: size < 0}
	if a.Signed {
		a.Size = -size
	}
	if a.Size != 1 && a.Size != 2 && a.Size != 4 && a.Size != 8 {
		return Arg{}, fmt.Errorf("argument %q: size %d is not 1, 2, 4 or 8", s, a.Size)
	}
	switch {
	case strings.HasPrefix(loc, "$"):
		v, err := strconv.ParseInt(loc[1:], 0, 64)
		if err != nil {
			return Arg{}, fmt.Errorf("argument %q: bad constant", s)
		}
		a.Kind, a.Const = ArgConst, v
	case strings.HasPrefix(loc, "%"):
		r, ok := x86Reg(loc[1:])
		if !ok {
			return Arg{}, fmt.Errorf("argument %q: unknown register %s", s, loc)
		}
		a.Kind, a.Reg = ArgReg, r
	case strings.HasSuffix(loc, ")"):
		off, inner, _ := strings.Cut(strings.TrimSuffix(loc, ")"), "(")
		parts := strings.Split(inner, ",")
		reg := parts[0]
		if !strings.HasPrefix(reg, "%") || len(parts) > 3 {
			return Arg{}, fmt.Errorf("argument %q: unsupported address form", s)
		}
		r, ok := x86Reg(reg[1:])
		if !ok {
			return Arg{}, fmt.Errorf("argument %q: unsupported base register %s", s, reg)
		}
		a.Kind, a.Reg = ArgMem, r
		if r == "ip" {
			return ripArg(s, a, off, len(parts))
		}
		if len(parts) > 1 {
			idx, ok := x86Reg(strings.TrimPrefix(parts[1], "%"))
			if !ok || !strings.HasPrefix(parts[1], "%") || idx == "ip" {
				return Arg{}, fmt.Errorf("argument %q: unsupported index register %s", s, parts[1])
			}
			a.Index, a.Scale = idx, 1
			if len(parts) == 3 {
				sc, err := strconv.Atoi(parts[2])
				if err != nil || sc != 1 && sc != 2 && sc != 4 && sc != 8 {
					return Arg{}, fmt.Errorf("argument %q: bad scale %s", s, parts[2])
				}
				a.Scale = sc
			}
		}
		if off != "" {
			v, err := strconv.ParseInt(off, 0, 64)
			if err != nil {
				return Arg{}, fmt.Errorf("argument %q: unsupported displacement %s", s, off)
			}
			a.Offset = v
		}
	default:
		return Arg{}, fmt.Errorf("argument %q: unsupported location", s)
	}
	return a, nil
}

// ripArg completes a %rip-relative argument SYMBOL[+-OFF](%rip); a bare
// displacement, relative to an instruction the note does not name, is not
// supported.
func ripArg(s string, a Arg, off string, parts int) (Arg, error) {
	sym, rest := off, ""
	if i := strings.IndexAny(off, "+-"); i >= 0 {
		sym, rest = off[:i], off[i:]
	}
	if parts > 1 || sym == "" || sym[0] >= '0' && sym[0] <= '9' {
		return Arg{}, fmt.Errorf("argument %q: unsupported %%rip-relative form", s)
	}
	a.Symbol = sym
	if rest != "" {
		v, err := strconv.ParseInt(rest, 0, 64)
		if err != nil {
			return Arg{}, fmt.Errorf("argument %q: bad offset %s", s, rest)
		}
		a.Offset = v
	}
	return a, nil
}

// x86Reg maps an x86-64 register name of any width to its struct pt_regs
// field: "eax", "rax", "al" and "ax" are all "ax".
func x86Reg(r string) (string, bool) {
	legacy := map[string]string{
		"rax": "ax", "eax": "ax", "ax": "ax", "al": "ax", "ah": "ax",
		"rbx": "bx", "ebx": "bx", "bx": "bx", "bl": "bx", "bh": "bx",
		"rcx": "cx", "ecx": "cx", "cx": "cx", "cl": "cx", "ch": "cx",
		"rdx": "dx", "edx": "dx", "dx": "dx", "dl": "dx", "dh": "dx",
		"rsi": "si", "esi": "si", "si": "si", "sil": "si",
		"rdi": "di", "edi": "di", "di": "di", "dil": "di",
		"rbp": "bp", "ebp": "bp", "bp": "bp", "bpl": "bp",
		"rsp": "sp", "esp": "sp", "sp": "sp", "spl": "sp",
		"rip": "ip",
	}
	if n, ok := legacy[r]; ok {
		return n, true
	}
	if strings.HasPrefix(r, "r") {
		num := strings.TrimRight(r[1:], "dwb")
		if v, err := strconv.Atoi(num); err == nil && v >= 8 && v <= 15 {
			return "r" + num, true
		}
	}
	return "", false
}
