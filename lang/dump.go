package lang

import (
	"fmt"
	"reflect"
	"strings"
)

// Dump renders a node as a compact s-expression, for golden tests of parse
// trees: (Binary Op="==" X=(Ident Name="proto") Y=(IntLit Value=17 ...)).
// Spans are left out; zero-valued fields are omitted.
func Dump(n any) string {
	var b strings.Builder
	dump(&b, reflect.ValueOf(n))
	return b.String()
}

var spanType = reflect.TypeOf(Span{})

func dump(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dump(b, v.Elem())
	case reflect.Struct:
		t := v.Type()
		b.WriteString("(" + t.Name())
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Type == spanType || f.Name == "Src" || v.Field(i).IsZero() {
				continue
			}
			b.WriteString(" " + f.Name + "=")
			dump(b, v.Field(i))
		}
		b.WriteString(")")
	case reflect.Slice:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			dump(b, v.Index(i))
		}
		b.WriteString("]")
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	case reflect.Uint8:
		fmt.Fprintf(b, "%q", rune(v.Uint()))
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}
