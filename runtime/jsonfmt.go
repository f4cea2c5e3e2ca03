package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// jsonString quotes s as bpftrace's JSON output does: \" \\ \n \r \t,
// other control bytes as \u00XX, everything else as is.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// jsonMessage renders bpftrace's {"type": T, "data": "text"} object.
func jsonMessage(typ, text string) string {
	return fmt.Sprintf(`{"type": %s, "data": %s}`+"\n", jsonString(typ), jsonString(text))
}

// isNumericRender reports whether values of rd are JSON numbers.
func isNumericRender(rd spec.Render) bool {
	return isIntegerRender(rd) || rd == spec.RenderBE
}

// jsonValue renders a field's bytes as a JSON value: a number for the
// decimal renders, a string of the rendered text otherwise.
func (r *renderer) jsonValue(b []byte, rd spec.Render) string {
	if isNumericRender(rd) {
		return r.text(b, rd)
	}
	return jsonString(r.text(b, rd))
}

// jsonField is jsonValue for field f: a tuple is an array of its parts.
func (r *renderer) jsonField(b []byte, f *spec.Field) string {
	if f != nil && (f.Render == spec.RenderEnum || spec.IsUserRender(f.Render)) {
		return jsonString(r.field(b, f))
	}
	if isAggregate(f) {
		return r.aggregateJSON(b, f)
	}
	if f == nil || f.Render != spec.RenderTuple {
		return r.jsonValue(b, renderOf(f))
	}
	parts := make([]string, len(f.Elems))
	for i, e := range f.Elems {
		parts[i] = r.jsonField(fieldOf(b, e), e)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// jsonRaw renders a field's bytes as they were read: the host-order
// unsigned integer for fields of 1, 2, 4 or 8 bytes, hex text otherwise.
func jsonRaw(b []byte) string {
	switch len(b) {
	case 1, 2, 4, 8:
		return strconv.FormatUint(render.Uint(b), 10)
	}
	return jsonString(fmt.Sprintf("%x", b))
}

// traceJSON renders an EventTrace record as surftrace's "event" object.
func (p *printer) traceJSON(probe *spec.Probe, rec *record) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"event","probe":%s,"time":%d.%06d,"cpu":%d,"pid":%d,"tgid":%d,"comm":%s,"where":%s,"fields":{`,
		jsonString(probe.Name), rec.nsecs/1e9, rec.nsecs%1e9/1e3, rec.cpu, rec.tid(), rec.tgid(),
		jsonString(rec.comm()), jsonString(p.where(probe, rec)))
	sep := ""
	for _, f := range rec.event.Fields {
		if f.Render == spec.RenderStackID {
			continue
		}
		raw := rec.field(f)
		fmt.Fprintf(&b, `%s%s:{"value":%s,"raw":%s}`, sep, jsonString(f.Name), p.r.jsonValue(raw, f.Render), jsonRaw(raw))
		sep = ","
	}
	b.WriteString("}")
	if ids := stackIDs(rec); len(ids) > 0 {
		var frames []string
		for _, id := range ids {
			for _, f := range p.ftraceStack(id) {
				frames = append(frames, jsonString(f))
			}
		}
		b.WriteString(`,"stack":[` + strings.Join(frames, ",") + "]")
	}
	b.WriteString("}\n")
	return b.String()
}
