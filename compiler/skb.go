package compiler

import (
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"

	"github.com/surftrace/surftrace/lang"
)

// skbHeaders are the headers an skb cast may name, with their layer.
var skbHeaders = map[string]int{
	"ethhdr": 2,
	"iphdr":  3, "ipv6hdr": 3, "arphdr": 3,
	"icmphdr": 4, "tcphdr": 4, "udphdr": 4,
}

// layerHeaderField is the sk_buff field holding a layer's offset from head.
var layerHeaderField = map[int]string{2: "mac_header", 3: "network_header", 4: "transport_header"}

// skbHdr is a packet header located by an skb cast.
type skbHdr struct {
	name string // "iphdr"
	st   *btf.Struct
	base codegen.Node // the header's address
	end  codegen.Node // skb->head + skb->tail, the end of the linear data; nil if unknown
}

// skbTyper types the operands of an skb cast: expression lines and
// scripts each bring their own.
type skbTyper struct {
	ki       *kinfo
	expr     func(lang.Expr) *value
	constant func(lang.Expr) int64
}

func (c *lineChecker) skbCast(e *lang.SkbCast) *value {
	return skbTyper{ki: c.ki, expr: c.expr, constant: c.constant}.skbCast(e)
}

// skbOperand splits an skb cast's operand X into its innermost value and
// the member chain the parser bound around it (outermost first), so the
// cast can apply to the sk_buff and the chain to the header.
func skbOperand(e *lang.SkbCast) (inner lang.Expr, chain []lang.Expr) {
	inner = e.X
	for {
		switch x := inner.(type) {
		case *lang.Member:
			if id, ok := x.X.(*lang.Ident); ok && id.Name == "args" {
				return inner, chain // a script's args->field is one operand
			}
			chain, inner = append(chain, x), x.X
		case *lang.Index:
			chain, inner = append(chain, x), x.X
		default:
			return inner, chain
		}
	}
}

// skbCast types @(struct T *)lN X. The cast applies to the sk_buff: when
// the parser bound a member chain inside X (X = skb->m...), the chain is
// re-applied to the header pointer.
func (c skbTyper) skbCast(e *lang.SkbCast) *value {
	inner, chain := skbOperand(e)
	skb := c.expr(inner)
	// Walk outwards until the value is an sk_buff pointer or an address.
	for !skbLike(skb.t) && len(chain) > 0 {
		skb = c.apply(skb, chain[len(chain)-1])
		chain = chain[:len(chain)-1]
	}
	v := c.header(e, skb)
	for i := len(chain) - 1; i >= 0; i-- {
		v = c.apply(v, chain[i])
	}
	return v
}

// apply applies one member or index step to v.
func (c *lineChecker) apply(v *value, step lang.Expr) *value {
	return skbTyper{ki: c.ki, expr: c.expr, constant: c.constant}.apply(v, step)
}

func (c skbTyper) apply(v *value, step lang.Expr) *value {
	if m, ok := step.(*lang.Member); ok {
		return member(c.ki, v, m.Name, m.Arrow, m)
	}
	ix := step.(*lang.Index)
	return index(v, c.constant(ix.I), ix)
}

// skbLike reports whether t can be the sk_buff an skb cast reads: a
// struct sk_buff *, an untyped pointer (void *, as tracepoints record
// skbaddr), a 64-bit integer (a register), or a struct sk_buff ** (since
// 6.18 __netif_receive_skb_core takes one), which the cast dereferences.
func skbLike(t btf.Type) bool {
	if skbPtrPtr(t) {
		return true
	}
	switch u := under(t).(type) {
	case *btf.Pointer:
		switch tgt := under(u.Target).(type) {
		case *btf.Void:
			return true
		case *btf.Struct:
			return tgt.Name == "sk_buff"
		}
	case *btf.Int:
		return u.Size == 8
	}
	return false
}

// skbPtrPtr reports whether t is struct sk_buff ** (the argument of
// __netif_receive_skb_core on recent kernels).
func skbPtrPtr(t btf.Type) bool {
	p, ok := under(t).(*btf.Pointer)
	if !ok {
		return false
	}
	pp, ok := under(p.Target).(*btf.Pointer)
	if !ok {
		return false
	}
	s, ok := under(pp.Target).(*btf.Struct)
	return ok && s.Name == "sk_buff"
}

