package compiler

import (
	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// condPcap is an expression line's f:pcap("FILTER", FIELD): the lowered
// filter over the sk_buff in FIELD.
type condPcap struct {
	p *pcapLower
	c pcond
}

func (*condPcap) isCond() {}

// pcapCond checks a filter function call; pcap is the only one.
func (c *lineChecker) pcapCond(e *lang.Call, lp *lineProbe) cond {
	if e.Name != "pcap" {
		failHint(e, lang.DidYouMean(e.Name, []string{"pcap"}), "unknown filter function %s", e.Name)
	}
	lit, ok := e.Args[0].(*lang.StrLit)
	if len(e.Args) != 2 || !ok {
		fail(e, `pcap takes a filter and the struct sk_buff * it reads: pcap("tcp port 80", skbaddr)`)
	}
	f, err := parsePcap(lit, lit.Value)
	if err != nil {
		panic(err)
	}
	fld := c.operand(e.Args[1], lp)
	if fld.kind != fieldScalar || fld.v == nil || !skbLike(fld.v.t) {
		t := "a string"
		if fld.v != nil {
			t = kernel.CType(fld.v.t)
		}
		fail(e.Args[1], "pcap() reads a struct sk_buff *, not %s", t)
	}
	ptr := fld.n
	if skbPtrPtr(fld.v.t) {
		ptr = &codegen.Load{Addr: ptr, Size: 8}
	}
	pl := newPcapLower(c.structType(e, "sk_buff"), ptr, e)
	return &condPcap{p: pl, c: pl.expr(f)}
}
