package script

import (
	"reflect"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// parseLine is the default LineParser, lang/line. It parses a copy of the
// file in which everything before the line is blanked (newlines kept), so
// that offsets, lines and columns are the file's; positions are then
// pointed back at src, so that error snippets show the file.
func parseLine(src *lang.Source, text string, offset, index int) ([]*lang.Probe, error) {
	before := []byte(src.Text[:offset])
	for i, c := range before {
		if c != '\n' {
			before[i] = ' '
		}
	}
	tmp := &lang.Source{Name: src.Name, Text: string(before) + text}
	prog, err := line.Parse(tmp, index)
	if err != nil {
		repoint(reflect.ValueOf(err), tmp, src)
		return nil, err
	}
	repoint(reflect.ValueOf(prog.Probes), tmp, src)
	return prog.Probes, nil
}

var posType = reflect.TypeOf(lang.Pos{})

// repoint sets every lang.Pos reachable from v that refers to from to
// refer to to instead.
func repoint(v reflect.Value, from, to *lang.Source) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			repoint(v.Elem(), from, to)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			repoint(v.Index(i), from, to)
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.CanSet() && v.Interface().(lang.Pos).Src == from {
				v.FieldByName("Src").Set(reflect.ValueOf(to))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			repoint(v.Field(i), from, to)
		}
	}
}
