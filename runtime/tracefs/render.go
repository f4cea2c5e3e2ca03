package tracefs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// Format renders ev exactly as the bpf backend prints a trace record:
// "%16s-%-7d [%03d] %d.%06d: NAME: (LOC) name=value ...". A tracepoint's
// LOC is "subsys:event"; its fields are taken from the event's own text
// ("field=value" there), or when the text does not show them all, or the
// line named none, the text itself follows.
func (ev *Event) Format() string {
	var b strings.Builder
	render.Header(&b, ev.Comm, ev.Pid, ev.CPU, ev.Sec*1e9+ev.Usec*1e3, ev.Probe.Name, ev.Loc)
	if ev.Probe.Kind == spec.AttachTracepoint {
		if ev.Values != nil {
			for i, f := range ev.Probe.Fields {
				fmt.Fprintf(&b, " %s=%s", f.Name, ev.Values[i])
			}
		} else if fields, ok := tpFields(ev.Probe.Fields, ev.Body); ok {
			b.WriteString(fields)
		} else if ev.Body != "" {
			b.WriteString(" " + ev.Body)
		}
		return b.String()
	}
	for i, f := range ev.Probe.Fields {
		fmt.Fprintf(&b, " %s=%s", f.Name, renderValue(f, ev.Values[i]))
	}
	return b.String()
}

// tpFields picks the fields of an e line out of a tracepoint's text
// "a=1 b=2 ...", as " name=value ...".
func tpFields(fields []*spec.FtraceField, body string) (string, bool) {
	if len(fields) == 0 {
		return "", false
	}
	values := map[string]string{}
	for _, tok := range strings.Fields(body) {
		if k, v, ok := strings.Cut(tok, "="); ok {
			values[k] = v
		}
	}
	var b strings.Builder
	for _, f := range fields {
		v, ok := values[f.TPField]
		if !ok {
			return "", false
		}
		fmt.Fprintf(&b, " %s=%s", f.Name, renderValue(f, v))
	}
	return b.String(), true
}

// renderValue converts a value as ftrace printed it for field f into what
// the bpf backend prints: it turns ftrace's text back into the bytes a BPF
// program would have copied (the raw fetched integer in host order, an
// array "{0x1,0x2}", a string) and renders them with package render, as
// the bpf backend does. Values ftrace could not fetch ("(fault)") stay as
// they are, and so do a tracepoint's own values except where a prefix
// asks for an address or a byte swap.
func renderValue(f *spec.FtraceField, v string) string {
	switch f.Render {
	case spec.RenderIPv6, spec.RenderMAC:
		b, ok := parseArray(v)
		if !ok {
			return v
		}
		s, _ := render.TraceValue(b, f.Render)
		return s
	case spec.RenderKsym:
		return sizeSuffix.ReplaceAllString(v, "$1")
	case spec.RenderString:
		if inner, ok := unquote(v); ok {
			// ftrace's string fetch has no length; cut it where the bpf
			// backend's bounded copy (Size bytes with the NUL) stops.
			if f.Size > 0 && len(inner) > f.Size-1 {
				inner = inner[:f.Size-1]
			}
			return render.Quote(inner)
		}
		if f.Type == "" {
			// A tracepoint's own %s prints bare; the bpf backend quotes.
			return renderValue(f, `"`+v+`"`)
		}
		return v
	case spec.RenderIPv4, spec.RenderBE, spec.RenderBEHex:
		if f.Size == 0 {
			return v
		}
	default:
		if f.Type == "" {
			return v // a tracepoint prints its own numbers
		}
	}
	n, ok := parseInt(v)
	if !ok {
		return v
	}
	size := f.Size
	if size == 0 {
		size = 8
	}
	s, _ := render.TraceValue(render.PutUint(n, size), f.Render)
	return s
}

// parseInt reads an integer as ftrace prints u, s and x fetches.
func parseInt(v string) (uint64, bool) {
	if strings.HasPrefix(v, "-") {
		n, err := strconv.ParseInt(v, 10, 64)
		return uint64(n), err == nil
	}
	n, err := strconv.ParseUint(v, 0, 64)
	return n, err == nil
}

// unquote strips the double quotes ftrace puts around a string fetch.
func unquote(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	return v[1 : len(v)-1], true
}

// parseArray parses ftrace's array print "{0x20,0x1,...}".
func parseArray(v string) ([]byte, bool) {
	inner, ok := strings.CutPrefix(v, "{")
	inner, ok2 := strings.CutSuffix(inner, "}")
	if !ok || !ok2 {
		return nil, false
	}
	var out []byte
	for _, s := range strings.Split(inner, ",") {
		n, err := strconv.ParseUint(s, 0, 8)
		if err != nil {
			return nil, false
		}
		out = append(out, byte(n))
	}
	return out, true
}

// fieldsValues renders the fields of an e line from a tracepoint's text as
// options/fields prints it: "a=0x1f (31) comm=bash ...", every field of
// p.TPFields in order, integers in hex then decimal, strings bare. It
// returns each of p.Fields as the bpf backend prints it, or nil when body
// is not that text.
func fieldsValues(p *spec.FtraceProbe, body string) []string {
	raw := map[string]string{}
	s := body
	for i, name := range p.TPFields {
		rest, ok := strings.CutPrefix(s, name+"=")
		if !ok {
			return nil
		}
		end := len(rest)
		if i+1 < len(p.TPFields) {
			if j := strings.Index(rest, " "+p.TPFields[i+1]+"="); j >= 0 {
				end = j
			} else {
				return nil
			}
		}
		raw[name], s = rest[:end], strings.TrimPrefix(rest[end:], " ")
	}
	out := make([]string, len(p.Fields))
	for i, f := range p.Fields {
		v, ok := raw[f.TPField]
		if !ok {
			return nil
		}
		out[i] = fieldsValue(f, v)
	}
	return out
}

// fieldsValue renders one value as options/fields printed it.
func fieldsValue(f *spec.FtraceField, v string) string {
	switch f.Render {
	case spec.RenderString:
		if strings.HasPrefix(v, "(0x") && strings.HasSuffix(v, ")") {
			// A char * field: options/fields shows where the pointer
			// lies in the ring buffer ("(0xADDR)", or "(0xADDR:text)" for
			// a kernel string), not the string the bpf backend reads.
			return v
		}
		if f.Size > 0 && len(v) > f.Size-1 {
			v = v[:f.Size-1]
		}
		return render.Quote(v)
	case spec.RenderBytes:
		// An array up to 8 bytes prints as one integer in host order;
		// a longer one as "<INVALID-SIZE>", which stays.
		if f.Size > 8 {
			return v
		}
	}
	var n uint64
	var err error
	if hex, _, _ := strings.Cut(v, " "); strings.HasPrefix(hex, "0x") {
		n, err = strconv.ParseUint(hex, 0, 64)
	} else if _, dec, ok := strings.Cut(v, "("); ok {
		var ok2 bool
		n, ok2 = parseInt(strings.TrimSuffix(dec, ")"))
		if !ok2 {
			return v
		}
	} else {
		return v
	}
	if err != nil || f.Size == 0 {
		return v
	}
	b := render.PutUint(n, f.Size)
	if f.Render == spec.RenderEnum {
		return render.Enum(b, f.Enum)
	}
	s, _ := render.TraceValue(b, f.Render)
	return s
}
