package runtime

import (
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// isAggregate reports whether f is a C struct or array by value.
func isAggregate(f *spec.Field) bool {
	return f != nil && (f.Render == spec.RenderStruct || f.Render == spec.RenderArray)
}

// aggregateText renders a struct or array field as bpftrace prints one:
// "{ .m = 2, .n = 3 }" and "[1,2,3]" as a value, pointers in decimal; as
// a map key (compact) the struct loses its spaces and pointers are in
// hex, "{.m=2,.p=0x7f00}".
func (r *renderer) aggregateText(b []byte, f *spec.Field, compact bool) string {
	parts := make([]string, len(f.Elems))
	for i, e := range f.Elems {
		eb := fieldOf(b, e)
		var s string
		switch {
		case isAggregate(e):
			s = r.aggregateText(eb, e, compact)
		case compact:
			s = r.field(eb, e)
		default:
			s = r.field(eb, asValue(e))
		}
		switch {
		case f.Render == spec.RenderArray:
			parts[i] = s
		case compact:
			parts[i] = "." + e.Name + "=" + s
		default:
			parts[i] = "." + e.Name + " = " + s
		}
	}
	switch {
	case f.Render == spec.RenderArray:
		return "[" + strings.Join(parts, ",") + "]"
	case compact:
		return "{" + strings.Join(parts, ",") + "}"
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// aggregateJSON renders a struct as a JSON object, { "m": 2, "n": 3 },
// and an array as a JSON array, as bpftrace's -f json does.
func (r *renderer) aggregateJSON(b []byte, f *spec.Field) string {
	parts := make([]string, len(f.Elems))
	for i, e := range f.Elems {
		parts[i] = r.jsonField(fieldOf(b, e), asValue(e))
		if f.Render == spec.RenderStruct {
			parts[i] = jsonString(e.Name) + ": " + parts[i]
		}
	}
	if f.Render == spec.RenderArray {
		return "[" + strings.Join(parts, ",") + "]"
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// asValue is member or element f as it prints in a value, not a key: a
// pointer in decimal, as bpftrace prints a pointer held in a map value
// (a key keeps it in hex).
func asValue(f *spec.Field) *spec.Field {
	if f.Render != spec.RenderHex {
		return f
	}
	v := *f
	v.Render = spec.RenderUnsigned
	return &v
}
