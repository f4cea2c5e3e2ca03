package compiler

import (
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// userFuncs are the builtins computed in user space when their record
// prints, as ksym() is: facts only user space can read (netlink, the
// nftables ruleset, sysctls of another network namespace). The program
// stores the arguments as a tuple; the runtime resolves it (see
// runtime/netobj) at that moment, so the text shows the state then.
// NETNS is a network namespace's inode (net->ns.inum), IFINDEX a device
// index in it.
var userFuncs = map[string]struct {
	r    spec.Render
	args []skind // skInt, skStr for a literal, skBytes for an address
}{
	"qdisc":    {spec.RenderQdisc, []skind{skInt, skInt}},
	"sysctl":   {spec.RenderSysctl, []skind{skInt, skInt, skStr}},
	"nftrule":  {spec.RenderNftRule, []skind{skInt, skInt, skBytes, skBytes, skInt, skInt}},
	"tcfilter": {spec.RenderTcFilter, []skind{skInt, skInt, skStr}},
	"xdp":      {spec.RenderXdp, []skind{skInt, skInt}},
	"softnet":  {spec.RenderSoftnet, []skind{skInt}},
}

// userFunc compiles a call of a user-space function (scriptFuncs has
// one entry per userFuncs name): a tuple of its arguments that prints
// through the function's render.
func (g *sgen) userFunc(e *lang.Call) *sval {
	uf := userFuncs[e.Name]
	out := &sval{kind: skTuple, rend: render{r: uf.r}}
	for i, a := range e.Args {
		if uf.args[i] == skStr {
			out.elems = append(out.elems, strLit(g.literal(a, e.Name+"'s argument")))
			continue
		}
		x := g.expr(a)
		var v *sval
		if uf.args[i] == skBytes && (x.kind == skMem && sizeof(x.v.t) == 16 || x.kind == skBytes && x.size == 16) {
			// An IPv6 address (an in6_addr, pton("2001:db8::1")) is its
			// 16 bytes; an IPv4 one an integer.
			v = g.convert(x, render{r: spec.RenderIPv6, size: 16}, a)
		} else {
			v = intOf(u64Type, g.intNode(x, a))
		}
		out.elems = append(out.elems, v)
	}
	return out
}
