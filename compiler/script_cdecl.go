package compiler

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
)

// cdecls are the types and constants a script defines in C at its top
// level: struct, union and enum definitions (laid out as a C compiler on
// this ABI lays them out) and "#define NAME INTEGER" lines. bpftrace runs
// them through clang; these are the forms its programs use.
type cdecls struct {
	types   map[string]btf.Type // by "struct Foo", "union U", "enum E"
	consts  map[string]int64    // #define and enum constants
	defined []string            // the type names in order, for hints
	prog    *lang.Program
	own     *bool // see ownTypes
}

// ownTypes reports whether the script redefines a struct or union that
// vmlinux's BTF has. Then, as bpftrace's clang parse does, its
// definitions take no struct or union from BTF: a member of such a type
// the script does not define is incomplete (a pointer to one is fine).
// It is decided the first time a definition names a type it lacks, so
// scripts whose definitions are self-contained never load BTF.
func (cd *cdecls) ownTypes(ki *kinfo) bool {
	if cd.own != nil {
		return *cd.own
	}
	own := false
	for _, d := range cd.prog.CDecls {
		toks := ctokens(d.Text)
		for i := 0; i+2 < len(toks) && !own; i++ {
			tag := toks[i].text
			if (tag == "struct" || tag == "union") && toks[i+2].text == "{" {
				_, err := lookupNamed(ki.vmlinux(), tag, toks[i+1].text)
				own = err == nil
			}
		}
	}
	cd.own = &own
	return own
}

// parseCDecls reads every C declaration of prog.
func parseCDecls(prog *lang.Program, ki *kinfo) *cdecls {
	cd := &cdecls{types: map[string]btf.Type{}, consts: map[string]int64{}, prog: prog}
	for _, d := range prog.CDecls {
		p := &cparser{d: d, toks: ctokens(d.Text), ki: ki, cd: cd}
		if strings.HasPrefix(d.Text, "#") {
			p.define()
			continue
		}
		p.definition()
	}
	return cd
}

// ctoken is one C token and its byte offset in its declaration.
type ctoken struct {
	text string
	off  int
}

// ctokens splits C text into identifiers, numbers and punctuation,
// skipping blanks and comments.
func ctokens(s string) []ctoken {
	var out []ctoken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\':
			i++
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			if n := strings.Index(s[i+2:], "*/"); n >= 0 {
				i += n + 4
			} else {
				i = len(s)
			}
		case isSymbolByte(c):
			j := i
			for j < len(s) && isSymbolByte(s[j]) {
				j++
			}
			out = append(out, ctoken{s[i:j], i})
			i = j
		default:
			out = append(out, ctoken{string(c), i})
			i++
		}
	}
	return out
}

func isSymbolByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// cparser parses one declaration; errors panic as *lang.Error at the
// token they concern.
type cparser struct {
	d    *lang.CDecl
	toks []ctoken
	i    int
	ki   *kinfo
	cd   *cdecls
}

func (p *cparser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i].text
	}
	return ""
}

func (p *cparser) next() string {
	t := p.peek()
	p.i++
	return t
}

// failf reports an error at the current token.
func (p *cparser) failf(format string, args ...any) {
	off := len(p.d.Text)
	if p.i < len(p.toks) {
		off = p.toks[p.i].off
	}
	src := p.d.Pos.Src
	at := lang.Span{Pos: lang.PosAt(src, p.d.Pos.Offset+off), End: lang.PosAt(src, p.d.Pos.Offset+min(off+len(p.peek()), len(p.d.Text)))}
	panic(lang.Errorf(at, format, args...))
}

func (p *cparser) expect(tok string) {
	if p.peek() != tok {
		p.failf("C definition: want %q, got %q", tok, p.peek())
	}
	p.i++
}

// define reads "#define NAME VALUE"; a value that is not an integer
// (a macro with arguments, an expression) defines nothing.
func (p *cparser) define() {
	if p.next() != "#" || p.next() != "define" {
		return
	}
	name := p.next()
	rest := strings.TrimSpace(p.d.Text[min(p.toks[p.i-1].off+len(name), len(p.d.Text)):])
	rest = strings.Trim(rest, "()")
	if v, err := strconv.ParseInt(strings.TrimSpace(rest), 0, 64); err == nil {
		p.cd.consts[name] = v
	} else if u, err := strconv.ParseUint(strings.TrimSpace(rest), 0, 64); err == nil {
		p.cd.consts[name] = int64(u)
	}
}

