package compiler

import (
	"fmt"
	"math"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
)

// gen emits the virtual code of one program.
type gen struct {
	code   []vins
	next   asm.Register
	labels int
	src    string
	cache  map[string]asm.Register // node key to the register holding it
	ctx    asm.Register            // the context pointer
	exit   int                     // label of the common "return 0"
}

func newGen() *gen {
	g := &gen{next: vbase, cache: map[string]asm.Register{}}
	g.exit = g.label()
	return g
}

// vreg returns a fresh virtual register.
func (g *gen) vreg() asm.Register {
	if int(g.next-vbase) >= maxVregs {
		panic(errTooComplex)
	}
	r := g.next
	g.next++
	return r
}

var errTooComplex = fmt.Errorf("expression too complex: more than %d values", maxVregs)

func (g *gen) emit(ins ...asm.Instruction) {
	for _, i := range ins {
		g.code = append(g.code, vins{ins: i, src: g.src})
	}
}

// jump emits a jump to label l.
func (g *gen) jump(ins asm.Instruction, l int) {
	g.code = append(g.code, vins{ins: ins, target: l, src: g.src})
}

// scope starts a region of code that may not run (a branch, a loop body):
// values it computes are forgotten when the returned function is called.
func (g *gen) scope() (end func()) {
	saved := g.cache
	g.cache = make(map[string]asm.Register, len(saved))
	for k, v := range saved {
		g.cache[k] = v
	}
	return func() { g.cache = saved }
}

func (g *gen) label() int {
	g.labels++
	return g.labels
}

func (g *gen) place(l int) { g.code = append(g.code, vins{label: l}) }

// call emits a helper call; arguments must already be in r1..r5.
func (g *gen) call(fn asm.BuiltinFunc) { g.emit(fn.Call()) }

// stackAddr sets machine register r to r10+off.
func (g *gen) stackAddr(r asm.Register, off int32) {
	g.emit(asm.Mov.Reg(r, asm.R10), asm.Add.Imm(r, off))
}

// mapPtr loads the address of map name into r.
func (g *gen) mapPtr(r asm.Register, name string) {
	g.emit(asm.LoadMapPtr(r, 0).WithReference(name))
}

// imm sets r to v.
func (g *gen) imm(r asm.Register, v uint64) {
	if int64(v) >= math.MinInt32 && int64(v) <= math.MaxInt32 {
		g.emit(asm.Mov.Imm(r, int32(v)))
		return
	}
	g.emit(asm.LoadImm(r, int64(v), asm.DWord))
}

// val returns a register holding n, computing it on first use.
func (g *gen) val(n node) asm.Register {
	if r, ok := g.cache[n.key()]; ok {
		return r
	}
	r := g.compute(n)
	g.cache[n.key()] = r
	return r
}

func (g *gen) compute(n node) asm.Register {
	switch n := n.(type) {
	case *nConst:
		r := g.vreg()
		g.imm(r, n.v)
		return r
	case *nCtx:
		r := g.vreg()
		g.emit(asm.LoadMem(r, g.ctx, int16(n.off), sizeOp(n.size)))
		return r
	case *nCtxPtr:
		r := g.vreg()
		if k, ok := constOf(n.off); ok {
			g.emit(asm.Mov.Reg(r, g.ctx), asm.Add.Imm(r, int32(k)))
			return r
		}
		off := g.val(n.off)
		g.emit(asm.Mov.Reg(r, g.ctx), asm.Add.Reg(r, off))
		return r
	case *nLoad:
		src := g.val(n.addr)
		g.stackAddr(asm.R1, stackTemp)
		g.emit(asm.Mov.Imm(asm.R2, int32(n.size)), asm.Mov.Reg(asm.R3, src))
		if n.user {
			g.call(asm.FnProbeReadUser)
		} else {
			g.call(asm.FnProbeReadKernel)
		}
		r := g.vreg()
		g.emit(asm.LoadMem(r, asm.R10, stackTemp, sizeOp(n.size)))
		return r
	case *nBin:
		return g.binary(n)
	case *nReg:
		return n.r
	case *nCall:
		g.call(n.fn)
		r := g.vreg()
		g.emit(asm.Mov.Reg(r, asm.R0))
		return r
	case *nL3Len:
		return g.l3len(n)
	case *nStackID:
		g.emit(asm.Mov.Reg(asm.R1, g.ctx))
		g.mapPtr(asm.R2, spec.StackMap(n.depth))
		g.emit(asm.Mov.Imm(asm.R3, 0))
		g.call(asm.FnGetStackid)
		r := g.vreg()
		g.emit(asm.Mov.Reg(r, asm.R0))
		tag := uint64(n.depth) << spec.StackDepthShift
		if n.perf {
			tag |= spec.StackPerf
		}
		if tag != 0 {
			failed := g.label()
			g.jump(asm.JSLT.Imm(r, 0, ""), failed)
			t := g.vreg()
			g.imm(t, tag)
			g.emit(asm.Or.Reg(r, t))
			g.place(failed)
		}
		return r
	case *nSwap:
		x := g.val(n.x)
		r := g.vreg()
		g.emit(asm.Mov.Reg(r, x), asm.HostTo(asm.BE, r, sizeOp(n.size)))
		return r
	}
	panic(fmt.Errorf("internal error: cannot generate %T", n))
}

// binary computes x op y into a new register.
func (g *gen) binary(n *nBin) asm.Register {
	x := g.val(n.x)
	k, isConst := constOf(n.y)
	fitsImm := isConst && int64(k) >= math.MinInt32 && int64(k) <= math.MaxInt32
	var y asm.Register
	if !fitsImm {
		y = g.val(n.y)
	}
	r := g.vreg()
	g.emit(asm.Mov.Reg(r, x))
	if fitsImm {
		g.emit(n.op.Imm(r, int32(k)))
	} else {
		g.emit(n.op.Reg(r, y))
	}
	return r
}

// l3len computes 40 for IPv6 and ihl*4 otherwise from the first byte.
func (g *gen) l3len(n *nL3Len) asm.Register {
	b := g.val(n.b)
	ver, r := g.vreg(), g.vreg()
	done := g.label()
	g.emit(asm.Mov.Reg(ver, b), asm.RSh.Imm(ver, 4))
	g.emit(asm.Mov.Reg(r, b), asm.And.Imm(r, 0xf), asm.LSh.Imm(r, 2))
	g.jump(asm.JNE.Imm(ver, 6, ""), done)
	g.emit(asm.Mov.Imm(r, 40))
	g.place(done)
	return r
}

// sizeOp maps a byte count to a load/store size.
func sizeOp(n int) asm.Size {
	switch n {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}
