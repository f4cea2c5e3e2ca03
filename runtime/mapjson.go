package runtime

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// mapJSON renders rows of a script map as bpftrace 0.17's -f json object:
// {"type": "map"|"hist"|"stats", "data": {"@name": VALUE}}, VALUE being an
// object by joined key text for maps with keys. An empty map renders as
// "", as bpftrace prints nothing for it.
func (r *renderer) mapJSON(info *spec.MapInfo, rows []mapRow) string {
	if len(rows) == 0 {
		return ""
	}
	typ := "map"
	switch info.Kind {
	case spec.MapHist, spec.MapLhist:
		typ = "hist"
	case spec.MapAvg, spec.MapStats:
		typ = "stats"
	}
	elems := make([]string, len(rows))
	for i, row := range rows {
		val := r.rowJSON(info, row)
		if len(info.Key) > 0 {
			val = jsonString(strings.Join(r.keyParts(info, row.key), ",")) + ": " + val
		}
		elems[i] = val
	}
	data := strings.Join(elems, ", ")
	if len(info.Key) > 0 {
		data = "{" + data + "}"
	}
	return fmt.Sprintf(`{"type": %s, "data": {%s: %s}}`+"\n", jsonString(typ), jsonString(info.Name), data)
}

// rowJSON renders one row's value.
func (r *renderer) rowJSON(info *spec.MapInfo, row mapRow) string {
	switch info.Kind {
	case spec.MapHist:
		return histJSON(row.buckets)
	case spec.MapLhist:
		return lhistJSON(row.buckets, info.Min, info.Max, info.Step)
	case spec.MapStats:
		return fmt.Sprintf(`{"count": %d, "average": %d, "total": %d}`, row.count, row.num, row.total)
	case spec.MapScalar:
		if rd := renderOf(info.Value); rd == spec.RenderTuple || isAggregate(info.Value) {
			return r.jsonField(row.raw, info.Value)
		} else if !isNumericRender(rd) {
			return jsonString(row.text)
		} else if !isIntegerRender(rd) {
			return row.text
		}
	}
	return r.valueText(info, row)
}

// histJSON renders power-of-two buckets as bpftrace's list of
// {"min", "max", "count"} objects.
func histJSON(buckets []uint64) string {
	first, last, _ := histSpan(buckets)
	if last < 0 {
		return "[]"
	}
	var elems []string
	for i := first; i <= last; i++ {
		var bounds string
		switch i {
		case 0:
			bounds = `"max": -1, `
		case 1:
			bounds = `"min": 0, "max": 0, `
		default:
			lo := uint64(1) << uint(i-2)
			bounds = fmt.Sprintf(`"min": %d, "max": %d, `, lo, lo*2-1)
		}
		elems = append(elems, fmt.Sprintf(`{%s"count": %d}`, bounds, buckets[i]))
	}
	return "[" + strings.Join(elems, ", ") + "]"
}

// lhistJSON renders linear buckets as bpftrace's list of objects.
func lhistJSON(buckets []uint64, lo, hi, step int64) string {
	first, last, _ := lhistSpan(buckets, lo, hi, step)
	if last < 0 {
		return "[]"
	}
	n := int((hi - lo) / step)
	var elems []string
	for i := first; i <= last; i++ {
		var bounds string
		switch {
		case i == 0:
			bounds = fmt.Sprintf(`"max": %d, `, lo-1)
		case i == n+1:
			bounds = fmt.Sprintf(`"min": %d, `, hi)
		default:
			low := int64(i-1)*step + lo
			bounds = fmt.Sprintf(`"min": %d, "max": %d, `, low, low+step-1)
		}
		elems = append(elems, fmt.Sprintf(`{%s"count": %d}`, bounds, buckets[i]))
	}
	return "[" + strings.Join(elems, ", ") + "]"
}
