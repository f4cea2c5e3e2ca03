package compiler

import (
	"debug/dwarf"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/kernel/uelf"
	"github.com/surftrace/surftrace/lang"
)

// userDebug is a user-space binary's debug information, read once per
// compilation: its DWARF and the BTF types converted from it so far.
type userDebug struct {
	f     *uelf.File  // closed; DWARF read before closing
	dw    *dwarf.Data // nil: the binary has no DWARF
	types dwarfTypes  // the conversions made so far
}

// userDebug reads the DWARF of user-space binary path on first use.
func (ki *kinfo) userDebug(path string, at lang.Node) *userDebug {
	if u, ok := ki.udebug[path]; ok {
		return u
	}
	f, err := uelf.Open(path)
	if err != nil {
		fail(at, "%v", err)
	}
	u := &userDebug{f: f, dw: f.DWARF(), types: dwarfTypes{m: map[dwarf.Type]btf.Type{}, local: ki.local}}
	f.Close()
	if ki.udebug == nil {
		ki.udebug = map[string]*userDebug{}
	}
	ki.udebug[path] = u
	return u
}

// params types function fn's parameters from the binary's DWARF as a
// function prototype; nil when the binary has no DWARF for fn.
func (u *userDebug) params(fn string, at lang.Node) *btf.FuncProto {
	ps, ok, err := u.f.Params(fn)
	if err != nil {
		fail(at, "%s: DWARF: %v", u.f.Path, err)
	}
	if !ok {
		return nil
	}
	proto := &btf.FuncProto{Return: &btf.Void{}}
	for _, p := range ps {
		proto.Params = append(proto.Params, btf.FuncParam{Name: p.Name, Type: u.types.conv(p.Type)})
	}
	return proto
}

// namedType finds `kind name` (struct, union, enum) in the binary's DWARF.
func (u *userDebug) namedType(kind, name string, at lang.Node) (btf.Type, bool) {
	t, ok, err := u.f.NamedType(kind, name)
	if err != nil {
		fail(at, "%s: DWARF: %v", u.f.Path, err)
	}
	if !ok {
		return nil, false
	}
	return u.types.conv(t), true
}

// dwarfTypes converts DWARF types to the BTF types the compiler types
// expressions with, each once (so that a struct that points to itself
// converts to a cycle). A struct, union or enum the script defines
// itself is the script's, as bpftrace has one namespace of type names.
type dwarfTypes struct {
	m     map[dwarf.Type]btf.Type
	local *cdecls // nil: the script defines no types
}

func (c dwarfTypes) conv(t dwarf.Type) btf.Type {
	if t == nil {
		return &btf.Void{}
	}
	if b, ok := c.m[t]; ok {
		return b
	}
	if c.local != nil {
		if b := c.local.types[localName(t)]; b != nil {
			c.m[t] = b
			return b
		}
	}
	var b btf.Type
	switch t := t.(type) {
	case *dwarf.IntType:
		b = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Signed}
	case *dwarf.UintType:
		b = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize)}
	case *dwarf.CharType:
		b = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Signed | btf.Char}
	case *dwarf.UcharType:
		b = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Char}
	case *dwarf.BoolType:
		b = &btf.Int{Name: t.Name, Size: uint32(t.ByteSize), Encoding: btf.Bool}
	case *dwarf.FloatType:
		b = &btf.Float{Name: t.Name, Size: uint32(t.ByteSize)}
	case *dwarf.PtrType:
		p := &btf.Pointer{}
		c.m[t] = p
		p.Target = c.conv(t.Type)
		return p
	case *dwarf.TypedefType:
		td := &btf.Typedef{Name: t.Name}
		c.m[t] = td
		td.Type = c.conv(t.Type)
		return td
	case *dwarf.QualType:
		switch t.Qual {
		case "const":
			b = &btf.Const{Type: c.conv(t.Type)}
		case "volatile":
			b = &btf.Volatile{Type: c.conv(t.Type)}
		default: // restrict
			b = &btf.Restrict{Type: c.conv(t.Type)}
		}
	case *dwarf.ArrayType:
		n := t.Count
		if n < 0 {
			n = 0 // a flexible array member
		}
		b = &btf.Array{Index: cIntegers["u32"], Type: c.conv(t.Type), Nelems: uint32(n)}
	case *dwarf.EnumType:
		en := &btf.Enum{Name: t.EnumName, Size: uint32(t.ByteSize)}
		for _, v := range t.Val {
			en.Values = append(en.Values, btf.EnumValue{Name: v.Name, Value: uint64(v.Val)})
			en.Signed = en.Signed || v.Val < 0
		}
		b = en
	case *dwarf.StructType:
		return c.structType(t)
	case *dwarf.FuncType:
		fp := &btf.FuncProto{}
		c.m[t] = fp
		fp.Return = c.conv(t.ReturnType)
		for _, p := range t.ParamType {
			fp.Params = append(fp.Params, btf.FuncParam{Type: c.conv(p)})
		}
		return fp
	default: // void, unspecified (nullptr_t), complex numbers
		b = &btf.Void{}
	}
	c.m[t] = b
	return b
}

