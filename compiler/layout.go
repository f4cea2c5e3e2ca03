package compiler

import "github.com/surftrace/surftrace/spec"

// layout assigns payload offsets to the fields of lp, then to its stack id
// and filter temporaries, and returns the record size (header included)
// and the scratch space the program needs.
func layout(lp *lineProbe) (stack, record, scratch int) {
	off := 0
	place := func(f *lineField) {
		align := 8 // strings and bytes: whole words copy faster
		if f.kind == fieldScalar {
			align = f.out.Size
		}
		off = (off + align - 1) / align * align
		f.out.Offset = off
		off += f.out.Size
	}
	for _, f := range lp.fields {
		place(f)
	}
	stack = -1
	if lp.stack {
		off = (off + 7) &^ 7
		stack = off
		off += 8
	}
	record = spec.HdrSize + (off+7)&^7
	for _, f := range lp.temps {
		place(f)
	}
	scratch = spec.HdrSize + (off+7)&^7
	return stack, record, scratch
}
