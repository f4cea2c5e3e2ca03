package kernel

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// TracepointField is one field of a tracepoint record, from its format
// file.
type TracepointField struct {
	Name    string
	CType   string // as declared: "unsigned int", "void *", "char[16]"
	Offset  int
	Size    int
	Signed  bool
	DataLoc bool // __data_loc: a u32 (len<<16 | offset) to a string in the record
	Array   int  // element count for "type name[N]"; 0 when not an array
	// Symbols are the names the print fmt's __print_symbolic(REC->Name,
	// ...) gives values of the field, as ftrace shows it; nil for none.
	Symbols map[uint64]string
	// SymbolIdents are the __print_symbolic entries whose value the
	// kernel left as an enumerator's name ({ TCP_ESTABLISHED,
	// "TCP_ESTABLISHED" }): name -> shown text, resolved through BTF.
	SymbolIdents map[string]string
}

// IsString reports whether the field holds text.
func (f *TracepointField) IsString() bool {
	return f.DataLoc || (f.Array > 0 && strings.HasPrefix(f.CType, "char"))
}

// IsPointer reports whether the field holds an address.
func (f *TracepointField) IsPointer() bool {
	return strings.HasSuffix(f.CType, "*") && f.Size == 8
}

// ParseFormat parses a tracepoint format file's "field:" lines.
func ParseFormat(text string) ([]*TracepointField, error) {
	var fields []*TracepointField
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "field:") {
			continue
		}
		f, err := parseFormatLine(line)
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("format has no fields")
	}
	for _, m := range printSymbolic.FindAllStringSubmatch(text, -1) {
		for _, f := range fields {
			if f.Name == m[1] {
				f.Symbols, f.SymbolIdents = symbolTable(m[2])
			}
		}
	}
	return fields, nil
}

// printSymbolic finds __print_symbolic(REC->field, { 1, "A" }, ...) in a
// print fmt; symbolEntry is one { value, "name" }.
var (
	printSymbolic = regexp.MustCompile(`__print_symbolic\(REC->(\w+),((?:\s*\{\s*-?\w+\s*,\s*"[^"]*"\s*\}\s*,?)+)\)`)
	symbolEntry   = regexp.MustCompile(`\{\s*(-?\w+)\s*,\s*"([^"]*)"\s*\}`)
)

// symbolTable parses the { value, "name" } entries of __print_symbolic:
// numbers, and apart the enumerator names the kernel did not replace.
func symbolTable(entries string) (map[uint64]string, map[string]string) {
	names := map[uint64]string{}
	var idents map[string]string
	for _, e := range symbolEntry.FindAllStringSubmatch(entries, -1) {
		if n, err := strconv.ParseInt(e[1], 0, 64); err == nil {
			names[uint64(n)] = e[2]
		} else if n, err := strconv.ParseUint(e[1], 0, 64); err == nil {
			names[n] = e[2]
		} else {
			if idents == nil {
				idents = map[string]string{}
			}
			idents[e[1]] = e[2]
		}
	}
	return names, idents
}

// parseFormatLine parses
// "field:unsigned int len;	offset:12;	size:4;	signed:0;".
func parseFormatLine(line string) (*TracepointField, error) {
	f := &TracepointField{}
	for _, part := range strings.Split(line, ";") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			continue
		}
		var err error
		switch key {
		case "field":
			err = f.parseDecl(strings.TrimSpace(val))
		case "offset":
			f.Offset, err = strconv.Atoi(val)
		case "size":
			f.Size, err = strconv.Atoi(val)
		case "signed":
			f.Signed = val == "1"
		}
		if err != nil {
			return nil, fmt.Errorf("format line %q: %v", line, err)
		}
	}
	if f.Name == "" || f.Size <= 0 {
		return nil, fmt.Errorf("format line %q: no field name or size", line)
	}
	return f, nil
}

// parseDecl splits a C declaration "TYPE NAME[N]" into its parts.
func (f *TracepointField) parseDecl(decl string) error {
	if rest, ok := strings.CutPrefix(decl, "__data_loc "); ok {
		f.DataLoc = true
		decl = rest
	}
	i := strings.LastIndexAny(decl, " *")
	if i < 0 {
		return fmt.Errorf("no type in %q", decl)
	}
	f.CType, f.Name = strings.TrimSpace(decl[:i+1]), decl[i+1:]
	if name, dim, ok := strings.Cut(f.Name, "["); ok {
		f.Name = name
		n, err := strconv.Atoi(strings.TrimSuffix(dim, "]"))
		if err != nil {
			return fmt.Errorf("bad array size in %q", decl)
		}
		f.Array = n
	}
	return nil
}
