package compiler

// isEnum reports whether script value v is an integer of an enum type with
// named values, which prints by name, as bpftrace 0.22 and later print
// one: with %s in printf, as a map key or value, by print(). %d and the
// other integer conversions still print the number, and a cast to an
// integer type drops the names.
func isEnum(v *sval) bool {
	return v.kind == skInt && v.rend.size == 0 && enumNames(v.v.t) != nil
}
