package compiler

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/lang"
)

// strSize is the size of a string read from the kernel (str(), char
// arrays and pointers), NUL included.
func (sc *scriptComp) strSize() int { return (sc.opts.StrSize + 7) &^ 7 }

// str makes v a string in scratch space: a char array or char pointer in
// kernel memory is read with bpf_probe_read_kernel_str, one in user memory
// (isUserPtr) with bpf_probe_read_user_str; limit (0 for the default) caps
// the bytes read.
func (g *sgen) str(v *sval, limit int, at lang.Node) *sval {
	if v.kind == skStr {
		return v
	}
	if v.param != nil {
		return strLit(*v.param)
	}
	size := g.sc.strSize()
	var addr codegen.Node
	user := false
	switch {
	case v.kind == skMem && (isCharArray(v.v.t) || v.v.str):
		if a, ok := under(v.v.t).(*btf.Array); ok && !v.v.str && a.Nelems > 0 && int(a.Nelems)+1 < size {
			size = int(a.Nelems) + 1
		}
		addr, user = v.v.addr, v.v.user
	case v.kind == skInt:
		addr = g.intNode(v, at)
		user = g.userPtr(v.v.t)
	default:
		fail(at, "%s is not a string", v.describe())
	}
	if limit > 0 && limit+1 < size {
		size = limit + 1
	}
	// The helper reads at most read-1 bytes and a NUL: a char array's
	// elements and no further, though its slot is a multiple of 8.
	read := size
	size = (size + 7) &^ 7
	src := g.Val(addr)
	off := g.region(size)
	g.zero(off, size)
	g.bufAddr(asm.R1, off)
	g.Emit(asm.Mov.Imm(asm.R2, int32(read)), asm.Mov.Reg(asm.R3, src))
	g.Call(g.ReadHelper(user, true))
	return &sval{kind: skStr, off: off, size: size}
}

// bytes reads size bytes of kernel (or, when user, user) memory at addr
// into scratch space.
func (g *sgen) bytes(addr codegen.Node, size int, user bool, rend render) *sval {
	src := g.Val(addr)
	off := g.region(size)
	g.zero(off, size)
	g.bufAddr(asm.R1, off)
	g.Emit(asm.Mov.Imm(asm.R2, int32(size)), asm.Mov.Reg(asm.R3, src))
	g.Call(g.ReadHelper(user, false))
	return &sval{kind: skBytes, off: off, size: (size + 7) &^ 7, rend: rend}
}

// comm is the current task's name, 16 bytes NUL-padded as
// bpf_get_current_comm writes them; it is fetched where it is used (see
// sval.fill), since it cannot change while the probe runs.
func (g *sgen) comm() *sval {
	return &sval{kind: skStr, size: 16, fill: func(off int) {
		g.bufAddr(asm.R1, off)
		g.Emit(asm.Mov.Imm(asm.R2, 16))
		g.Call(asm.FnGetCurrentComm)
	}}
}

// place puts a value that fill makes into scratch space of its own.
func (g *sgen) place(v *sval) {
	if v.fill != nil {
		v.off = g.region(v.size)
		v.fill(v.off)
		v.fill = nil
	}
}

// putBytes writes string or bytes v into size bytes at scratch offset off:
// truncated (a string keeps its NUL) or zero-padded.
func (g *sgen) putBytes(off, size int, v *sval) {
	if v.isLit {
		b := v.lit
		if v.kind == skStr && len(b) > size-1 {
			b = b[:size-1]
		}
		g.storeBytes(off, b, size)
		return
	}
	n := min(v.size, size) &^ 7
	if v.fill != nil && v.size <= size {
		v.fill(off) // made in place: nothing to copy
		v.off, v.fill = off, nil
	} else {
		g.place(v)
		g.copyScratch(off, v.off, n)
	}
	if n < size {
		g.zero(off+n, size-n)
	}
	if v.kind == skStr && v.size > size {
		g.Emit(asm.StoreImm(g.buf, int16(off+size-1), 0, asm.Byte))
	}
}

// strEqual jumps to l when strings (or bytes) x and y are equal, or when
// eq is false, when they differ. limit > 0 compares at most that many
// bytes (strncmp).
func (g *sgen) strEqual(x, y *sval, limit int, eq bool, l int, at lang.Node) {
	if x.kind == skInt || y.kind == skInt || x.kind == skTuple || y.kind == skTuple {
		fail(at, "cannot compare %s with %s", x.describe(), y.describe())
	}
	if x.isLit && !y.isLit {
		x, y = y, x
	}
	different := g.Label()
	same := l
	if !eq {
		same, different = g.Label(), l
	}
	t := g.Reg()
	switch {
	case x.isLit && y.isLit:
		a, b := x.lit, y.lit
		if limit > 0 {
			a, b = a[:min(len(a), limit)], b[:min(len(b), limit)]
		}
		if (string(a) == string(b)) == eq {
			g.Jump(asm.Ja.Label(""), l)
		}
		return
	case y.isLit:
		want := y.lit
		if y.kind == skStr {
			want = append(append([]byte(nil), want...), 0)
		}
		if limit > 0 && len(want) > limit {
			want = want[:limit]
		}
		if len(want) > x.size {
			// x cannot hold that many bytes: never equal.
			g.Jump(asm.Ja.Label(""), different)
			break
		}
		g.place(x)
		g.equalBytes(t, x.off, want, different)
		g.Jump(asm.Ja.Label(""), same)
	default:
		n := min(x.size, y.size)
		if limit > 0 {
			n = min(n, limit)
		}
		g.place(x)
		g.place(y)
		u := g.Reg()
		for i := 0; i < n; i++ {
			g.Emit(asm.LoadMem(t, g.buf, int16(x.off+i), asm.Byte), asm.LoadMem(u, g.buf, int16(y.off+i), asm.Byte))
			g.Jump(asm.JNE.Reg(t, u, ""), different)
			if x.kind == skStr {
				g.Jump(asm.JEq.Imm(t, 0, ""), same)
			}
		}
		g.Jump(asm.Ja.Label(""), same)
	}
	if eq {
		g.Place(different)
	} else {
		g.Place(same)
	}
}

// equalBytes jumps to different unless the scratch bytes at off are want:
// it compares 4, 2 or 1 bytes at a time, each load at an offset its size
// divides (off is 8-aligned), against an immediate in the machine's byte
// order, with a 32-bit jump so that no sign extension intervenes.
func (g *sgen) equalBytes(t asm.Register, off int, want []byte, different int) {
	for i := 0; i < len(want); {
		n := 4
		for n > len(want)-i {
			n /= 2
		}
		var v uint32
		switch n {
		case 4:
			v = binary.NativeEndian.Uint32(want[i:])
		case 2:
			v = uint32(binary.NativeEndian.Uint16(want[i:]))
		default:
			v = uint32(want[i])
		}
		g.Emit(asm.LoadMem(t, g.buf, int16(off+i), codegen.SizeOp(n)))
		g.Jump(asm.JNE.Imm32(t, int32(v), ""), different)
		i += n
	}
}
