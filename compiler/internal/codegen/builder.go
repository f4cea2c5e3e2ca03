package codegen

import (
	"errors"
	"fmt"
	"math"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf/asm"
)

// Builder emits the code of one program: instructions on virtual
// registers, labels, and Nodes computed once each. Finish allocates the
// registers and returns the program's instructions.
type Builder struct {
	code   []vins
	next   asm.Register
	labels int
	// Src is the source comment of the instructions emitted next.
	Src   string
	cache map[string]asm.Register // node key to the register holding it
	// Ctx is the register holding the context pointer, which CtxLoad and
	// CtxAddr read; the caller sets it in the prologue.
	Ctx asm.Register
	// Exit is the label of the common "return 0"; the caller places it.
	Exit int
	// Reserved is the bytes at the bottom of the 512-byte stack frame
	// the caller uses itself (scratch space on the stack); spill slots
	// stay above them.
	Reserved int
	// AfterRead, when set, is called after the helper call of every
	// Load, its result in R0, to check it (-kk); it must keep R0.
	AfterRead func(fn asm.BuiltinFunc)
	// AnySpace makes a Load of memory not marked User call the legacy
	// bpf_probe_read, which reads a user or a kernel address, instead of
	// bpf_probe_read_kernel: for programs whose pointers belong to no
	// address space.
	AnySpace bool
}

// New returns a Builder with its Exit label made (not placed).
func New() *Builder {
	g := &Builder{next: vbase, cache: map[string]asm.Register{}}
	g.Exit = g.Label()
	return g
}

// ReadHelper is the helper that reads memory (str: a NUL-terminated
// string) of user space (user), of the kernel, or with AnySpace of
// either.
func (g *Builder) ReadHelper(user, str bool) asm.BuiltinFunc {
	switch {
	case user && str:
		return asm.FnProbeReadUserStr
	case user:
		return asm.FnProbeReadUser
	case g.AnySpace && str:
		return asm.FnProbeReadStr
	case g.AnySpace:
		return asm.FnProbeRead
	case str:
		return asm.FnProbeReadKernelStr
	}
	return asm.FnProbeReadKernel
}

// Reg returns a fresh virtual register.
func (g *Builder) Reg() asm.Register {
	if int(g.next-vbase) >= maxVregs {
		panic(ErrTooComplex)
	}
	r := g.next
	g.next++
	return r
}

// The limits of a program's size. Errors about them have no single
// source position; callers test for them with errors.Is.
var (
	// ErrTooComplex is for a program that needs more virtual registers
	// than an asm.Register numbers; Reg panics with it.
	ErrTooComplex = fmt.Errorf("expression too complex: more than %d values", maxVregs)
	// ErrStackFull is for a program whose spilled values do not fit in
	// the 512 bytes of BPF stack.
	ErrStackFull = errors.New("program needs more than 512 bytes of stack")
	// ErrTooLarge is for a jump farther than a BPF jump's 16-bit offset.
	ErrTooLarge = errors.New("program too large")
)

// Emit appends instructions, with Src as their source comment.
func (g *Builder) Emit(ins ...asm.Instruction) {
	for _, i := range ins {
		g.code = append(g.code, vins{ins: i, src: g.Src})
	}
}

// Jump emits a Jump to label l.
func (g *Builder) Jump(ins asm.Instruction, l int) {
	g.code = append(g.code, vins{ins: ins, target: l, src: g.Src})
}

// Scope starts a region of code that may not run (a branch, a loop body):
// values it computes are forgotten when the returned function is called.
func (g *Builder) Scope() (end func()) {
	saved := g.cache
	g.cache = make(map[string]asm.Register, len(saved))
	for k, v := range saved {
		g.cache[k] = v
	}
	return func() { g.cache = saved }
}

// Label returns a new label, to Place once and Jump to.
func (g *Builder) Label() int {
	g.labels++
	return g.labels
}

