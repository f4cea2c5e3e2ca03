package uelf

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/hex"
	"errors"
	"path/filepath"
)

// Param is one formal parameter of a function, as the file's DWARF
// describes it.
type Param struct {
	Name string // "" for an unnamed parameter
	Type dwarf.Type
}

// DWARF returns the file's debug information: its own .debug_info, or a
// stripped file's detached debug file found by build id; nil when there
// is none. It must be called before Close (it is then kept).
func (f *File) DWARF() *dwarf.Data {
	if f.dwLoaded {
		return f.dw
	}
	f.dwLoaded = true
	if f.elf.Section(".debug_info") != nil {
		f.dw, _ = f.elf.DWARF()
		return f.dw
	}
	if id := buildID(f.elf); len(id) >= 2 {
		h := hex.EncodeToString(id)
		if df, err := elf.Open(filepath.Join(debugDir, ".build-id", h[:2], h[2:]+".debug")); err == nil {
			if df.Section(".debug_info") != nil {
				f.dw, _ = df.DWARF()
			}
			df.Close()
		}
	}
	return f.dw
}

// Params returns the parameters of function fn from the file's DWARF, as
// bpftrace finds them: the first definition named fn (a declaration, as
// libc's debug file holds for malloc, does not count). ok is false when
// the file has no DWARF or defines no fn. The first call indexes the
// functions once.
func (f *File) Params(fn string) (params []Param, ok bool, err error) {
	d := f.DWARF()
	if d == nil {
		return nil, false, nil
	}
	if f.funcs == nil {
		if f.funcs, err = indexFuncs(d); err != nil {
			return nil, false, err
		}
	}
	off, ok := f.funcs[fn]
	if !ok {
		return nil, false, nil
	}
	r := d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil {
		return nil, false, err
	}
	params, err = childParams(d, r, e)
	return params, err == nil, err
}

// indexFuncs maps each function name to its first definition's entry.
func indexFuncs(d *dwarf.Data) (map[string]dwarf.Offset, error) {
	funcs := map[string]dwarf.Offset{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return funcs, nil
		}
		switch e.Tag {
		case dwarf.TagCompileUnit, dwarf.TagPartialUnit:
			continue // their children are the functions and types
		case dwarf.TagSubprogram:
			isDecl, _ := e.Val(dwarf.AttrDeclaration).(bool)
			if name := dieName(d, e); name != "" && !isDecl {
				if _, seen := funcs[name]; !seen {
					funcs[name] = e.Offset
				}
			}
		}
		r.SkipChildren()
	}
}

// childParams reads the formal parameters among e's children, leaving r
// after them.
func childParams(d *dwarf.Data, r *dwarf.Reader, e *dwarf.Entry) ([]Param, error) {
	ps := []Param{}
	if !e.Children {
		return ps, nil
	}
	for {
		c, err := r.Next()
		if err != nil {
			return nil, err
		}
		if c == nil || c.Tag == 0 {
			return ps, nil
		}
		if c.Tag == dwarf.TagFormalParameter {
			p := Param{Name: dieName(d, c)}
			off, ok := attrIntegrated(d, c, dwarf.AttrType).(dwarf.Offset)
			if !ok {
				return nil, errors.New("parameter " + p.Name + " has no type")
			}
			if p.Type, err = d.Type(off); err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		r.SkipChildren()
	}
}

// dieName is e's name, through its abstract origin or specification (an
// out-of-line copy of an inlined function names neither itself nor its
// parameters).
func dieName(d *dwarf.Data, e *dwarf.Entry) string {
	s, _ := attrIntegrated(d, e, dwarf.AttrName).(string)
	return s
}

// attrIntegrated is attribute a of e, or of the entry e's abstract origin
// or specification names, as libdw's dwarf_attr_integrate finds it.
func attrIntegrated(d *dwarf.Data, e *dwarf.Entry, a dwarf.Attr) any {
	for range 4 {
		if v := e.Val(a); v != nil {
			return v
		}
		off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
		if !ok {
			if off, ok = e.Val(dwarf.AttrSpecification).(dwarf.Offset); !ok {
				return nil
			}
		}
		r := d.Reader()
		r.Seek(off)
		next, err := r.Next()
		if err != nil || next == nil {
			return nil
		}
		e = next
	}
	return nil
}

// NamedType finds the struct, union or enum (kind) name among the types
// the file's DWARF defines at the top of a compilation unit, as bpftrace
// resolves a cast's type in a uprobe; a definition wins over a forward
// declaration. ok is false when there is none.
func (f *File) NamedType(kind, name string) (t dwarf.Type, ok bool, err error) {
	d := f.DWARF()
	if d == nil {
		return nil, false, nil
	}
	tag := map[string]dwarf.Tag{"struct": dwarf.TagStructType, "union": dwarf.TagUnionType, "enum": dwarf.TagEnumerationType}[kind]
	if tag == 0 {
		return nil, false, nil
	}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, false, err
		}
		if e == nil {
			return nil, false, nil
		}
		if e.Tag == dwarf.TagCompileUnit || e.Tag == dwarf.TagPartialUnit {
			continue
		}
		if e.Tag == tag && e.Val(dwarf.AttrName) == name {
			if isDecl, _ := e.Val(dwarf.AttrDeclaration).(bool); !isDecl {
				t, err := d.Type(e.Offset)
				return t, err == nil, err
			}
		}
		r.SkipChildren()
	}
}

// TypeName spells t as bpftrace lists a uprobe's arguments (-lv): base
// types and typedefs by name, "T*" for pointers ("void*" for void),
// "struct|union|enum NAME", "const T" and "T* const"; anything else,
// const void included, is "<unknown type>".
func TypeName(t dwarf.Type) string {
	switch t := t.(type) {
	case *dwarf.TypedefType:
		return t.Name
	case *dwarf.PtrType:
		if _, void := t.Type.(*dwarf.VoidType); void || t.Type == nil {
			return "void*"
		}
		return TypeName(t.Type) + "*"
	case *dwarf.StructType:
		if t.StructName == "" {
			return t.Kind + " <anonymous>"
		}
		return t.Kind + " " + t.StructName
	case *dwarf.EnumType:
		if t.EnumName == "" {
			return "enum <anonymous>"
		}
		return "enum " + t.EnumName
	case *dwarf.QualType:
		if t.Qual != "const" {
			break
		}
		if _, ptr := t.Type.(*dwarf.PtrType); ptr {
			return TypeName(t.Type) + " const"
		}
		return "const " + TypeName(t.Type)
	case *dwarf.VoidType:
		// bpftrace finds no type under const (const void *): libdw has
		// no DIE to name there.
		return "<unknown type>"
	case *dwarf.IntType, *dwarf.UintType, *dwarf.CharType, *dwarf.UcharType,
		*dwarf.BoolType, *dwarf.FloatType, *dwarf.ComplexType, *dwarf.UnspecifiedType:
		return t.Common().Name
	}
	return "<unknown type>"
}