// header computes the address of header T for the skb value.
func (c skbTyper) header(e *lang.SkbCast, skb *value) *value {
	failUntyped(skb, e.X)
	if !skbLike(skb.t) {
		fail(e.X, "an skb cast reads a struct sk_buff *, not %s", kernel.CType(skb.t))
	}
	if e.Type.Ptr != 1 || (e.Type.Tag != "struct" && e.Type.Tag != "") {
		fail(e.Type, "an skb cast names a header struct pointer, e.g. (struct iphdr *)")
	}
	want, ok := skbHeaders[e.Type.Name]
	if !ok {
		failHint(e.Type, lang.DidYouMean(e.Type.Name, keys(skbHeaders)),
			"struct %s is not a packet header (ethhdr, iphdr, ipv6hdr, arphdr, icmphdr, tcphdr, udphdr)", e.Type.Name)
	}
	st := c.structType(e.Type, e.Type.Name)
	skbT := c.structType(e, "sk_buff")
	skbPtr := rvalue(skb, e.X)
	if skbPtrPtr(skb.t) {
		skbPtr = &codegen.Load{Addr: skbPtr, Size: 8}
	}
	layer := e.Layer
	if layer == 0 {
		layer = 3
	}
	var base codegen.Node
	switch {
	case layer == -1:
		head := c.skbLoad(e, skbT, skbPtr, "head", 8)
		base = codegen.Bin(asm.Add, head, c.skbLoad(e, skbT, skbPtr, layerHeaderField[want], 2))
	case want < layer:
		fail(e, "struct %s is layer %d, below l%d where skb->data points here", e.Type.Name, want, layer)
	default:
		base = c.skbLoad(e, skbT, skbPtr, "data", 8)
		for l := layer; l < want; l++ {
			base = codegen.Bin(asm.Add, base, layerLen(l, base))
		}
	}
	return &value{t: &btf.Pointer{Target: st}, n: base, hdr: &skbHdr{name: e.Type.Name, st: st, base: base, end: linearEnd(skbT, skbPtr)}}
}

// linearEnd is skb->head + skb->tail (tail is an offset from head on
// 64-bit kernels), where the packet bytes an Sdata string may read end:
// the payload carries no NUL of its own. Nil when sk_buff has no 4-byte
// tail.
func linearEnd(skbT *btf.Struct, skb codegen.Node) codegen.Node {
	head, headOff, ok := findMember(skbT.Members, "head", 0)
	tail, tailOff, ok2 := findMember(skbT.Members, "tail", 0)
	if !ok || !ok2 || sizeof(head.Type) != 8 || sizeof(tail.Type) != 4 {
		return nil
	}
	return codegen.Bin(asm.Add, &codegen.Load{Addr: codegen.Add(skb, int64(headOff/8)), Size: 8}, &codegen.Load{Addr: codegen.Add(skb, int64(tailOff/8)), Size: 4})
}

// layerLen is the length of the header at base of layer l: Ethernet
// without VLAN tags, or IPv4 (ihl*4) / IPv6 (40) decided by the version.
func layerLen(l int, base codegen.Node) codegen.Node {
	if l == 2 {
		return &codegen.Const{V: 14}
	}
	return &codegen.L3Len{B: &codegen.Load{Addr: base, Size: 1}}
}

// structType finds struct name in BTF.
func (c skbTyper) structType(at lang.Node, name string) *btf.Struct {
	t, err := lookupNamed(c.ki.vmlinux(), "struct", name)
	if err != nil {
		fail(at, "%v", err)
	}
	return t.(*btf.Struct)
}

// skbLoad reads field name of the sk_buff at skb.
func (c skbTyper) skbLoad(at lang.Node, st *btf.Struct, skb codegen.Node, name string, size int) codegen.Node {
	m, off, ok := findMember(st.Members, name, 0)
	if !ok || sizeof(m.Type) != size {
		fail(at, "struct sk_buff has no %d-byte member %s in this kernel", size, name)
	}
	return &codegen.Load{Addr: codegen.Add(skb, int64(off/8)), Size: size}
}

// xdataElems are the pseudo-arrays after a header and their element types.
var xdataElems = map[string]string{"cdata": "u8", "sdata": "u16", "ldata": "u32", "qdata": "u64", "Sdata": "char"}

// xdata types the pseudo-member name (cdata, sdata, ldata, qdata, Sdata)
// of the bytes following the header, or returns nil for other names.
func (h *skbHdr) xdata(name string) *value {
	elem, ok := xdataElems[name]
	if !ok {
		return nil
	}
	if _, _, real := findMember(h.st.Members, name, 0); real {
		return nil
	}
	t := &btf.Array{Type: cIntegers[elem], Nelems: 0}
	v := &value{t: t, addr: codegen.Bin(asm.Add, h.base, h.length()), str: name == "Sdata"}
	if v.str {
		v.end = h.end
	}
	return v
}

// length is the header's length: computed from the packet where the header
// says it (ihl, doff), its size otherwise.
func (h *skbHdr) length() codegen.Node {
	switch h.name {
	case "iphdr":
		b := &codegen.Load{Addr: h.base, Size: 1}
		return codegen.Bin(asm.LSh, codegen.Bin(asm.And, b, &codegen.Const{V: 0xf}), &codegen.Const{V: 2})
	case "tcphdr":
		b := &codegen.Load{Addr: codegen.Add(h.base, 12), Size: 1}
		return codegen.Bin(asm.LSh, codegen.Bin(asm.RSh, b, &codegen.Const{V: 4}), &codegen.Const{V: 2})
	}
	return &codegen.Const{V: uint64(h.st.Size)}
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// structType on a lineChecker, for callers typing lines.
func (c *lineChecker) structType(at lang.Node, name string) *btf.Struct {
	return skbTyper{ki: c.ki}.structType(at, name)
}
