package pcapfilter

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// prim parses a primitive: qualifiers, then the id they qualify. A bare
// id takes the qualifiers of the last primitive that named any, as in
// pcap-filter (`host 192.0.2.1 or 192.0.2.2`, `tcp port 80 or 443`).
func (p *parser) prim() Expr {
	start := p.peek()
	if start.kind != "word" {
		p.fail(start, "unexpected %s, want a primitive such as host, port or tcp", describe(start))
	}
	if unsupported[start.text] {
		p.fail(start, "%s is not supported: the filter reads packets from their network header on (no link-layer or capture primitives)", start.text)
	}
	switch start.text {
	case "less", "greater":
		p.next()
		n := p.number(p.next(), "a length", 1<<31-1)
		return &Prim{Span: p.span(start.off, p.toks[p.i-1].end), Kind: start.text, Lo: n}
	case "vlan":
		p.next()
		pr := &Prim{Kind: "vlan", Lo: -1}
		if t := p.peek(); t.kind == "word" {
			if _, err := parseNum(t.text); err == nil {
				pr.Lo = p.number(p.next(), "a VLAN id", 4095)
			}
		}
		pr.Span = p.span(start.off, p.toks[p.i-1].end)
		return pr
	}
	pr := &Prim{}
	explicit := false
	if oneOf(start.text, protoQuals) {
		pr.Proto, explicit = p.next().text, true
	}
	if t := p.peek(); is(t, "src", "dst") {
		p.next()
		pr.Dir, explicit = t.text, true
		if o, d := p.peek(), p.peekAt(1); is(o, "or", "and") && is(d, "src", "dst") && d.text != t.text {
			p.next()
			p.next()
			pr.Dir = "src " + o.text + " dst"
		}
	}
	if t := p.peek(); t.kind == "word" && oneOf(t.text, kinds) {
		pr.Kind, explicit = p.next().text, true
	}
	switch {
	case !explicit && p.last != nil:
		pr.Proto, pr.Dir, pr.Kind = p.last.Proto, p.last.Dir, p.last.Kind
	case pr.Proto != "" && pr.Dir == "" && pr.Kind == "":
		pr.Span = p.span(start.off, start.end)
		return pr // a protocol alone: tcp, ip6, arp
	case pr.Kind == "":
		pr.Kind = "host"
	}
	id := p.next()
	if id.kind != "word" || isKeyword(id.text) && pr.Kind != "proto" {
		p.fail(id, "unexpected %s, want the %s's %s", describe(id), pr.Kind, map[string]string{
			"host": "address", "net": "network", "port": "number", "portrange": "range", "proto": "protocol"}[pr.Kind])
	}
	p.value(pr, start, id)
	pr.Span = p.span(start.off, p.toks[p.i-1].end)
	q := *pr
	p.last = &q
	return pr
}

