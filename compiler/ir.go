package compiler

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// node is an integer computed into a BPF register: the typed checker's
// output and the code generator's input. Two nodes with the same key compute
// the same value, so the generator computes each key once per probe; this is
// how a probe never reads the same kernel memory twice.
type node interface {
	key() string
}

// nConst is a constant.
type nConst struct{ v uint64 }

// nCtx loads size bytes at off from the program's context (pt_regs or the
// tracepoint record), zero-extended.
type nCtx struct{ off, size int }

// nCtxPtr is the context pointer plus off, for addresses inside the
// tracepoint record.
type nCtxPtr struct{ off node }

// nLoad reads size (1, 2, 4 or 8) bytes of kernel memory at addr with
// bpf_probe_read_kernel, zero-extended.
type nLoad struct {
	addr node
	size int
	user bool // addr is in user memory: bpf_probe_read_user
}

// nBin is x op y in 64-bit arithmetic. op is an asm.ALUOp; ArSh is the
// arithmetic (sign-filling) shift.
type nBin struct {
	op   asm.ALUOp
	x, y node
}

// nCall is the result of a helper taking no arguments.
type nCall struct{ fn asm.BuiltinFunc }

// nL3Len is the length of the IPv4 or IPv6 header whose first byte is b:
// 40 when the version nibble is 6, ihl*4 otherwise.
type nL3Len struct{ b node }

// nStackID is bpf_get_stackid(ctx, stacks, 0).
// depth > 0 uses StackMap(depth) and tags the id with it; perf tags
// kstack(perf) (see RenderStackID).
type nStackID struct {
	depth int
	perf  bool
}

// nReg is a value a script statement already computed into virtual
// register r (a variable read, a map lookup, a helper with side effects):
// it joins node trees without being recomputed.
type nReg struct{ r asm.Register }

func (n *nConst) key() string  { return fmt.Sprintf("%#x", n.v) }
func (n *nCtx) key() string    { return fmt.Sprintf("ctx[%d:%d]", n.off, n.size) }
func (n *nCtxPtr) key() string { return fmt.Sprintf("&ctx[%s]", n.off.key()) }
func (n *nLoad) key() string {
	if n.user {
		return fmt.Sprintf("*user(%s:%d)", n.addr.key(), n.size)
	}
	return fmt.Sprintf("*(%s:%d)", n.addr.key(), n.size)
}
func (n *nBin) key() string     { return fmt.Sprintf("(%s %v %s)", n.x.key(), n.op, n.y.key()) }
func (n *nCall) key() string    { return n.fn.String() + "()" }
func (n *nL3Len) key() string   { return fmt.Sprintf("l3len(%s)", n.b.key()) }
func (n *nStackID) key() string { return fmt.Sprintf("stackid(%d,%v)", n.depth, n.perf) }
func (n *nReg) key() string     { return fmt.Sprintf("vreg%d", n.r) }
func constOf(n node) (uint64, bool) {
	c, ok := n.(*nConst)
	if !ok {
		return 0, false
	}
	return c.v, true
}

// bin builds x op y, folding constants and chains of constant additions.
func bin(op asm.ALUOp, x, y node) node {
	cx, xok := constOf(x)
	cy, yok := constOf(y)
	if xok && yok {
		if v, ok := foldALU(op, cx, cy); ok {
			return &nConst{v}
		}
	}
	if yok && cy == 0 && (op == asm.Add || op == asm.Sub || op == asm.Or || op == asm.LSh || op == asm.RSh) {
		return x
	}
	if op == asm.Add && xok && !yok {
		return bin(op, y, x)
	}
	if op == asm.Add && yok {
		if b, ok := x.(*nBin); ok && b.op == asm.Add {
			if inner, ok := constOf(b.y); ok {
				return bin(asm.Add, b.x, &nConst{inner + cy})
			}
		}
	}
	return &nBin{op: op, x: x, y: y}
}

// add is x + c.
func add(x node, c int64) node { return bin(asm.Add, x, &nConst{uint64(c)}) }

// foldALU evaluates a op b as the BPF ALU64 would.
func foldALU(op asm.ALUOp, a, b uint64) (uint64, bool) {
	switch op {
	case asm.Add:
		return a + b, true
	case asm.Sub:
		return a - b, true
	case asm.Mul:
		return a * b, true
	case asm.Div:
		if b == 0 {
			return 0, true
		}
		return a / b, true
	case asm.Mod:
		if b == 0 {
			return a, true
		}
		return a % b, true
	case asm.And:
		return a & b, true
	case asm.Or:
		return a | b, true
	case asm.Xor:
		return a ^ b, true
	case asm.LSh:
		return a << (b & 63), true
	case asm.RSh:
		return a >> (b & 63), true
	case asm.ArSh:
		return uint64(int64(a) >> (b & 63)), true
	}
	return 0, false
}

// truncate keeps the low size bytes of n, sign-extending when signed.
func truncate(n node, size int, signed bool) node {
	if size >= 8 || fitsUnsigned(n, size) && !signed {
		return n
	}
	shift := &nConst{uint64(64 - 8*size)}
	if signed {
		return bin(asm.ArSh, bin(asm.LSh, n, shift), shift)
	}
	return bin(asm.And, n, &nConst{1<<(8*size) - 1})
}

// nSwap reverses the low size bytes of x (network to host order).
type nSwap struct {
	x    node
	size int
}

func (n *nSwap) key() string { return fmt.Sprintf("swap%d(%s)", 8*n.size, n.x.key()) }

// fitsUnsigned reports whether n is already zero-extended from at most size
// bytes: a narrow load, or a mask within size.
func fitsUnsigned(n node, size int) bool {
	switch n := n.(type) {
	case *nLoad:
		return n.size <= size
	case *nCtx:
		return n.size <= size
	case *nSwap:
		return n.size <= size
	case *nBin:
		if k, ok := constOf(n.y); ok && n.op == asm.And {
			return size >= 8 || k < 1<<(8*size)
		}
	}
	return false
}
