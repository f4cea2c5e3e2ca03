package runtime

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// appendPrintf appends a bpftrace printf format to dst with one argument
// per field, read from the payload. Conversions follow C's printf as
// bpftrace passes them through: %d %i %u %x %X %o %c %s %p %r and %%, with
// flags, width, precision and the length modifiers hh h l ll j z t; without
// a length modifier an integer conversion takes 32 bits, as in C. Escapes
// such as \n were already turned into bytes by the parser. Conversions
// without flags, width or precision (the common case, and every event of a
// busy printf) append without allocating.
func (r *renderer) appendPrintf(dst []byte, format string, fields []*spec.Field, payload []byte) []byte {
	arg := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		cv, n := parseConversion(format[i+1:])
		i += n
		if cv.verb == '%' {
			dst = append(dst, '%')
			continue
		}
		if cv.verb == 0 || arg >= len(fields) {
			dst = append(dst, '%')
			dst = append(dst, format[i-n+1:i+1]...)
			continue
		}
		f := fields[arg]
		arg++
		b := payload[f.Offset : f.Offset+f.Size]
		if cv.flags == "" {
			if out, ok := r.appendPlain(dst, cv, f, b); ok {
				dst = out
				continue
			}
		}
		dst = append(dst, r.convert(cv, f, b)...)
	}
	return dst
}

// appendPlain appends a conversion without flags, width or precision of
// a number or a string field; ok is false for the others, which convert
// renders.
func (r *renderer) appendPlain(dst []byte, cv conversion, f *spec.Field, b []byte) (_ []byte, ok bool) {
	if cv.verb == 's' {
		if f.Render != spec.RenderString {
			return dst, false
		}
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return append(dst, b...), true
	}
	if cv.verb == 'c' || cv.verb == 'p' || cv.verb == 'r' {
		return dst, false
	}
	u, signed := integer(cv, f, b)
	switch cv.verb {
	case 'd', 'i':
		return strconv.AppendInt(dst, signed, 10), true
	case 'u':
		return strconv.AppendUint(dst, u, 10), true
	case 'o':
		return strconv.AppendUint(dst, u, 8), true
	case 'x':
		return strconv.AppendUint(dst, u, 16), true
	}
	n := len(dst) // 'X'
	dst = strconv.AppendUint(dst, u, 16)
	for i := n; i < len(dst); i++ {
		if dst[i] >= 'a' {
			dst[i] -= 'a' - 'A'
		}
	}
	return dst, true
}

// conversion is one parsed printf conversion.
type conversion struct {
	flags string // Go-compatible flags, width and precision: "-05", ".2"
	bits  int    // integer width from the length modifier
	verb  byte   // d i u x X o c s p r %, or 0 when malformed
	// hex is bpftrace's x or h after %r: every byte of the buffer in
	// hex, as \x48 escapes (x) or as "48 65" (h).
	hex byte
}

// parseConversion parses the conversion after a '%' and returns it with the
// number of bytes it spans.
func parseConversion(s string) (conversion, int) {
	i := 0
	for i < len(s) && strings.IndexByte("-+ #0.123456789", s[i]) >= 0 {
		i++
	}
	cv := conversion{flags: s[:i], bits: 32}
	switch {
	case strings.HasPrefix(s[i:], "hh"):
		cv.bits, i = 8, i+2
	case strings.HasPrefix(s[i:], "h"):
		cv.bits, i = 16, i+1
	case strings.HasPrefix(s[i:], "ll"):
		cv.bits, i = 64, i+2
	case i < len(s) && strings.IndexByte("ljzt", s[i]) >= 0:
		cv.bits, i = 64, i+1
	}
	if i < len(s) && strings.IndexByte("diuxXocspr%", s[i]) >= 0 {
		cv.verb = s[i]
		i++
	}
	if cv.verb == 'r' && i < len(s) && (s[i] == 'x' || s[i] == 'h') {
		cv.hex = s[i]
		i++
	}
	return cv, i
}

// hexBytes renders every byte of b in hex for %rx (\x48\x65) and %rh
// (48 65), as bpftrace does.
func hexBytes(b []byte, mode byte) string {
	var sb strings.Builder
	for i, c := range b {
		switch {
		case mode == 'x':
			fmt.Fprintf(&sb, "\\x%02x", c)
		case i > 0:
			fmt.Fprintf(&sb, " %02x", c)
		default:
			fmt.Fprintf(&sb, "%02x", c)
		}
	}
	return sb.String()
}

// convert renders one argument for conversion cv.
func (r *renderer) convert(cv conversion, f *spec.Field, b []byte) string {
	if cv.verb == 's' {
		return fmt.Sprintf("%"+cv.flags+"s", r.field(b, f))
	}
	if cv.verb == 'r' && cv.hex != 0 {
		return fmt.Sprintf("%"+cv.flags+"s", hexBytes(b, cv.hex))
	}
	if cv.verb == 'r' {
		return fmt.Sprintf("%"+cv.flags+"s", r.text(b, f.Render))
	}
	u, signed := integer(cv, f, b)
	switch cv.verb {
	case 'd', 'i':
		return fmt.Sprintf("%"+cv.flags+"d", signed)
	case 'c':
		return fmt.Sprintf("%"+cv.flags+"c", rune(byte(value(f, b))))
	case 'p':
		return fmt.Sprintf("%"+cv.flags+"s", fmt.Sprintf("0x%x", value(f, b)))
	default: // u x X o
		verb := string(cv.verb)
		if verb == "u" {
			verb = "d"
		}
		return fmt.Sprintf("%"+cv.flags+verb, u)
	}
}

// value reads an integer field as its render says: sign-extended,
// big-endian or host order.
func value(f *spec.Field, b []byte) uint64 {
	switch f.Render {
	case spec.RenderSigned:
		return uint64(render.Int(b))
	case spec.RenderBE, spec.RenderBEHex:
		return render.BE(b)
	}
	return render.Uint(b)
}

// integer cuts an integer field to the conversion's width: u unsigned,
// signed sign-extended from that width.
func integer(cv conversion, f *spec.Field, b []byte) (u uint64, signed int64) {
	u = value(f, b)
	if cv.bits < 64 {
		u &= uint64(1)<<cv.bits - 1
	}
	shift := uint(64 - cv.bits)
	return u, int64(u<<shift) >> shift
}