// localName is how the script's own definitions name a struct, union or
// enum ("struct Foo"); "" for other types and anonymous ones.
func localName(t dwarf.Type) string {
	switch t := t.(type) {
	case *dwarf.StructType:
		if t.StructName != "" {
			return t.Kind + " " + t.StructName
		}
	case *dwarf.EnumType:
		if t.EnumName != "" {
			return "enum " + t.EnumName
		}
	}
	return ""
}

// structType converts a struct or union; its members' bit offsets come
// from DW_AT_data_bit_offset (DWARF 4 and later) or, for older bit
// fields, from DW_AT_bit_offset, counted from the most significant bit
// of the storage unit.
func (c dwarfTypes) structType(t *dwarf.StructType) btf.Type {
	var members *[]btf.Member
	var out btf.Type
	size := uint32(max(t.ByteSize, 0))
	if t.Kind == "union" {
		u := &btf.Union{Name: t.StructName, Size: size}
		members, out = &u.Members, u
	} else {
		s := &btf.Struct{Name: t.StructName, Size: size}
		members, out = &s.Members, s
	}
	c.m[t] = out
	for _, f := range t.Field {
		m := btf.Member{Name: f.Name, Type: c.conv(f.Type), Offset: btf.Bits(8 * f.ByteOffset)}
		if f.BitSize != 0 {
			m.BitfieldSize = btf.Bits(f.BitSize)
			if f.BitOffset != 0 || f.DataBitOffset == 0 && f.ByteSize != 0 {
				m.Offset = btf.Bits(8*(f.ByteOffset+f.ByteSize) - f.BitOffset - f.BitSize)
			} else {
				m.Offset = btf.Bits(f.DataBitOffset)
			}
		}
		*members = append(*members, m)
	}
	return out
}

// uprobeArg reads argument name of a uprobe (args->name), typed from the
// probed binary's DWARF, from where the calling convention puts it.
func (g *sgen) uprobeArg(name string, at lang.Node) *sval {
	u := g.sc.ki.userDebug(g.t.target, at)
	if u.dw == nil {
		fail(at, "args: %s has no DWARF debug information (build it with -g)", g.t.target)
	}
	proto := u.params(g.t.fn, at)
	if proto == nil {
		fail(at, "args: the DWARF of %s does not describe function %s", g.t.target, g.t.fn)
	}
	var names []string
	for i, p := range proto.Params {
		if p.Name != name {
			names = append(names, p.Name)
			continue
		}
		if !isScalar(p.Type) {
			fail(at, "args->%s is a %s passed by value, which is not supported", name, kernel.CType(p.Type))
		}
		v := g.userArg(i)
		n := v.v.n
		if isInteger(p.Type) {
			n = codegen.Truncate(n, sizeof(p.Type), isSigned(p.Type))
		}
		return intOf(p.Type, n)
	}
	failHint(at, lang.DidYouMean(name, names), "%s has no argument %s (it has %s)", g.t.name, name, strings.Join(names, ", "))
	return nil
}

// userType finds `tag name` in the DWARF of the probed binary, for a cast
// in a uprobe, uretprobe or usdt probe; ok is false when the probe is no
// such probe or the binary does not define the type.
func (g *sgen) userType(tag, name string, at lang.Node) (btf.Type, bool) {
	if !g.t.user || tag == "" || g.t.target == "" {
		return nil, false
	}
	if l := g.sc.ki.local; l != nil && l.types[tag+" "+name] != nil {
		return nil, false // the script's own definition wins, as in bpftrace
	}
	u := g.sc.ki.userDebug(g.t.target, at)
	if u.dw == nil {
		return nil, false
	}
	return u.namedType(tag, name, at)
}