// Place puts label l at the current position.
func (g *Builder) Place(l int) { g.code = append(g.code, vins{label: l}) }

// Call emits a helper Call; arguments must already be in r1..r5.
func (g *Builder) Call(fn asm.BuiltinFunc) { g.Emit(fn.Call()) }

// StackAddr sets machine register r to r10+off.
func (g *Builder) StackAddr(r asm.Register, off int32) {
	g.Emit(asm.Mov.Reg(r, asm.R10), asm.Add.Imm(r, off))
}

// MapPtr loads the address of map name into r.
func (g *Builder) MapPtr(r asm.Register, name string) {
	g.Emit(asm.LoadMapPtr(r, 0).WithReference(name))
}

// FirstValue sets r to the address of entry 0 of array map name (a
// per-CPU scratch value); the program exits where the lookup fails.
func (g *Builder) FirstValue(r asm.Register, name string) {
	g.Emit(asm.StoreImm(asm.R10, StackKey, 0, asm.Word))
	g.MapPtr(asm.R1, name)
	g.StackAddr(asm.R2, StackKey)
	g.Call(asm.FnMapLookupElem)
	g.Jump(asm.JEq.Imm(asm.R0, 0, ""), g.Exit)
	g.Emit(asm.Mov.Reg(r, asm.R0))
}

// Imm sets r to v.
func (g *Builder) Imm(r asm.Register, v uint64) {
	if int64(v) >= math.MinInt32 && int64(v) <= math.MaxInt32 {
		g.Emit(asm.Mov.Imm(r, int32(v)))
		return
	}
	g.Emit(asm.LoadImm(r, int64(v), asm.DWord))
}

// Val returns a register holding n, computing it on first use.
func (g *Builder) Val(n Node) asm.Register {
	if r, ok := g.cache[n.Key()]; ok {
		return r
	}
	r := g.compute(n)
	g.cache[n.Key()] = r
	return r
}

func (g *Builder) compute(n Node) asm.Register {
	switch n := n.(type) {
	case *Const:
		r := g.Reg()
		g.Imm(r, n.V)
		return r
	case *Sym:
		r := g.Reg()
		g.Imm(r, n.Addr)
		return r
	case *CtxLoad:
		r := g.Reg()
		g.Emit(asm.LoadMem(r, g.Ctx, int16(n.Off), SizeOp(n.Size)))
		return r
	case *CtxAddr:
		r := g.Reg()
		if k, ok := ConstOf(n.Off); ok {
			g.Emit(asm.Mov.Reg(r, g.Ctx), asm.Add.Imm(r, int32(k)))
			return r
		}
		off := g.Val(n.Off)
		g.Emit(asm.Mov.Reg(r, g.Ctx), asm.Add.Reg(r, off))
		return r
	case *Load:
		src := g.Val(n.Addr)
		g.StackAddr(asm.R1, StackTemp)
		g.Emit(asm.Mov.Imm(asm.R2, int32(n.Size)), asm.Mov.Reg(asm.R3, src))
		fn := g.ReadHelper(n.User, false)
		g.Call(fn)
		if g.AfterRead != nil {
			g.AfterRead(fn)
		}
		r := g.Reg()
		g.Emit(asm.LoadMem(r, asm.R10, StackTemp, SizeOp(n.Size)))
		return r
	case *Binary:
		return g.binary(n)
	case *InReg:
		return n.R
	case *Helper:
		g.Call(n.Fn)
		r := g.Reg()
		g.Emit(asm.Mov.Reg(r, asm.R0))
		return r
	case *L3Len:
		return g.l3len(n)
	case *StackID:
		g.Emit(asm.Mov.Reg(asm.R1, g.Ctx))
		g.MapPtr(asm.R2, spec.StackMap(n.Depth))
		flags := int32(0)
		if n.User {
			flags = userStack
		}
		g.Emit(asm.Mov.Imm(asm.R3, flags))
		g.Call(asm.FnGetStackid)
		r := g.Reg()
		g.Emit(asm.Mov.Reg(r, asm.R0))
		tag := uint64(n.Depth) << spec.StackDepthShift
		if n.Perf {
			tag |= spec.StackPerf
		}
		if tag != 0 || n.User {
			failed := g.Label()
			g.Jump(asm.JSLT.Imm(r, 0, ""), failed)
			if tag != 0 {
				t := g.Reg()
				g.Imm(t, tag)
				g.Emit(asm.Or.Reg(r, t))
			}
			if n.User {
				g.Call(asm.FnGetCurrentPidTgid)
				g.Emit(asm.RSh.Imm(asm.R0, 32), asm.LSh.Imm(asm.R0, spec.StackPIDShift), asm.Or.Reg(r, asm.R0))
			}
			g.Place(failed)
		}
		return r
	case *Swap:
		x := g.Val(n.X)
		r := g.Reg()
		g.Emit(asm.Mov.Reg(r, x), asm.HostTo(asm.BE, r, SizeOp(n.Size)))
		return r
	}
	panic(fmt.Errorf("internal error: cannot generate %T", n))
}

