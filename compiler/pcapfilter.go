package compiler

import (
	"encoding/binary"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/pcapfilter"
)

// Ethertypes and IP protocol numbers the primitives test.
const (
	etherIP   = 0x0800
	etherARP  = 0x0806
	etherRARP = 0x8035
	etherIP6  = 0x86dd
	protoTCP  = 6
	protoUDP  = 17
	protoSCTP = 132
	protoFrag = 44 // the IPv6 fragment header
)

// pcapLower turns one filter lang/pcapfilter parsed into a pcond (see
// pcapfilter_cond.go) reading the packet of the sk_buff at skb.
type pcapLower struct {
	skbT *btf.Struct
	skb  codegen.Node
	at   lang.Node
	nh   codegen.Node // the network header's address
	// vlan counts the vlan primitives met so far: as in libpcap, each
	// moves every later read 4 bytes on, past the tag.
	vlan int
}

func newPcapLower(skbT *btf.Struct, skb codegen.Node, at lang.Node) *pcapLower {
	p := &pcapLower{skbT: skbT, skb: skb, at: at}
	p.nh = codegen.Bin(asm.Add, p.field("head", 8), p.field("network_header", 2))
	return p
}

func (p *pcapLower) field(name string, size int) codegen.Node {
	return skbTyper{}.skbLoad(p.at, p.skbT, p.skb, name, size)
}

// l3 is the address of the (innermost) network header.
func (p *pcapLower) l3() codegen.Node { return codegen.Add(p.nh, int64(4*p.vlan)) }

// etherType is the packet's ethertype in host order: skb->protocol, or the
// one after the last VLAN tag passed.
func (p *pcapLower) etherType() codegen.Node {
	if p.vlan == 0 {
		return &codegen.Swap{X: p.field("protocol", 2), Size: 2}
	}
	return beLoad(codegen.Add(p.nh, int64(4*(p.vlan-1)+2)), 2)
}

// beLoad reads size bytes at addr as a big-endian number.
func beLoad(addr codegen.Node, size int) codegen.Node {
	n := codegen.Node(&codegen.Load{Addr: addr, Size: size})
	if size > 1 {
		n = &codegen.Swap{X: n, Size: size}
	}
	return n
}

func (p *pcapLower) isEther(t uint64) pcond { return pcEq(p.etherType(), t) }

// ipProto is IPv4 with protocol n.
func (p *pcapLower) ipProto(n uint64) pcond {
	return pcAll(p.isEther(etherIP), pcEq(beLoad(codegen.Add(p.l3(), 9), 1), n))
}

// ip6Proto is IPv6 with next header n, directly or after a fragment
// header, as libpcap tests it; other extension headers are not walked.
func (p *pcapLower) ip6Proto(n uint64) pcond {
	nh := beLoad(codegen.Add(p.l3(), 6), 1)
	return pcAll(p.isEther(etherIP6), pcAny(pcEq(nh, n), pcAll(pcEq(nh, protoFrag), pcEq(beLoad(codegen.Add(p.l3(), 40), 1), n))))
}

// notFragment is true for an IPv4 packet that is the first or only fragment.
func (p *pcapLower) notFragment() pcond {
	return pcEq(codegen.Bin(asm.And, beLoad(codegen.Add(p.l3(), 6), 2), &codegen.Const{V: 0x1fff}), 0)
}

// ip4L4 is the address of IPv4's transport header: after ihl*4 bytes.
func (p *pcapLower) ip4L4() codegen.Node {
	ihl := codegen.Bin(asm.LSh, codegen.Bin(asm.And, beLoad(p.l3(), 1), &codegen.Const{V: 0xf}), &codegen.Const{V: 2})
	return codegen.Bin(asm.Add, p.l3(), ihl)
}

// length is the packet's length from the network header on, plus the
// 14 bytes of an Ethernet header: tcpdump's len on an Ethernet capture,
// wherever skb->data points at this hook.
func (p *pcapLower) length() codegen.Node {
	pulled := codegen.Bin(asm.Sub, p.nh, p.field("data", 8))
	return codegen.Add(codegen.Bin(asm.Sub, p.field("len", 4), pulled), 14)
}

