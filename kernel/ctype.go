package kernel

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// CType names BTF type t as C spells it in a declaration, shortly: "char
// **", "const struct sk_buff *", "volatile int", "u8[16]", "function" for
// a function prototype. Typedefs and integers keep their names; restrict
// and type tags are dropped. Error messages and -lv listings both use it.
func CType(t btf.Type) string {
	switch x := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Pointer:
		s := CType(x.Target)
		if !strings.HasSuffix(s, "*") {
			s += " "
		}
		return s + "*"
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", CType(x.Type), x.Nelems)
	case *btf.Struct:
		return "struct " + x.Name
	case *btf.Union:
		return "union " + x.Name
	case *btf.Enum:
		return "enum " + x.Name
	case *btf.Const:
		return "const " + CType(x.Type)
	case *btf.Volatile:
		return "volatile " + CType(x.Type)
	case *btf.Restrict:
		return CType(x.Type)
	case *btf.TypeTag:
		return CType(x.Type)
	case *btf.FuncProto:
		return "function"
	}
	if t.TypeName() != "" {
		return t.TypeName()
	}
	return fmt.Sprintf("%T", t)
}