// binary computes x op y into a new register.
func (g *Builder) binary(n *Binary) asm.Register {
	x := g.Val(n.X)
	k, isConst := ConstOf(n.Y)
	fitsImm := isConst && int64(k) >= math.MinInt32 && int64(k) <= math.MaxInt32
	var y asm.Register
	if !fitsImm {
		y = g.Val(n.Y)
	}
	r := g.Reg()
	g.Emit(asm.Mov.Reg(r, x))
	if fitsImm {
		g.Emit(n.Op.Imm(r, int32(k)))
	} else {
		g.Emit(n.Op.Reg(r, y))
	}
	return r
}

// l3len computes 40 for IPv6 and ihl*4 otherwise from the first byte.
func (g *Builder) l3len(n *L3Len) asm.Register {
	b := g.Val(n.B)
	ver, r := g.Reg(), g.Reg()
	done := g.Label()
	g.Emit(asm.Mov.Reg(ver, b), asm.RSh.Imm(ver, 4))
	g.Emit(asm.Mov.Reg(r, b), asm.And.Imm(r, 0xf), asm.LSh.Imm(r, 2))
	g.Jump(asm.JNE.Imm(ver, 6, ""), done)
	g.Emit(asm.Mov.Imm(r, 40))
	g.Place(done)
	return r
}

// SizeOp maps a byte count to a load/store size.
func SizeOp(n int) asm.Size {
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

// Mark returns the position of the next instruction, for InsertAt.
func (g *Builder) Mark() int { return len(g.code) }

// InsertAt runs emit and moves the code it emits to position mark.
func (g *Builder) InsertAt(mark int, emit func()) {
	saved := g.code
	g.code = nil
	emit()
	ins := g.code
	g.code = append(append(append([]vins(nil), saved[:mark]...), ins...), saved[mark:]...)
}

// Save returns a function that restores the code emitted so far, for a
// caller that tries one layout (Finish) and, failing, another.
func (g *Builder) Save() (restore func()) {
	saved := append([]vins(nil), g.code...)
	return func() { g.code = append([]vins(nil), saved...) }
}

// DropUnreachable removes the code no path from the entry reaches (see
// dropUnreachable).
func (g *Builder) DropUnreachable() { g.code = dropUnreachable(g.code) }

// Finish optimizes the code (see optimize), allocates the virtual
// registers, spilling to stack slots from firstSlot downwards, and returns
// the program's instructions.
func (g *Builder) Finish(firstSlot int) (asm.Instructions, error) {
	g.code = optimize(g.code)
	loc, err := allocate(liveIntervals(g.code), firstSlot, StackLimit+g.Reserved)
	if err != nil {
		return nil, err
	}
	return lower(g.code, loc)
}
