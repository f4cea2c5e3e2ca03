package compiler

import (
	"maps"
	"sort"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// isEnum reports whether script value v is an integer of an enum type with
// named values, which prints by name, as bpftrace 0.22 and later print
// one: with %s in printf, as a map key or value, by print(). %d and the
// other integer conversions still print the number, and a cast to an
// integer type drops the names.
func isEnum(v *sval) bool {
	return v.kind == skInt && v.rend.size == 0 && enumNames(v.v.t) != nil
}

// compareEnum rewrites the operands of ==/!= where one is an enum-typed
// value and the other a string literal: the literal names a value of the
// enum, as NO_SOCKET does in an e line's filter, and becomes its number.
// The empty string names no value, so the comparison is constant, as one
// of two string literals is: constant reports the result then.
func (g *sgen) compareEnum(e *lang.Binary, x, y *sval) (nx, ny *sval, constant, result bool) {
	if e.Op != "==" && e.Op != "!=" {
		return x, y, false, false
	}
	lit := func(v *sval) bool { return v.kind == skStr && v.isLit }
	eq := e.Op == "=="
	switch {
	case lit(x) && lit(y):
		return x, y, true, (string(x.lit) == string(y.lit)) == eq
	case isEnum(x) && lit(y):
		k, ok := g.enumByName(x, y, e.Y)
		return x, k, !ok, !eq
	case lit(x) && isEnum(y):
		k, ok := g.enumByName(y, x, e.X)
		return k, y, !ok, !eq
	}
	return x, y, false, false
}

// enumByName is the number of the value of enum-typed v that literal s
// names, or false for the empty string; another name is an error.
func (g *sgen) enumByName(v, s *sval, at lang.Node) (*sval, bool) {
	name := string(s.lit)
	if name == "" {
		return nil, false
	}
	var all []string
	for n, nm := range enumNames(v.v.t) {
		if nm == name {
			return intOf(v.v.t, &codegen.Const{V: n}), true
		}
		all = append(all, nm)
	}
	failHint(at, lang.DidYouMean(name, all), "%q is not a value of %s", name, kernel.CType(v.v.t))
	return nil, false
}

// symbolicEnum types an integer tracepoint field that the print fmt shows
// through __print_symbolic (tcp_send_reset's int state: TCP_CLOSE, ...) as
// an enum of those names, so a script prints it by name as ftrace does.
func symbolicEnum(i *btf.Int, names map[uint64]string) *btf.Enum {
	out := &btf.Enum{Name: i.Name, Size: i.Size, Signed: i.Encoding == btf.Signed}
	for v, n := range names {
		out.Values = append(out.Values, btf.EnumValue{Name: n, Value: v})
	}
	sort.Slice(out.Values, func(a, b int) bool { return out.Values[a].Value < out.Values[b].Value })
	return out
}

// symbolNames are the names f's print fmt gives its values, with the
// entries the kernel left as enumerator names resolved through BTF.
func (ki *kinfo) symbolNames(f *kernel.TracepointField) map[uint64]string {
	if len(f.SymbolIdents) == 0 || ki.vmlinux() == nil {
		return f.Symbols
	}
	names := maps.Clone(f.Symbols)
	if names == nil {
		names = map[uint64]string{}
	}
	for t := range ki.vmlinux().All() {
		en, ok := t.(*btf.Enum)
		if !ok {
			continue
		}
		for _, v := range en.Values {
			if shown, ok := f.SymbolIdents[v.Name]; ok {
				names[v.Value] = shown
			}
		}
	}
	return names
}
