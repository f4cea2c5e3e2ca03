package compiler

import "github.com/surftrace/surftrace/lang"

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
			return intOf(v.v.t, &nConst{n}), true
		}
		all = append(all, nm)
	}
	failHint(at, lang.DidYouMean(name, all), "%q is not a value of %s", name, typeString(v.v.t))
	return nil, false
}
