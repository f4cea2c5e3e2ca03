package runtime

import (
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// sprintf formats a bpftrace printf format with one argument per field,
// read from the payload. Conversions follow C's printf as bpftrace passes
// them through: %d %i %u %x %X %o %c %s %p and %%, with flags, width,
// precision and the length modifiers hh h l ll j z t; without a length
// modifier an integer conversion takes 32 bits, as in C. Escapes such as
// \n were already turned into bytes by the parser.
func (r *renderer) sprintf(format string, fields []*spec.Field, payload []byte) string {
	var out strings.Builder
	arg := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		spec, n := parseConversion(format[i+1:])
		i += n
		if spec.verb == '%' {
			out.WriteByte('%')
			continue
		}
		if spec.verb == 0 || arg >= len(fields) {
			out.WriteString("%" + format[i-n+1:i+1])
			continue
		}
		f := fields[arg]
		arg++
		out.WriteString(r.convert(spec, f, payload[f.Offset:f.Offset+f.Size]))
	}
	return out.String()
}

// conversion is one parsed printf conversion.
type conversion struct {
	flags string // Go-compatible flags, width and precision: "-05", ".2"
	bits  int    // integer width from the length modifier
	verb  byte   // d i u x X o c s p r %, or 0 when malformed
}

// parseConversion parses the conversion after a '%' and returns it with the
// number of bytes it spans.
func parseConversion(s string) (conversion, int) {
	i := 0
	for i < len(s) && strings.IndexByte("-+ #0.123456789", s[i]) >= 0 {
		i++
	}
	spec := conversion{flags: s[:i], bits: 32}
	switch {
	case strings.HasPrefix(s[i:], "hh"):
		spec.bits, i = 8, i+2
	case strings.HasPrefix(s[i:], "h"):
		spec.bits, i = 16, i+1
	case strings.HasPrefix(s[i:], "ll"):
		spec.bits, i = 64, i+2
	case i < len(s) && strings.IndexByte("ljzt", s[i]) >= 0:
		spec.bits, i = 64, i+1
	}
	if i < len(s) && strings.IndexByte("diuxXocspr%", s[i]) >= 0 {
		spec.verb = s[i]
		i++
	}
	return spec, i
}

// convert renders one argument for conversion cv.
func (r *renderer) convert(cv conversion, f *spec.Field, b []byte) string {
	if cv.verb == 's' {
		return fmt.Sprintf("%"+cv.flags+"s", r.field(b, f))
	}
	if cv.verb == 'r' {
		return fmt.Sprintf("%"+cv.flags+"s", r.text(b, f.Render))
	}
	v := render.Uint(b)
	if f.Render == spec.RenderSigned {
		v = uint64(render.Int(b))
	}
	if f.Render == spec.RenderBE || f.Render == spec.RenderBEHex {
		v = render.BE(b)
	}
	mask := uint64(1)<<cv.bits - 1
	if cv.bits == 64 {
		mask = ^uint64(0)
	}
	u := v & mask
	switch cv.verb {
	case 'd', 'i':
		shift := uint(64 - cv.bits)
		return fmt.Sprintf("%"+cv.flags+"d", int64(u<<shift)>>shift)
	case 'c':
		return fmt.Sprintf("%"+cv.flags+"c", rune(byte(v)))
	case 'p':
		return fmt.Sprintf("%"+cv.flags+"s", fmt.Sprintf("0x%x", v))
	default: // u x X o
		verb := string(cv.verb)
		if verb == "u" {
			verb = "d"
		}
		return fmt.Sprintf("%"+cv.flags+verb, u)
	}
}