// expr lowers a filter expression.
func (p *pcapLower) expr(x pcapfilter.Expr) pcond {
	switch x := x.(type) {
	case *pcapfilter.And:
		return pcAll(p.expr(x.X), p.expr(x.Y))
	case *pcapfilter.Or:
		return pcAny(p.expr(x.X), p.expr(x.Y))
	case *pcapfilter.Not:
		return pcNeg(p.expr(x.X))
	case *pcapfilter.Prim:
		return p.prim(x)
	case *pcapfilter.Rel:
		return p.rel(x)
	}
	fail(x, "internal error: filter node %T", x)
	return nil
}

// protoNumbers are the IP protocols a protocol qualifier alone tests.
var protoNumbers = map[string]uint64{"tcp": protoTCP, "udp": protoUDP, "sctp": protoSCTP, "icmp": 1, "icmp6": 58}

func (p *pcapLower) prim(x *pcapfilter.Prim) pcond {
	switch x.Kind {
	case "":
		switch x.Proto {
		case "ip":
			return p.isEther(etherIP)
		case "ip6":
			return p.isEther(etherIP6)
		case "arp":
			return p.isEther(etherARP)
		case "icmp":
			return p.ipProto(1)
		case "icmp6":
			return p.ip6Proto(58)
		}
		n := protoNumbers[x.Proto]
		return pcAny(p.ipProto(n), p.ip6Proto(n))
	case "proto":
		n := uint64(x.Lo)
		switch x.Proto {
		case "ip":
			return p.ipProto(n)
		case "ip6":
			return p.ip6Proto(n)
		}
		return pcAny(p.ipProto(n), p.ip6Proto(n))
	case "host", "net":
		return p.host(x)
	case "port", "portrange":
		return p.port(x)
	case "less":
		return &pcCmp{p.length(), asm.JLE, &codegen.Const{V: uint64(x.Lo)}}
	case "greater":
		return &pcCmp{p.length(), asm.JGE, &codegen.Const{V: uint64(x.Lo)}}
	case "vlan":
		et := p.etherType()
		c := pcAny(pcEq(et, 0x8100), pcEq(et, 0x88a8), pcEq(et, 0x9100))
		if x.Lo >= 0 {
			tci := beLoad(codegen.Add(p.nh, int64(4*p.vlan)), 2)
			c = pcAll(c, pcEq(codegen.Bin(asm.And, tci, &codegen.Const{V: 0xfff}), uint64(x.Lo)))
		}
		p.vlan++
		return c
	}
	fail(x, "internal error: primitive %q", x.Kind)
	return nil
}

// dir joins the source and destination tests as the direction asks.
func pcDir(d string, src, dst func() pcond) pcond {
	switch d {
	case "src":
		return src()
	case "dst":
		return dst()
	case "src and dst":
		return pcAll(src(), dst())
	}
	return pcAny(src(), dst())
}

// host lowers host and net: IPv4 in IP, ARP and RARP (unless a qualifier
// narrows it), IPv6 in IPv6.
func (p *pcapLower) host(x *pcapfilter.Prim) pcond {
	match := func(l3 codegen.Node, off int64) pcond {
		return p.addrMatch(codegen.Add(l3, off), x)
	}
	if x.Net.Addr().Is6() {
		return pcAll(p.isEther(etherIP6), pcDir(x.Dir, func() pcond { return match(p.l3(), 8) }, func() pcond { return match(p.l3(), 24) }))
	}
	ip := pcAll(p.isEther(etherIP), pcDir(x.Dir, func() pcond { return match(p.l3(), 12) }, func() pcond { return match(p.l3(), 16) }))
	arpAddrs := func() pcond {
		return pcDir(x.Dir, func() pcond { return match(p.l3(), 14) }, func() pcond { return match(p.l3(), 24) })
	}
	switch x.Proto {
	case "ip":
		return ip
	case "arp":
		return pcAll(p.isEther(etherARP), arpAddrs())
	}
	return pcAny(ip, pcAll(pcAny(p.isEther(etherARP), p.isEther(etherRARP)), arpAddrs()))
}

// addrMatch compares the address at addr, masked, with x's network, 32
// bits at a time.
func (p *pcapLower) addrMatch(addr codegen.Node, x *pcapfilter.Prim) pcond {
	want := x.Net.Addr().AsSlice()
	bits := x.Net.Bits()
	var cs []pcond
	for i := 0; i < len(want) && bits > 0; i += 4 {
		mask := uint64(0xffffffff)
		if bits < 32 {
			mask = 0xffffffff << (32 - bits) & 0xffffffff
		}
		bits -= 32
		v := beLoad(codegen.Add(addr, int64(i)), 4)
		if mask != 0xffffffff {
			v = codegen.Bin(asm.And, v, &codegen.Const{V: mask})
		}
		cs = append(cs, pcEq(v, uint64(binary.BigEndian.Uint32(want[i:]))&mask))
	}
	return pcAll(cs...)
}