// definition reads "struct|union|enum NAME { ... };".
func (p *cparser) definition() {
	tag := p.next()
	if p.peek() == "{" {
		p.failf("C definition: a top-level %s needs a name", tag)
	}
	name := p.next()
	if p.peek() == ";" || p.peek() == "" {
		return // a forward declaration
	}
	t := p.body(tag, name)
	key := tag + " " + name
	if _, dup := p.cd.types[key]; dup {
		p.failf("%s is defined twice", key)
	}
	p.cd.types[key] = t
	p.cd.defined = append(p.cd.defined, key)
}

// body reads "{ ... }" of a struct, union or enum named name ("" when
// anonymous).
func (p *cparser) body(tag, name string) btf.Type {
	if tag == "enum" {
		return p.enumBody(name)
	}
	p.expect("{")
	var members []btf.Member
	bits, size, align := 0, 0, 1 // bits: where the next struct member may start
	for p.peek() != "}" {
		if p.peek() == "" {
			p.failf("C definition: unclosed {")
		}
		at := p.i
		base := p.typeSpec()
		for {
			t, mname, width := p.declarator(base)
			if f, ok := t.(*btf.Fwd); ok {
				p.i = at
				p.failf("field has incomplete type '%s %s'", f.Kind, f.Name)
			}
			a, n := calign(t), sizeof(t)
			m := btf.Member{Name: mname, Type: t, BitfieldSize: btf.Bits(width)}
			switch {
			case tag != "struct":
				size = max(size, n)
			case width > 0 || mname == "":
				m.Offset = btf.Bits(bitfieldAt(bits, width, n*8))
				bits = int(m.Offset) + width
			default:
				m.Offset = btf.Bits((bits + a*8 - 1) / (a * 8) * a * 8)
				bits = int(m.Offset) + n*8
			}
			size = max(size, (bits+7)/8)
			if mname != "" {
				align = max(align, a)
				members = append(members, m)
			}
			if p.peek() != "," {
				break
			}
			p.next()
		}
		// clang accepts a last member without its ";" (with a warning),
		// and so bpftrace does.
		if p.peek() != "}" {
			p.expect(";")
		}
	}
	p.expect("}")
	size = (size + align - 1) / align * align
	if tag == "union" {
		return &btf.Union{Name: name, Size: uint32(size), Members: members}
	}
	return &btf.Struct{Name: name, Size: uint32(size), Members: members}
}

// enumBody reads "{ A, B = 5, ... }", defining each constant.
func (p *cparser) enumBody(name string) btf.Type {
	p.expect("{")
	e := &btf.Enum{Name: name, Size: 4, Signed: true}
	next := int64(0)
	for p.peek() != "}" {
		c := p.next()
		if !isIdent(c) {
			p.failf("C definition: want an enumerator name, got %q", c)
		}
		if p.peek() == "=" {
			p.next()
			neg := p.peek() == "-"
			if neg {
				p.next()
			}
			v, err := strconv.ParseInt(p.peek(), 0, 64)
			if err != nil {
				p.failf("C definition: want an integer, got %q", p.peek())
			}
			p.next()
			if neg {
				v = -v
			}
			next = v
		}
		e.Values = append(e.Values, btf.EnumValue{Name: c, Value: uint64(next)})
		p.cd.consts[c] = next
		next++
		if p.peek() == "," {
			p.next()
		}
	}
	p.expect("}")
	return e
}

