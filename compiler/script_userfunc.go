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
	args []skind // skInt, or skStr for a literal
}{
	"qdisc":   {spec.RenderQdisc, []skind{skInt, skInt}},
	"sysctl":  {spec.RenderSysctl, []skind{skInt, skInt, skStr}},
	"nftrule": {spec.RenderNftRule, []skind{skInt, skInt, skInt, skInt, skInt, skInt}},
}

// userFunc compiles a call of a user-space function (scriptFuncs has
// one entry per userFuncs name): a tuple of its arguments that prints
// through the function's render.
func (g *sgen) userFunc(e *lang.Call) *sval {
	uf := userFuncs[e.Name]
	out := &sval{kind: skTuple, rend: render{r: uf.r}}
	for i, a := range e.Args {
		var v *sval
		if uf.args[i] == skStr {
			v = strLit(g.literal(a, e.Name+"'s argument"))
		} else {
			x := g.expr(a)
			v = intOf(u64Type, g.intNode(x, a))
		}
		out.elems = append(out.elems, v)
	}
	return out
}
