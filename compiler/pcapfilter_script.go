package compiler

import (
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/pcapfilter"
)

// pcapCall generates pcap("FILTER", SKB): 1 when the packet of the
// struct sk_buff * SKB matches the pcap-filter expression, 0 otherwise.
// The filter is a string literal, parsed and compiled here.
func (g *sgen) pcapCall(e *lang.Call) *sval {
	text := g.literal(e.Args[0], "pcap's filter")
	f, err := parsePcap(e.Args[0], text)
	if err != nil {
		panic(err)
	}
	skb := g.kernelValue(e.Args[1])
	failUntyped(skb, e.Args[1])
	if !skbLike(skb.t) {
		fail(e.Args[1], "pcap() reads a struct sk_buff *, not %s", kernel.CType(skb.t))
	}
	ptr := rvalue(skb, e.Args[1])
	if skbPtrPtr(skb.t) {
		ptr = &codegen.Load{Addr: ptr, Size: 8}
	}
	skbT := skbTyper{ki: g.sc.ki}.structType(e, "sk_buff")
	pl := newPcapLower(skbT, ptr, e)
	return intOf(s64Type, &codegen.InReg{R: pcapMatch(g.Builder, pl, pl.expr(f))})
}

// parsePcap parses a filter given as the expression at: a string literal
// holding the text as written (no escapes) has the errors point into it;
// otherwise (escapes, a script parameter) the text is a source of its
// own, named after the expression's position.
func parsePcap(at lang.Expr, text string) (pcapfilter.Expr, error) {
	sp := at.Extent()
	src := sp.Pos.Src
	if lit, ok := at.(*lang.StrLit); ok && src != nil {
		start := sp.Pos.Offset + 1
		if start+len(text) <= len(src.Text) && src.Text[start:start+len(text)] == text && lit.Value == text {
			return pcapfilter.Parse(src, start, text)
		}
	}
	return pcapfilter.Parse(&lang.Source{Name: sp.Pos.String() + ": pcap filter", Text: text}, 0, text)
}
