package compiler

import (
	"fmt"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
)

// value is a typed expression. A scalar has n, or lives in memory at addr
// and is loaded on use; an aggregate (struct, union, array) has only addr.
type value struct {
	t    btf.Type
	n    codegen.Node
	addr codegen.Node // kernel (or tracepoint record) address of the value
	// bitOff and bitSize locate a bitfield within the bytes at addr.
	bitOff, bitSize int
	comm            bool         // $comm: the record header's comm
	hdr             *skbHdr      // the header pointer an skb cast yields
	str             bool         // Sdata[i]: a string starting at addr
	end             codegen.Node // Sdata[i]: where the packet ends; the string stops there
	user            bool         // addr is in user memory (reached through a user pointer)
	// noProto is set on %N of a function BTF has no prototype for: its
	// type is unknown, so looking through it needs an explicit cast.
	noProto *untypedArg
}

// untypedArg is argument N of function Fn, which has no BTF prototype,
// or when Global is set, a kernel global ("@name") BTF does not describe.
type untypedArg struct {
	Fn     string
	N      int
	Global string
}

// failUntyped stops with an error when v is an argument of unknown type
// that the user tried to look through.
func failUntyped(v *value, at lang.Node) {
	if a := v.noProto; a != nil && a.Global != "" {
		failHint(at, fmt.Sprintf("cast it to the type it holds, e.g. !(struct NAME *)%s", a.Global),
			"%s has no known type: the kernel's BTF does not describe this global", a.Global)
	}
	if a := v.noProto; a != nil {
		failHint(at, fmt.Sprintf("cast it to its real type, e.g. !(struct sk_buff *)%%%d", a.N),
			"%%%d has no known type: function %s has no BTF prototype", a.N, a.Fn)
	}
}

// fail stops checking with a positioned error; Compile recovers it.
func fail(n lang.Node, format string, args ...any) {
	panic(lang.Errorf(n.Extent(), format, args...))
}

// failHint is fail with a did-you-mean hint.
func failHint(n lang.Node, hint, format string, args ...any) {
	panic(lang.Errorf(n.Extent(), format, args...).WithHint(hint))
}

// isString reports whether v is shown as text.
func (v *value) isString() bool {
	return v.comm || v.str || isCharArray(v.t) || isCharPtr(v.t)
}

// rvalue returns the node computing scalar v, loading it when in memory.
func rvalue(v *value, at lang.Node) codegen.Node {
	if v.n != nil {
		return v.n
	}
	if v.addr == nil || !isScalar(v.t) {
		fail(at, "%s is not a number or pointer", kernel.CType(v.t))
	}
	size := sizeof(v.t)
	if v.bitSize > 0 {
		return bitfield(v, at)
	}
	if !validSize(size) {
		fail(at, "cannot load %s of %d bytes", kernel.CType(v.t), size)
	}
	return codegen.Truncate(&codegen.Load{Addr: v.addr, Size: size, User: v.user}, size, isSigned(v.t))
}

// bitfield extracts v's bits: load the bytes covering them, shift, mask.
func bitfield(v *value, at lang.Node) codegen.Node {
	first, last := v.bitOff/8, (v.bitOff+v.bitSize-1)/8
	size := 1
	for size < last-first+1 {
		size *= 2
	}
	if size > 8 {
		fail(at, "bitfield spans more than 8 bytes")
	}
	raw := codegen.Node(&codegen.Load{Addr: codegen.Add(v.addr, int64(first)), Size: size, User: v.user})
	shift := v.bitOff - 8*first
	// Zero-extended also when the type is signed, as bpftrace reads bit
	// fields ("short b:8" holding 0xd9 is 217).
	return codegen.Bin(asm.And, codegen.Bin(asm.RSh, raw, &codegen.Const{V: uint64(shift)}), &codegen.Const{V: 1<<v.bitSize - 1})
}

func validSize(n int) bool { return n == 1 || n == 2 || n == 4 || n == 8 }
