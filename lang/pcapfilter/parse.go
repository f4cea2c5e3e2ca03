package pcapfilter

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// Parse parses the filter text, which starts at byte offset base of src
// (the string literal holding it in a script, or 0 in a source of its
// own), so errors point into src.
func Parse(src *lang.Source, base int, text string) (x Expr, err error) {
	p := &parser{src: src, base: base}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*lang.Error)
			if !ok {
				e = lang.Errorf(p.span(0, len(text)), "internal error: %v", r)
			}
			x, err = nil, e
		}
	}()
	toks, bad := lex(text)
	if bad != nil {
		p.fail(*bad, "unexpected %q", bad.text)
	}
	p.toks = toks
	if p.peek().kind == "" {
		p.fail(p.peek(), "empty filter")
	}
	x = p.or()
	if t := p.peek(); t.kind != "" {
		p.fail(t, "unexpected %s, want and, or or the end", describe(t))
	}
	return x, nil
}

type parser struct {
	src  *lang.Source
	base int
	toks []tok
	i    int
	// last holds the qualifiers of the last primitive that named any, for
	// a bare address or number that follows it (`host a or b`).
	last *Prim
}

func (p *parser) peek() tok        { return p.toks[p.i] }
func (p *parser) peekAt(n int) tok { return p.toks[min(p.i+n, len(p.toks)-1)] }
func (p *parser) next() tok {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) span(off, end int) lang.Span {
	return lang.Span{Pos: lang.PosAt(p.src, p.base+off), End: lang.PosAt(p.src, p.base+end)}
}

func (p *parser) fail(t tok, format string, args ...any) {
	end := t.end
	if end == t.off {
		end++
	}
	panic(lang.Errorf(p.span(t.off, end), format, args...))
}

func (p *parser) failHint(t tok, hint, format string, args ...any) {
	e := lang.Errorf(p.span(t.off, max(t.end, t.off+1)), format, args...)
	panic(e.WithHint(hint))
}

// is reports whether t is the word w or one of the operators.
func is(t tok, words ...string) bool {
	for _, w := range words {
		if t.text == w && (t.kind == "word" || t.kind == w) {
			return true
		}
	}
	return false
}

func describe(t tok) string {
	if t.kind == "" {
		return "end of filter"
	}
	return strconv.Quote(t.text)
}

func join(s lang.Span, e lang.Span) lang.Span { return lang.Span{Pos: s.Pos, End: e.End} }

// or parses primitives joined by and and or, which in pcap-filter have
// the same precedence and group to the left: a or b and c is
// (a or b) and c.
func (p *parser) or() Expr {
	x := p.unary()
	for {
		t := p.peek()
		switch {
		case is(t, "and", "&&"):
			p.next()
			y := p.unary()
			x = &And{Span: join(x.Extent(), y.Extent()), X: x, Y: y}
		case is(t, "or", "||"):
			p.next()
			y := p.unary()
			x = &Or{Span: join(x.Extent(), y.Extent()), X: x, Y: y}
		default:
			return x
		}
	}
}

func (p *parser) unary() Expr {
	t := p.peek()
	switch {
	case is(t, "not", "!"):
		p.next()
		x := p.unary()
		return &Not{Span: join(p.span(t.off, t.end), x.Extent()), X: x}
	case t.kind == "(":
		// A parenthesis opens a group of filters or an arithmetic
		// expression: try the relation first.
		if r := p.tryRel(); r != nil {
			return r
		}
		p.next()
		x := p.or()
		p.expect(")")
		return x
	case startsArith(p):
		return p.rel()
	}
	return p.prim()
}

func (p *parser) expect(kind string) tok {
	t := p.next()
	if t.kind != kind {
		p.fail(t, "unexpected %s, want %q", describe(t), kind)
	}
	return t
}

// tryRel parses a relation from here, or returns nil (and rewinds) when
// the text is not one.
func (p *parser) tryRel() (r Expr) {
	save, last := p.i, p.last
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(*lang.Error); !ok {
				panic(v)
			}
			p.i, p.last, r = save, last, nil
		}
	}()
	return p.rel()
}

// startsArith reports whether the next token starts an arithmetic
// expression rather than a primitive.
func startsArith(p *parser) bool {
	t := p.peek()
	if t.kind == "-" {
		return true
	}
	if t.kind != "word" {
		return false
	}
	if p.peekAt(1).kind == "[" {
		return true // proto[off], or an unsupported one primary names
	}
	if t.text == "len" {
		return true
	}
	if _, ok := namedConsts[t.text]; ok {
		return true
	}
	// A number followed by an operator: 0 != tcp[13] & 2.
	_, err := parseNum(t.text)
	return err == nil && relOps[p.peekAt(1).kind] || err == nil && arithOps[p.peekAt(1).kind] > 0
}