// value reads the id of primitive pr and checks it against the qualifiers.
func (p *parser) value(pr *Prim, start, id tok) {
	switch pr.Kind {
	case "host":
		a, err := netip.ParseAddr(id.text)
		if err != nil {
			p.failHint(id, lang.DidYouMean(id.text, keywords), "%s is not an IPv4 or IPv6 address (host names are not resolved)", describe(id))
		}
		pr.Net = netip.PrefixFrom(a, a.BitLen())
		p.checkFamily(pr, start, id)
	case "net":
		pr.Net = p.network(id)
		p.checkFamily(pr, start, id)
	case "port":
		pr.Lo = p.number(id, "a port", 65535)
		pr.Hi = pr.Lo
		p.checkPortProto(pr, start)
	case "portrange":
		lo, hi, ok := strings.Cut(id.text, "-")
		if !ok {
			p.fail(id, "a port range is LOW-HIGH, e.g. 1024-2048")
		}
		pr.Lo = p.number(tok{text: lo, off: id.off, end: id.off + len(lo)}, "a port", 65535)
		pr.Hi = p.number(tok{text: hi, off: id.off + len(lo) + 1, end: id.end}, "a port", 65535)
		if pr.Lo > pr.Hi {
			pr.Lo, pr.Hi = pr.Hi, pr.Lo
		}
		p.checkPortProto(pr, start)
	case "proto":
		if pr.Dir != "" || !oneOf(pr.Proto, []string{"", "ip", "ip6"}) {
			p.fail(start, "proto takes only ip or ip6 before it")
		}
		name := strings.TrimPrefix(id.text, `\`)
		if n, ok := ipProtos[name]; ok {
			pr.Lo = n
			return
		}
		if _, err := parseNum(name); err != nil {
			p.failHint(id, lang.DidYouMean(name, protoNames()), "unknown protocol %s", describe(id))
		}
		pr.Lo = p.number(id, "a protocol number", 255)
	}
}

func protoNames() []string {
	var out []string
	for k := range ipProtos {
		out = append(out, k)
	}
	return out
}

// checkFamily fails when the protocol qualifier does not fit the address.
func (p *parser) checkFamily(pr *Prim, start, id tok) {
	v4 := pr.Net.Addr().Is4()
	switch {
	case pr.Proto == "":
	case pr.Proto == "ip6" && v4, (pr.Proto == "ip" || pr.Proto == "arp") && !v4:
		p.fail(id, "%s is not an %s address", id.text, map[bool]string{true: "IPv6", false: "IPv4"}[pr.Proto == "ip6"])
	case pr.Proto != "ip" && pr.Proto != "ip6" && pr.Proto != "arp":
		p.fail(start, "'%s' does not qualify %s (ip, ip6 or arp do)", pr.Proto, pr.Kind)
	}
}

func (p *parser) checkPortProto(pr *Prim, start tok) {
	if !oneOf(pr.Proto, []string{"", "tcp", "udp", "sctp"}) {
		p.fail(start, "'%s' does not qualify %s (tcp, udp or sctp do)", pr.Proto, pr.Kind)
	}
}

// number reads a number no larger than limit.
func (p *parser) number(t tok, what string, limit int) int {
	v, err := parseNum(t.text)
	if err != nil || int(v) > limit {
		p.fail(t, "%s is not %s (0 to %d)", describe(t), what, limit)
	}
	return int(v)
}

// network reads a net's id: ADDR/LEN, ADDR mask MASK, an address (its
// full length) or 1 to 3 dotted IPv4 parts (192.0.2 is 192.0.2.0/24).
func (p *parser) network(id tok) netip.Prefix {
	text := id.text
	var pfx netip.Prefix
	if strings.Contains(text, "/") {
		a, l, _ := strings.Cut(text, "/")
		addr := p.addr(id, a)
		n, err := strconv.Atoi(l)
		if err != nil || n > addr.BitLen() {
			p.fail(id, "bad prefix length in %s", describe(id))
		}
		pfx = netip.PrefixFrom(addr, n)
	} else {
		addr, bits := p.shortAddr(id, text)
		pfx = netip.PrefixFrom(addr, bits)
		if is(p.peek(), "mask") {
			p.next()
			m := p.next()
			ones := maskLen(p.addr(m, m.text))
			if ones < 0 || p.addr(m, m.text).Is4() != addr.Is4() {
				p.fail(m, "%s is not a contiguous netmask of the same family", describe(m))
			}
			pfx = netip.PrefixFrom(addr, ones)
		}
	}
	if pfx.Masked().Addr() != pfx.Addr() {
		p.fail(id, "non-network bits set in %s", describe(id))
	}
	return pfx
}

func (p *parser) addr(t tok, s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil {
		p.fail(t, "%q is not an IPv4 or IPv6 address", s)
	}
	return a
}

// shortAddr reads an address, allowing 1 to 3 dotted IPv4 parts.
func (p *parser) shortAddr(t tok, s string) (netip.Addr, int) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, a.BitLen()
	}
	parts := strings.Split(s, ".")
	if len(parts) < 4 {
		var b [4]byte
		for i, part := range parts {
			n, err := strconv.ParseUint(part, 10, 8)
			if err != nil {
				p.fail(t, "%s is not a network", describe(t))
			}
			b[i] = byte(n)
		}
		return netip.AddrFrom4(b), 8 * len(parts)
	}
	p.fail(t, "%s is not a network", describe(t))
	return netip.Addr{}, 0
}

// maskLen is the prefix length of a contiguous mask, or -1.
func maskLen(m netip.Addr) int {
	b := m.AsSlice()
	n, seenZero := 0, false
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			one := x&(1<<i) != 0
			if one && seenZero {
				return -1
			}
			if one {
				n++
			} else {
				seenZero = true
			}
		}
	}
	return n
}

// unsupported are pcap-filter words for what a filter over the network
// header cannot see.
var unsupported = map[string]bool{
	"ether": true, "broadcast": true, "multicast": true, "gateway": true, "inbound": true, "outbound": true,
	"ifname": true, "on": true, "rnr": true, "rulenum": true, "reason": true, "rset": true, "ruleset": true,
	"srnr": true, "subrulenum": true, "action": true, "wlan": true, "type": true, "subtype": true, "dir": true,
	"llc": true, "mpls": true, "pppoed": true, "pppoes": true, "geneve": true, "iso": true, "clnp": true,
	"esis": true, "isis": true, "decnet": true, "atalk": true, "aarp": true, "lat": true, "moprc": true,
	"mopdl": true, "ipx": true, "netbeui": true, "stp": true, "sca": true, "fddi": true, "tr": true, "rarp": true,
	"ah": true, "esp": true, "igmp": true, "igrp": true, "pim": true, "vrrp": true, "carp": true,
}
