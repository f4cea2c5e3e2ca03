package tracefs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// fmtField is one field of an event record as its format file (or
// events/header_page) describes it: "field:TYPE NAME;	offset:N;	size:N;
// signed:N;".
type fmtField struct {
	Name   string
	Type   string // the declaration without the name: "unsigned long", "__data_loc char[]"
	Offset int
	Size   int
	Signed bool
	// Loc is "__data_loc" or "__rel_loc" for a dynamic field (the record
	// holds a u32: length<<16 | offset), "" for a field stored in place.
	Loc string
	// Array is N of "NAME[N]", 0 for a scalar.
	Array int
}

// fmtFieldLine matches one field line of a format file.
var fmtFieldLine = regexp.MustCompile(`field:\s*([^;]*?)\s*;\s*offset:\s*(\d+)\s*;\s*size:\s*(\d+)\s*;\s*signed:\s*(\d+)\s*;`)

// fmtDecl splits a declaration "TYPE NAME[N]" into type, name and N.
var fmtDecl = regexp.MustCompile(`^(.*?)\s*([A-Za-z_][A-Za-z_0-9]*)\s*(?:\[(\d*)\])?$`)

// parseFields reads the field lines of a format file, in order.
func parseFields(text string) ([]fmtField, error) {
	var out []fmtField
	for _, m := range fmtFieldLine.FindAllStringSubmatch(text, -1) {
		d := fmtDecl.FindStringSubmatch(m[1])
		if d == nil {
			return nil, fmt.Errorf("field %q: cannot read the declaration", m[1])
		}
		f := fmtField{Name: d[2], Type: d[1], Signed: m[4] == "1"}
		f.Offset, _ = strconv.Atoi(m[2])
		f.Size, _ = strconv.Atoi(m[3])
		if d[3] != "" {
			f.Array, _ = strconv.Atoi(d[3])
		}
		for _, loc := range []string{"__data_loc", "__rel_loc"} {
			if t, ok := strings.CutPrefix(f.Type, loc+" "); ok {
				f.Loc, f.Type = loc, strings.TrimSpace(t)
			}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no fields")
	}
	return out, nil
}

// eventFormat is an event's format file: its id and its record's fields.
type eventFormat struct {
	ID     uint16
	Fields []fmtField
}

// fmtID matches a format file's "ID: N" line.
var fmtID = regexp.MustCompile(`(?m)^ID:\s*(\d+)\s*$`)

// parseFormat reads an event's format file.
func parseFormat(text string) (*eventFormat, error) {
	var ev eventFormat
	idLine := fmtID.FindStringSubmatch(text)
	if idLine == nil {
		return nil, fmt.Errorf("no ID line")
	}
	id, err := strconv.ParseUint(idLine[1], 10, 16)
	if err != nil {
		return nil, fmt.Errorf("ID %s: %w", idLine[1], err)
	}
	ev.ID = uint16(id)
	if ev.Fields, err = parseFields(text); err != nil {
		return nil, err
	}
	return &ev, nil
}

// field returns the field named name.
func (ev *eventFormat) field(name string) (fmtField, bool) {
	for _, f := range ev.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return fmtField{}, false
}

// bytes returns the bytes of f in rec: the field in place, or for a
// dynamic field the bytes its offset and length point to. ok is false
// when rec is too short for them.
func (f fmtField) bytes(rec []byte) (b []byte, ok bool) {
	if f.Offset < 0 || f.Offset+f.Size > len(rec) {
		return nil, false
	}
	if f.Loc == "" {
		return rec[f.Offset : f.Offset+f.Size], true
	}
	if f.Size != 4 {
		return nil, false
	}
	v := uint32(rec[f.Offset]) | uint32(rec[f.Offset+1])<<8 | uint32(rec[f.Offset+2])<<16 | uint32(rec[f.Offset+3])<<24
	off, n := int(v&0xffff), int(v>>16)
	if f.Loc == "__rel_loc" { // relative to the end of the field
		off += f.Offset + f.Size
	}
	if off+n > len(rec) {
		return nil, false
	}
	return rec[off : off+n], true
}
