package runtime

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// mapRow is one printable element of a script map, its per-CPU values
// merged and, for hist and lhist, its buckets gathered under its key.
type mapRow struct {
	key     []byte   // key bytes, without a hist bucket index
	num     int64    // count, sum, min, max, integer scalars; the average of avg
	text    string   // scalars that do not print as integers
	raw     []byte   // their bytes, for JSON
	div     uint64   // print(@m, top, div): hist counts show divided by div
	buckets []uint64 // hist and lhist
	count   int64    // avg and stats
	total   int64    // avg and stats
}

// isIntegerRender reports whether values of rd print as plain integers,
// which bpftrace sorts by value.
func isIntegerRender(rd spec.Render) bool {
	return rd == spec.RenderSigned || rd == spec.RenderUnsigned
}

// buildRows merges entries of the map described by info into rows sorted
// as bpftrace 0.17 sorts them: by value for count, sum, min, max and
// integer scalars; by total count for hist and lhist; by average for avg
// and stats; by key otherwise. Ties keep key order. A count without keys
// that has no element (never counted, or cleared) is one row of 0, as
// bpftrace 0.17 prints "@n: 0"; every other empty map has no rows.
func buildRows(info *spec.MapInfo, entries []mapEntry, r *renderer) []mapRow {
	if info.Kind == spec.MapHist || info.Kind == spec.MapLhist {
		return histRows(info, entries)
	}
	if info.Kind == spec.MapCount && len(info.Key) == 0 && len(entries) == 0 {
		return []mapRow{{}}
	}
	rows := make([]mapRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, valueRow(info, e, r))
	}
	sortByKey(info.Key, rows)
	switch info.Kind {
	case spec.MapCount:
		slices.SortStableFunc(rows, func(a, b mapRow) int { return cmp.Compare(uint64(a.num), uint64(b.num)) })
	case spec.MapScalar:
		if !isIntegerRender(renderOf(info.Value)) {
			break
		}
		if renderOf(info.Value) == spec.RenderUnsigned {
			slices.SortStableFunc(rows, func(a, b mapRow) int { return cmp.Compare(uint64(a.num), uint64(b.num)) })
			break
		}
		fallthrough
	default:
		slices.SortStableFunc(rows, func(a, b mapRow) int { return cmp.Compare(a.num, b.num) })
	}
	return rows
}

// valueRow merges one entry of a map that is not a histogram.
func valueRow(info *spec.MapInfo, e mapEntry, r *renderer) mapRow {
	row := mapRow{key: e.key}
	switch info.Kind {
	case spec.MapScalar:
		v := info.Value
		if !isIntegerRender(renderOf(v)) {
			row.raw = fieldOf(e.values[0], v)
			row.text = r.field(row.raw, v)
			break
		}
		for _, val := range e.values {
			b := fieldOf(val, v)
			if renderOf(v) == spec.RenderSigned {
				row.num += render.Int(b)
			} else {
				row.num += int64(render.Uint(b))
			}
		}
	case spec.MapMin, spec.MapMax:
		row.num = mergeExtreme(e.values, info.Kind == spec.MapMin)
	case spec.MapAvg, spec.MapStats:
		for _, val := range e.values {
			row.count += i64At(val, 0)
			row.total += i64At(val, 8)
		}
		if row.count != 0 {
			row.num = row.total / row.count
		}
	default: // count, sum
		for _, val := range e.values {
			row.num += i64At(val, 0)
		}
	}
	return row
}

// mergeExtreme merges per-CPU {value, set} minima or maxima, skipping the
// CPUs that never set a value; 0 when none did.
func mergeExtreme(values [][]byte, isMin bool) int64 {
	var out int64
	seen := false
	for _, val := range values {
		if i64At(val, 8) == 0 {
			continue // this CPU never saw a value
		}
		v := i64At(val, 0)
		if !seen || (isMin && v < out) || (!isMin && v > out) {
			out, seen = v, true
		}
	}
	return out
}

// maxBuckets bounds the bucket index of a hist or lhist key, so a corrupt
// key cannot make the printer allocate without limit.
const maxBuckets = 1 << 16

// histRows gathers hist and lhist buckets under their keys and sorts the
// keys by total count. The bucket index is the u32 after the key fields.
func histRows(info *spec.MapInfo, entries []mapEntry) []mapRow {
	keyLen := keySize(info.Key)
	byKey := map[string]*mapRow{}
	var rows []*mapRow
	for _, e := range entries {
		if len(e.key) < keyLen+4 {
			continue
		}
		bucket := int(binary.LittleEndian.Uint32(e.key[keyLen:]))
		if bucket > maxBuckets {
			continue
		}
		row := byKey[string(e.key[:keyLen])]
		if row == nil {
			row = &mapRow{key: e.key[:keyLen]}
			byKey[string(row.key)] = row
			rows = append(rows, row)
		}
		if bucket >= len(row.buckets) {
			row.buckets = append(row.buckets, make([]uint64, bucket+1-len(row.buckets))...)
		}
		for _, val := range e.values {
			n := i64At(val, 0)
			row.buckets[bucket] += uint64(n)
			row.num += n
		}
	}
	out := make([]mapRow, len(rows))
	for i, r := range rows {
		out[i] = *r
	}
	slices.SortFunc(out, func(a, b mapRow) int { return bytes.Compare(a.key, b.key) })
	slices.SortStableFunc(out, func(a, b mapRow) int { return cmp.Compare(a.num, b.num) })
	return out
}

// sortByKey orders rows by their key fields, the first field first:
// integers as unsigned numbers and strings byte-wise, as bpftrace does.
func sortByKey(key []*spec.Field, rows []mapRow) {
	slices.SortStableFunc(rows, func(a, b mapRow) int { return bytes.Compare(a.key, b.key) })
	for i := len(key) - 1; i >= 0; i-- {
		f := key[i]
		slices.SortStableFunc(rows, func(a, b mapRow) int {
			x, y := fieldOf(a.key, f), fieldOf(b.key, f)
			if f.Render == spec.RenderString {
				return cmp.Compare(render.CString(x), render.CString(y))
			}
			return cmp.Compare(render.Uint(x), render.Uint(y))
		})
	}
}

// keySize is the number of key bytes the fields occupy.
func keySize(key []*spec.Field) int {
	n := 0
	for _, f := range key {
		n = max(n, f.Offset+f.Size)
	}
	return n
}

// fieldOf returns f's bytes within b; a nil field means all of b.
func fieldOf(b []byte, f *spec.Field) []byte {
	if f == nil {
		return b
	}
	if f.Offset+f.Size > len(b) {
		return nil
	}
	return b[f.Offset : f.Offset+f.Size]
}

// renderOf returns f's render, decimal for a nil field.
func renderOf(f *spec.Field) spec.Render {
	if f == nil {
		return spec.RenderUnsigned
	}
	return f.Render
}

// i64At reads the s64 at off in b, or 0 when b is too short.
func i64At(b []byte, off int) int64 {
	if off+8 > len(b) {
		return 0
	}
	return render.Int(b[off : off+8])
}