var relOps = map[string]bool{"=": true, "==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

// arithOps are the binary operators by precedence, as libpcap's grammar.
var arithOps = map[string]int{"|": 1, "^": 1, "&": 2, "<<": 3, ">>": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}

func (p *parser) rel() Expr {
	x := p.arith(1)
	t := p.next()
	if !relOps[t.kind] {
		p.fail(t, "unexpected %s, want a comparison (== != < <= > >=)", describe(t))
	}
	y := p.arith(1)
	op := t.kind
	if op == "=" {
		op = "=="
	}
	return &Rel{Span: join(x.Extent(), y.Extent()), Op: op, X: x, Y: y}
}

func (p *parser) arith(prec int) Arith {
	x := p.primary()
	for {
		t := p.peek()
		q := arithOps[t.kind]
		if q == 0 || q < prec {
			return x
		}
		p.next()
		y := p.arith(q + 1)
		if n, ok := y.(*Num); ok && n.V == 0 && (t.kind == "/" || t.kind == "%") {
			p.fail(t, "division by zero")
		}
		x = &Bin{Span: join(x.Extent(), y.Extent()), Op: t.kind, X: x, Y: y}
	}
}

func (p *parser) primary() Arith {
	t := p.next()
	switch {
	case t.kind == "-":
		x := p.primary()
		return &Neg{Span: join(p.span(t.off, t.end), x.Extent()), X: x}
	case t.kind == "(":
		x := p.arith(1)
		p.expect(")")
		return x
	case t.kind != "word":
		p.fail(t, "unexpected %s, want a number, len or a header byte such as tcp[13]", describe(t))
	case t.text == "len":
		return &Len{Span: p.span(t.off, t.end)}
	}
	if v, ok := namedConsts[t.text]; ok {
		return &Num{Span: p.span(t.off, t.end), V: v}
	}
	if _, ok := loadProtos[t.text]; ok && p.peek().kind == "[" {
		return p.load(t)
	}
	if p.peek().kind == "[" {
		p.failHint(t, lang.DidYouMean(t.text, []string{"ip", "arp", "tcp", "udp", "icmp", "sctp"}),
			"%s[] is not supported: offsets are read from the IPv4 header, ARP or the transport header of IPv4", t.text)
	}
	v, err := parseNum(t.text)
	if err != nil {
		p.failHint(t, lang.DidYouMean(t.text, constNames()), "unexpected %s, want a number, len or a header byte such as tcp[13]", describe(t))
	}
	return &Num{Span: p.span(t.off, t.end), V: v}
}

// load parses proto[off] or proto[off:size] after proto.
func (p *parser) load(proto tok) Arith {
	p.expect("[")
	var off Arith
	size := 1
	// "13:2" lexes as one word.
	if t := p.peek(); t.kind == "word" && strings.Count(t.text, ":") == 1 && p.peekAt(1).kind == "]" {
		p.next()
		o, s, _ := strings.Cut(t.text, ":")
		v, err := parseNum(o)
		if err != nil {
			p.fail(t, "bad offset %q", o)
		}
		off = &Num{Span: p.span(t.off, t.off+len(o)), V: v}
		size = p.size(tok{kind: "word", text: s, off: t.off + len(o) + 1, end: t.end})
	} else {
		off = p.arith(1)
		if p.peek().kind == ":" {
			p.next()
			size = p.size(p.next())
		}
	}
	end := p.expect("]")
	return &Load{Span: p.span(proto.off, end.end), Proto: proto.text, Off: off, Size: size}
}

func (p *parser) size(t tok) int {
	switch t.text {
	case "1", "2", "4":
		return int(t.text[0] - '0')
	}
	p.fail(t, "a header read is 1, 2 or 4 bytes, not %s", describe(t))
	return 0
}

// loadProtos are the headers proto[off] reads.
var loadProtos = map[string]bool{"ip": true, "arp": true, "tcp": true, "udp": true, "icmp": true, "sctp": true}

// namedConsts are the names pcap-filter gives offsets and values.
var namedConsts = map[string]uint32{
	"tcpflags": 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
	"icmptype": 0, "icmpcode": 1, "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4,
	"icmp-redirect": 5, "icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10,
	"icmp-timxceed": 11, "icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14,
	"icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
}

func constNames() []string {
	var out []string
	for k := range namedConsts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// parseNum reads a decimal, 0x hex or 0 octal number, as libpcap does.
func parseNum(s string) (uint32, error) {
	if s == "" || !isDigit(s[0]) {
		return 0, fmt.Errorf("not a number")
	}
	v, err := strconv.ParseUint(s, 0, 32)
	return uint32(v), err
}

// ipProtos are the names `proto` takes (with or without a backslash).
var ipProtos = map[string]int{"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51, "icmp6": 58, "pim": 103, "vrrp": 112, "sctp": 132}

// protoQuals are the protocol qualifiers a primitive may start with.
var protoQuals = []string{"ip", "ip6", "arp", "tcp", "udp", "sctp", "icmp", "icmp6"}

// kinds are the primitive types after the qualifiers.
var kinds = []string{"host", "net", "port", "portrange", "proto"}

// keywords are every word with a meaning of its own, for did-you-mean.
var keywords = append(append([]string{"src", "dst", "and", "or", "not", "less", "greater", "len", "vlan", "mask"}, protoQuals...), kinds...)

func isKeyword(s string) bool {
	for _, k := range keywords {
		if s == k {
			return true
		}
	}
	return false
}