// port lowers port and portrange: TCP, UDP and SCTP (or the one named),
// over IPv6 without extension headers, and over IPv4 in the first or only
// fragment.
func (p *pcapLower) port(x *pcapfilter.Prim) pcond {
	protos := []uint64{protoSCTP, protoTCP, protoUDP}
	if n, ok := protoNumbers[x.Proto]; ok {
		protos = []uint64{n}
	}
	match := func(l4 codegen.Node, off int64) pcond {
		v := beLoad(codegen.Add(l4, off), 2)
		if x.Lo == x.Hi {
			return pcEq(v, uint64(x.Lo))
		}
		return pcAll(&pcCmp{v, asm.JGE, &codegen.Const{V: uint64(x.Lo)}}, &pcCmp{v, asm.JLE, &codegen.Const{V: uint64(x.Hi)}})
	}
	ports := func(l4 codegen.Node) pcond {
		return pcDir(x.Dir, func() pcond { return match(l4, 0) }, func() pcond { return match(l4, 2) })
	}
	var six, four []pcond
	nh6, proto4 := beLoad(codegen.Add(p.l3(), 6), 1), beLoad(codegen.Add(p.l3(), 9), 1)
	for _, n := range protos {
		six = append(six, pcEq(nh6, n))
		four = append(four, pcEq(proto4, n))
	}
	return pcAny(
		pcAll(p.isEther(etherIP6), pcAny(six...), ports(codegen.Add(p.l3(), 40))),
		pcAll(p.isEther(etherIP), pcAny(four...), p.notFragment(), ports(p.ip4L4())))
}

// aluOps are the arithmetic operators of relations.
var aluOps = map[string]asm.ALUOp{
	"+": asm.Add, "-": asm.Sub, "*": asm.Mul, "/": asm.Div, "%": asm.Mod,
	"&": asm.And, "|": asm.Or, "^": asm.Xor, "<<": asm.LSh, ">>": asm.RSh,
}

// rel lowers a relation: true when every header it reads is present (as
// libpcap, also for !=) and the comparison holds.
func (p *pcapLower) rel(x *pcapfilter.Rel) pcond {
	var guards []pcond
	a := p.arith(x.X, &guards)
	b := p.arith(x.Y, &guards)
	return pcAll(append(guards, &pcCmp{a, unsignedJumps[x.Op], b})...)
}

// arith lowers arithmetic in 32 bits, as libpcap computes, appending the
// conditions its header reads need to guards.
func (p *pcapLower) arith(x pcapfilter.Arith, guards *[]pcond) codegen.Node {
	wrap := func(n codegen.Node) codegen.Node { return codegen.Bin(asm.And, n, &codegen.Const{V: 0xffffffff}) }
	switch x := x.(type) {
	case *pcapfilter.Num:
		return &codegen.Const{V: uint64(x.V)}
	case *pcapfilter.Len:
		return p.length()
	case *pcapfilter.Neg:
		return wrap(codegen.Bin(asm.Sub, &codegen.Const{V: 0}, p.arith(x.X, guards)))
	case *pcapfilter.Bin:
		n := codegen.Bin(aluOps[x.Op], p.arith(x.X, guards), p.arith(x.Y, guards))
		switch x.Op {
		case "+", "-", "*", "<<":
			n = wrap(n)
		}
		return n
	case *pcapfilter.Load:
		off := p.arith(x.Off, guards)
		var base codegen.Node
		switch x.Proto {
		case "ip":
			*guards = append(*guards, p.isEther(etherIP))
			base = p.l3()
		case "arp":
			*guards = append(*guards, p.isEther(etherARP))
			base = p.l3()
		default: // tcp, udp, icmp, sctp: over IPv4, as libpcap reads them
			*guards = append(*guards, p.ipProto(protoNumbers[x.Proto]), p.notFragment())
			base = p.ip4L4()
		}
		return beLoad(codegen.Bin(asm.Add, base, off), x.Size)
	}
	fail(x, "internal error: arithmetic node %T", x)
	return nil
}
