package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// Node is an integer computed into a BPF register: the typed checker's
// output and the code generator's input. Two nodes with the same key compute
// the same value, so the generator computes each key once per probe; this is
// how a probe never reads the same kernel memory twice.
type Node interface {
	Key() string
}

// Const is a constant.
type Const struct{ V uint64 }

// Sym is the address of a kernel global: to BPF code the constant Addr.
// Name is the symbol it was written as ("" for a bare address), for a
// backend that fetches globals by name (kprobe_events' @SYM); it is not
// folded into arithmetic as a Const is, so that backend still sees it.
type Sym struct {
	Name string
	Addr uint64
}

// CtxLoad loads size bytes at off from the program's context (pt_regs or the
// tracepoint record), zero-extended.
type CtxLoad struct{ Off, Size int }

// CtxAddr is the context pointer plus off, for addresses inside the
// tracepoint record.
type CtxAddr struct{ Off Node }

// Load reads size (1, 2, 4 or 8) bytes of kernel memory at addr with
// bpf_probe_read_kernel, zero-extended.
type Load struct {
	Addr Node
	Size int
	User bool // addr is in user memory: bpf_probe_read_user
}

// Binary is x op y in 64-bit arithmetic. op is an asm.ALUOp; ArSh is the
// arithmetic (sign-filling) shift.
type Binary struct {
	Op   asm.ALUOp
	X, Y Node
}

// Helper is the result of a helper taking no arguments.
type Helper struct{ Fn asm.BuiltinFunc }

// L3Len is the length of the IPv4 or IPv6 header whose first byte is b:
// 40 when the version nibble is 6, ihl*4 otherwise.
type L3Len struct{ B Node }

// StackID is bpf_get_stackid(ctx, stacks, 0).
// depth > 0 uses StackMap(depth) and tags the id with it; perf tags
// kstack(perf) (see RenderStackID); User takes the user stack
// (BPF_F_USER_STACK) and tags the id with the process (StackPIDShift).
type StackID struct {
	Depth int
	Perf  bool
	User  bool
}

// InReg is a value a script statement already computed into virtual
// register r (a variable read, a map lookup, a helper with side effects):
// it joins node trees without being recomputed.
type InReg struct{ R asm.Register }

// Key implements Node: the text of the computation, equal for equal ones.
func (n *Const) Key() string   { return fmt.Sprintf("%#x", n.V) }
func (n *Sym) Key() string     { return fmt.Sprintf("@%s=%#x", n.Name, n.Addr) }
func (n *CtxLoad) Key() string { return fmt.Sprintf("ctx[%d:%d]", n.Off, n.Size) }
func (n *CtxAddr) Key() string { return fmt.Sprintf("&ctx[%s]", n.Off.Key()) }
func (n *Load) Key() string {
	if n.User {
		return fmt.Sprintf("*user(%s:%d)", n.Addr.Key(), n.Size)
	}
	return fmt.Sprintf("*(%s:%d)", n.Addr.Key(), n.Size)
}
func (n *Binary) Key() string  { return fmt.Sprintf("(%s %v %s)", n.X.Key(), n.Op, n.Y.Key()) }
func (n *Helper) Key() string  { return n.Fn.String() + "()" }
func (n *L3Len) Key() string   { return fmt.Sprintf("l3len(%s)", n.B.Key()) }
func (n *StackID) Key() string { return fmt.Sprintf("stackid(%d,%v,%v)", n.Depth, n.Perf, n.User) }
func (n *InReg) Key() string   { return fmt.Sprintf("vreg%d", n.R) }

// ConstOf returns n's value when n is a Const.
func ConstOf(n Node) (uint64, bool) {
	c, ok := n.(*Const)
	if !ok {
		return 0, false
	}
	return c.V, true
}

// Bin builds x op y, folding constants and chains of constant additions.
func Bin(op asm.ALUOp, x, y Node) Node {
	cx, xok := ConstOf(x)
	cy, yok := ConstOf(y)
	if xok && yok {
		if v, ok := foldALU(op, cx, cy); ok {
			return &Const{v}
		}
	}
	if yok && cy == 0 && (op == asm.Add || op == asm.Sub || op == asm.Or || op == asm.LSh || op == asm.RSh) {
		return x
	}
	if op == asm.Add && xok && !yok {
		return Bin(op, y, x)
	}
	if op == asm.Add && yok {
		if b, ok := x.(*Binary); ok && b.Op == asm.Add {
			if inner, ok := ConstOf(b.Y); ok {
				return Bin(asm.Add, b.X, &Const{inner + cy})
			}
		}
	}
	return &Binary{Op: op, X: x, Y: y}
}

// Add is x + c.
func Add(x Node, c int64) Node { return Bin(asm.Add, x, &Const{uint64(c)}) }

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

// Truncate keeps the low size bytes of n, sign-extending when signed.
func Truncate(n Node, size int, signed bool) Node {
	if size >= 8 || FitsUnsigned(n, size) && !signed {
		return n
	}
	shift := &Const{uint64(64 - 8*size)}
	if signed {
		return Bin(asm.ArSh, Bin(asm.LSh, n, shift), shift)
	}
	return Bin(asm.And, n, &Const{1<<(8*size) - 1})
}

// Swap reverses the low size bytes of x (network to host order).
type Swap struct {
	X    Node
	Size int
}

func (n *Swap) Key() string { return fmt.Sprintf("swap%d(%s)", 8*n.Size, n.X.Key()) }

// FitsUnsigned reports whether n is already zero-extended from at most size
// bytes: a narrow load, or a mask within size.
func FitsUnsigned(n Node, size int) bool {
	switch n := n.(type) {
	case *Load:
		return n.Size <= size
	case *CtxLoad:
		return n.Size <= size
	case *Swap:
		return n.Size <= size
	case *Binary:
		if k, ok := ConstOf(n.Y); ok && n.Op == asm.And {
			return size >= 8 || k < 1<<(8*size)
		}
	}
	return false
}

// userStack is BPF_F_USER_STACK, bpf_get_stackid's flag for the user
// stack.
const userStack = 1 << 8
