package tracefs

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/compiler"
)

// Format renders ev exactly as the bpf backend prints a trace record:
// "%16s-%-7d [%03d] %d.%06d: NAME: (LOC) name=value ...". A tracepoint's
// LOC is "subsys:event"; its fields are taken from the event's own text
// ("field=value" there), or when the text does not show them all, or the
// line named none, the text itself follows.
func (ev *Event) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%16s-%-7d [%03d] %d.%06d: %s: (%s)", ev.Comm, ev.Pid, ev.CPU, ev.Sec, ev.Usec, ev.Probe.Name, ev.Loc)
	if ev.Probe.Kind == compiler.AttachTracepoint {
		if fields, ok := tpFields(ev.Probe.Fields, ev.Body); ok {
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
func tpFields(fields []*compiler.FtraceField, body string) (string, bool) {
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
// the bpf backend prints: ftrace shows the raw fetched integer (or an
// array "{0x1,0x2}"), the name prefix wants an address or byte-swapped
// number. Values ftrace could not fetch ("(fault)") stay as they are.
func renderValue(f *compiler.FtraceField, v string) string {
	switch f.Render {
	case compiler.RenderIPv4, compiler.RenderBE, compiler.RenderBEHex:
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil || f.Size == 0 {
			return v
		}
		return renderInt(f, n)
	case compiler.RenderIPv6, compiler.RenderMAC:
		b, ok := parseArray(v)
		if !ok {
			return v
		}
		return renderBytes(f.Render, b)
	case compiler.RenderKsym:
		return sizeSuffix.ReplaceAllString(v, "$1")
	}
	return v
}

// renderInt renders the raw f.Size-byte integer n, read in host order
// from bytes that are in network order.
func renderInt(f *compiler.FtraceField, n uint64) string {
	be := n
	switch f.Size {
	case 2:
		be = uint64(bits.ReverseBytes16(uint16(n)))
	case 4:
		be = uint64(bits.ReverseBytes32(uint32(n)))
	case 8:
		be = bits.ReverseBytes64(n)
	}
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		be = n // a big-endian host reads network order as it is
	}
	switch f.Render {
	case compiler.RenderIPv4:
		return netip.AddrFrom4([4]byte{byte(be >> 24), byte(be >> 16), byte(be >> 8), byte(be)}).String()
	case compiler.RenderBEHex:
		return "0x" + strconv.FormatUint(be, 16)
	}
	return strconv.FormatUint(be, 10)
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

// renderBytes renders an IPv6 address or a MAC address from its bytes.
func renderBytes(r compiler.Render, b []byte) string {
	if r == compiler.RenderIPv6 && len(b) == 16 {
		return netip.AddrFrom16([16]byte(b)).String()
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}
