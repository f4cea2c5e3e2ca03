package compiler

import (
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
)

// captureHdr is the size of the fixed part of a captured packet.
const captureHdr = 16

// fieldPacket is the packet a capturing line copies (see Capture).
const fieldPacket fieldKind = 100

// nPacket carries what g.packet reads; it is never computed as a value.
type nPacket struct {
	skb, head, mac, network, data, len codegen.Node
	snap                               int
}

func (n *nPacket) Key() string { return "packet(" + n.skb.Key() + ")" }

// addCapture appends the packet field to lp when opts.Capture asks for it
// and the line has an skb: its first skb cast operand, else its first
// struct sk_buff * argument (p lines only), else the tracepoint's skbaddr
// field. A line without one captures nothing.
func addCapture(ki *kinfo, opts Options, p *lang.Probe, lp *lineProbe) {
	if opts.Capture <= 0 {
		return
	}
	// The line is already checked; an skb this kernel cannot read just
	// means no packet.
	defer catch(new(*lang.Error))
	c := &lineChecker{ki: ki, opts: opts, byName: map[string]*lineField{}}
	c.attach(p.Attach[0], &spec.Probe{})
	skb, at := c.captureSkb(p)
	if skb == nil {
		return
	}
	st, err := lookupNamed(ki.vmlinux(), "struct", "sk_buff")
	if err != nil {
		return
	}
	skbT := st.(*btf.Struct)
	snap := (min(opts.Capture, spec.MaxCapture) + 7) &^ 7
	n := &nPacket{skb: skb, snap: snap,
		head:    captureLoad(at, skbT, skb, "head", 8),
		mac:     captureLoad(at, skbT, skb, "mac_header", 2),
		network: captureLoad(at, skbT, skb, "network_header", 2),
		data:    captureLoad(at, skbT, skb, "data", 8),
		len:     captureLoad(at, skbT, skb, "len", 4),
	}
	f := &lineField{out: &spec.Field{Name: "$packet", Size: captureHdr + snap, Render: spec.RenderBytes}, kind: fieldPacket, n: n, at: at}
	lp.fields = append(lp.fields, f)
}

// captureSkb finds the node of the line's skb pointer, or nil.
func (c *lineChecker) captureSkb(p *lang.Probe) (codegen.Node, lang.Node) {
	trace := p.Body[0].(*lang.TraceStmt)
	for _, tf := range trace.Fields {
		if sc := findSkbCast(tf.Value); sc != nil {
			if skb := c.castOperand(sc); skb != nil {
				return skb, sc
			}
		}
	}
	// A kretprobe's argument registers are clobbered by the time it fires.
	if c.proto != nil && c.kind == spec.AttachKprobe {
		for i, param := range c.proto.Params {
			if ptr, ok := under(param.Type).(*btf.Pointer); ok {
				if st, ok := under(ptr.Target).(*btf.Struct); ok && st.Name == "sk_buff" {
					ref := &lang.ArgRef{Span: p.Attach[0].Span, N: i}
					return rvalue(c.expr(ref), ref), ref
				}
			}
		}
	}
	for _, f := range c.tp {
		if f.Name == "skbaddr" {
			id := &lang.Ident{Span: p.Attach[0].Span, Name: "skbaddr"}
			return rvalue(c.expr(id), id), id
		}
	}
	return nil, nil
}

// findSkbCast returns the skb cast a field value starts from, looking
// through member and index steps.
func findSkbCast(e lang.Expr) *lang.SkbCast {
	for {
		switch x := e.(type) {
		case *lang.SkbCast:
			return x
		case *lang.Member:
			e = x.X
		case *lang.Index:
			e = x.X
		default:
			return nil
		}
	}
}

// castOperand types the skb pointer an skb cast reads, as skbCast does.
func (c *lineChecker) castOperand(e *lang.SkbCast) codegen.Node {
	inner, chain := skbOperand(e)
	skb := c.expr(inner)
	for !skbLike(skb.t) && len(chain) > 0 {
		skb = c.apply(skb, chain[len(chain)-1])
		chain = chain[:len(chain)-1]
	}
	if !skbLike(skb.t) {
		return nil
	}
	n := rvalue(skb, e.X)
	if skbPtrPtr(skb.t) {
		n = &codegen.Load{Addr: n, Size: 8}
	}
	return n
}

// captureLoad reads member name of the sk_buff at skb.
func captureLoad(at lang.Node, st *btf.Struct, skb codegen.Node, name string, size int) codegen.Node {
	m, off, ok := findMember(st.Members, name, 0)
	if !ok || sizeof(m.Type) != size {
		fail(at, "struct sk_buff has no %d-byte member %s in this kernel", size, name)
	}
	return &codegen.Load{Addr: codegen.Add(skb, int64(off/8)), Size: size}
}

// captureEvent moves the packet field of lp out of ev.Fields into
// ev.Capture, so printers never show it as a value.
func captureEvent(lp *lineProbe, ev *spec.Event) {
	for i, f := range lp.fields {
		if f.kind == fieldPacket {
			ev.Capture = &spec.Capture{Offset: f.out.Offset, Snap: f.n.(*nPacket).snap}
			ev.Fields = append(ev.Fields[:i:i], ev.Fields[i+1:]...)
			return
		}
	}
}

// packet copies the packet behind the skb into the record (see Capture).
// Every node is computed before the first branch so that no register is
// defined on one path only.
func (g *lineGen) packet(f *lineField) {
	n := f.n.(*nPacket)
	base := int16(spec.HdrSize + f.out.Offset)
	head, mac, network := g.Val(n.head), g.Val(n.mac), g.Val(n.network)
	data, length := g.Val(n.data), g.Val(n.len)

	hasMac := g.Label()
	g.Emit(asm.StoreMem(g.buf, base+8, mac, asm.Half), asm.StoreImm(g.buf, base+10, spec.CaptureEthernet, asm.Byte))
	g.Jump(asm.JNE.Imm(mac, 0xffff, ""), hasMac)
	g.Emit(asm.StoreMem(g.buf, base+8, network, asm.Half), asm.StoreImm(g.buf, base+10, spec.CaptureIP, asm.Byte))
	g.Place(hasMac)

	off, start, total := g.Reg(), g.Reg(), g.Reg()
	g.Emit(asm.LoadMem(off, g.buf, base+8, asm.Half))
	g.Emit(asm.Mov.Reg(start, head), asm.Add.Reg(start, off))
	// total = len + (data - start): the bytes from the first header on.
	g.Emit(asm.Mov.Reg(total, length), asm.Add.Reg(total, data), asm.Sub.Reg(total, start))
	g.Emit(asm.StoreMem(g.buf, base, total, asm.Word), asm.StoreMem(g.buf, base+4, total, asm.Word))
	fits := g.Label()
	g.Jump(asm.JLE.Imm(total, int32(n.snap), ""), fits)
	g.Emit(asm.StoreImm(g.buf, base+4, int64(n.snap), asm.Word))
	g.Place(fits)

	// Reload the length so the verifier sees it bounded by snap.
	caplen := g.Reg()
	g.Emit(asm.LoadMem(caplen, g.buf, base+4, asm.Word))
	g.Jump(asm.JGT.Imm(caplen, int32(n.snap), ""), g.Exit)
	g.Emit(asm.Mov.Reg(asm.R1, g.buf), asm.Add.Imm(asm.R1, int32(base+captureHdr)))
	g.Emit(asm.Mov.Reg(asm.R2, caplen), asm.Mov.Reg(asm.R3, start))
	g.Call(asm.FnProbeReadKernel)
}
