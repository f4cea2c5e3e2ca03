package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// mapText renders rows of a script map as bpftrace 0.17 prints it, at exit
// or for print(): one "@name[key, ...]: value" element per row, joined by
// newlines and followed by a newline; hist and lhist values start on the
// next line; avg and stats maps end with an extra empty line. An empty map
// prints only the terminating newline(s), as bpftrace does (buildRows
// gives a keyless count a row of 0).
func (r *renderer) mapText(info *spec.MapInfo, rows []mapRow) string {
	elems := make([]string, len(rows))
	for i, row := range rows {
		name := info.Name + r.keyText(info, row.key)
		switch info.Kind {
		case spec.MapHist:
			elems[i] = name + ": \n" + histText(row.buckets, row.div)
		case spec.MapLhist:
			elems[i] = name + ": \n" + lhistText(row.buckets, row.div, info.Min, info.Max, info.Step)
		case spec.MapStats:
			elems[i] = fmt.Sprintf("%s: count %d, average %d, total %d", name, row.count, row.num, row.total)
		default:
			elems[i] = name + ": " + r.valueText(info, row)
		}
	}
	end := "\n"
	if info.Kind == spec.MapAvg || info.Kind == spec.MapStats {
		end = "\n\n"
	}
	return strings.Join(elems, "\n") + end
}

// keyText renders a row's key as "[k1, k2]", or "" for a map without keys.
func (r *renderer) keyText(info *spec.MapInfo, key []byte) string {
	if len(info.Key) == 0 {
		return ""
	}
	return "[" + strings.Join(r.keyParts(info, key), ", ") + "]"
}

// keyParts renders each key field.
func (r *renderer) keyParts(info *spec.MapInfo, key []byte) []string {
	parts := make([]string, len(info.Key))
	for i, f := range info.Key {
		if f.Render == spec.RenderStrftime || f.Render == spec.RenderCgroupPath || f.Render == spec.RenderEnum {
			parts[i] = r.field(fieldOf(key, f), f)
			continue
		}
		if isAggregate(f) {
			parts[i] = r.aggregateText(fieldOf(key, f), f, true)
			continue
		}
		parts[i] = r.key(fieldOf(key, f), f.Render)
	}
	return parts
}

// valueText renders the value of a row that is not a histogram or stats.
func (r *renderer) valueText(info *spec.MapInfo, row mapRow) string {
	rd := renderOf(info.Value)
	switch {
	case info.Kind == spec.MapScalar && !isIntegerRender(rd):
		return row.text
	case info.Kind == spec.MapCount, info.Kind == spec.MapScalar && rd == spec.RenderUnsigned:
		return strconv.FormatUint(uint64(row.num), 10)
	}
	return strconv.FormatInt(row.num, 10)
}