// typeSpec reads a member's type before its declarator: qualifiers, C
// integer words, a tagged type (defined here or in BTF, or an anonymous
// nested one) or a typedef name.
func (p *cparser) typeSpec() btf.Type {
	for p.peek() == "const" || p.peek() == "volatile" {
		p.next()
	}
	switch tag := p.peek(); tag {
	case "struct", "union", "enum":
		p.next()
		name := ""
		if p.peek() != "{" {
			name = p.next()
		}
		if p.peek() == "{" {
			t := p.body(tag, name)
			if name != "" { // a nested definition names a type of the file
				p.cd.types[tag+" "+name] = t
				p.cd.defined = append(p.cd.defined, tag+" "+name)
			}
			return t
		}
		if t, ok := p.cd.types[tag+" "+name]; ok {
			return t
		}
		if tag != "enum" && p.cd.ownTypes(p.ki) {
			kind := btf.FwdStruct
			if tag == "union" {
				kind = btf.FwdUnion
			}
			return &btf.Fwd{Name: name, Kind: kind}
		}
		t, err := lookupNamed(p.ki.vmlinux(), tag, name)
		if err != nil {
			p.i--
			p.failf("%v", err)
		}
		return t
	}
	var words []string
	for isIntWord(p.peek()) {
		words = append(words, p.next())
	}
	if len(words) > 0 {
		name := strings.Join(words, " ")
		if i, ok := cIntegers[name]; ok {
			return i
		}
		if name == "unsigned char" || name == "signed char" {
			return cIntegers[name]
		}
		p.failf("C definition: unknown integer type %q", name)
	}
	name := p.next()
	if n, ok := bpftraceInts[name]; ok {
		name = n
	}
	t, err := resolveType(p.ki.vmlinux(), "", name, 0)
	if err != nil {
		p.i--
		p.failf("%v", err)
	}
	return t
}

// isIntWord reports whether w is one of C's integer type words.
func isIntWord(w string) bool {
	switch w {
	case "unsigned", "signed", "char", "short", "int", "long", "_Bool", "bool":
		return true
	}
	return false
}

// bitfieldAt places a bit field of width bits whose type is unit bits
// wide, as the SysV ABI does: at bit pos, unless it would cross a
// boundary of its type's unit, then at the next one; a width of 0 only
// moves to that boundary.
func bitfieldAt(pos, width, unit int) int {
	if width == 0 || pos/unit != (pos+width-1)/unit {
		pos = (pos + unit - 1) / unit * unit
	}
	return pos
}

// declarator reads "*...NAME[N]...[: WIDTH]", returning the member's
// type, name and bit field width (0 for a whole member). An unnamed bit
// field (": WIDTH") is padding.
func (p *cparser) declarator(base btf.Type) (btf.Type, string, int) {
	t := base
	for p.peek() == "*" || p.peek() == "const" {
		if p.next() == "*" {
			t = &btf.Pointer{Target: t}
		}
	}
	if p.peek() == ":" {
		return t, "", p.bitWidth(t)
	}
	name := p.next()
	if !isIdent(name) {
		p.i--
		p.failf("C definition: want a member name, got %q", name)
	}
	var dims []uint32
	for p.peek() == "[" {
		p.next()
		n, err := strconv.ParseUint(p.peek(), 0, 32)
		if err != nil {
			p.failf("C definition: want an array length, got %q", p.peek())
		}
		p.next()
		p.expect("]")
		dims = append(dims, uint32(n))
	}
	for i := len(dims) - 1; i >= 0; i-- {
		t = &btf.Array{Index: cIntegers["u32"], Type: t, Nelems: dims[i]}
	}
	if p.peek() == ":" {
		return t, name, p.bitWidth(t)
	}
	return t, name, 0
}

// bitWidth reads ": WIDTH" after a bit field of type t.
func (p *cparser) bitWidth(t btf.Type) int {
	p.expect(":")
	w, err := strconv.ParseUint(p.peek(), 0, 8)
	switch under(t).(type) {
	case *btf.Int, *btf.Enum:
	default:
		p.failf("C definition: a bit field must be an integer, not %s", kernel.CType(t))
	}
	if err != nil || int(w) > sizeof(t)*8 {
		p.failf("C definition: want a bit field width up to %d, got %q", sizeof(t)*8, p.peek())
	}
	p.next()
	return int(w)
}

func isIdent(s string) bool {
	return s != "" && isSymbolByte(s[0]) && (s[0] < '0' || s[0] > '9')
}

// calign is the alignment of t on this ABI: its size for integers and
// pointers, its element's for arrays, its widest member's for structs
// and unions.
func calign(t btf.Type) int {
	switch u := under(t).(type) {
	case *btf.Array:
		return calign(u.Type)
	case *btf.Struct:
		return membersAlign(u.Members)
	case *btf.Union:
		return membersAlign(u.Members)
	}
	return max(1, min(8, sizeof(t)))
}

func membersAlign(ms []btf.Member) int {
	a := 1
	for _, m := range ms {
		a = max(a, calign(m.Type))
	}
	return a
}
