// Package render is the one place where surftrace turns a value's raw
// bytes into text, for both backends: runtime renders the fields of BPF
// records with it, runtime/tracefs converts what ftrace printed back into
// bytes and renders them with it too, so a trace line is the same bytes
// whichever backend ran it.
//
// It renders what needs nothing but the bytes; renderings that need the
// kernel (symbols, stacks) stay in runtime. It imports compiler for the
// Render kinds and nothing else of surftrace.
package render

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/surftrace/surftrace/spec"
)

// Header writes the start of a trace line as ftrace's trace_pipe shows it,
// without the flags column: comm right-aligned in 16 columns, "-", the
// thread id, the CPU, monotonic seconds.micros, the probe's name and,
// in parentheses, where it fired.
func Header(b *strings.Builder, comm string, tid, cpu int, nsecs uint64, probe, where string) {
	fmt.Fprintf(b, "%16s-%-7d [%03d] %d.%06d: %s: (%s)",
		comm, tid, cpu, nsecs/1e9, nsecs%1e9/1e3, probe, where)
}

// Value renders b by rd, as the value of a script's printout or map. It
// reports false for the renders that need the kernel (RenderKsym,
// RenderSym, RenderStackID).
func Value(b []byte, rd spec.Render) (string, bool) {
	switch rd {
	case spec.RenderSigned:
		return strconv.FormatInt(Int(b), 10), true
	case spec.RenderHex:
		return "0x" + strconv.FormatUint(Uint(b), 16), true
	case spec.RenderString:
		return CString(b), true
	case spec.RenderIPv4, spec.RenderIPv6:
		return IP(b), true
	case spec.RenderMAC:
		return MAC(b), true
	case spec.RenderMACUpper:
		return strings.ToUpper(MAC(b)), true
	case spec.RenderStrerror:
		return Strerror(Int(b)), true
	case spec.RenderBE:
		return strconv.FormatUint(BE(b), 10), true
	case spec.RenderBEHex:
		return "0x" + strconv.FormatUint(BE(b), 16), true
	case spec.RenderBytes:
		return Bytes(b), true
	case spec.RenderBuf:
		return Buf(b), true
	case spec.RenderKsym, spec.RenderSym, spec.RenderStackID:
		return "", false
	}
	return strconv.FormatUint(Uint(b), 10), true
}

// TraceValue is Value for a name=value pair of a trace line: strings are
// quoted as ftrace quotes string fields.
func TraceValue(b []byte, rd spec.Render) (string, bool) {
	if rd == spec.RenderString {
		return Quote(CString(b)), true
	}
	return Value(b, rd)
}

// Enum renders an enum value by name, as ftrace's __print_symbolic does,
// or in decimal when names has none for it.
func Enum(b []byte, names map[uint64]string) string {
	if name, ok := names[Uint(b)]; ok {
		return name
	}
	return strconv.FormatUint(Uint(b), 10)
}

// Uint reads a host-order unsigned integer of len(b) bytes (at most 8).
func Uint(b []byte) uint64 {
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

// Int reads a host-order two's complement integer of len(b) bytes.
func Int(b []byte) int64 {
	n := min(len(b), 8)
	if n == 0 {
		return 0
	}
	shift := uint(64 - 8*n)
	return int64(Uint(b[:n])<<shift) >> shift
}

// BE reads a network-order unsigned integer of len(b) bytes.
func BE(b []byte) uint64 {
	var v uint64
	for _, c := range b[:min(len(b), 8)] {
		v = v<<8 | uint64(c)
	}
	return v
}

// PutUint stores the low size bytes of v in host order, the inverse of
// Uint: the bytes a BPF program would have copied.
func PutUint(v uint64, size int) []byte {
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], v)
	return buf[:min(max(size, 0), 8)]
}

// CString returns b up to its first NUL.
func CString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Quote wraps s in double quotes as ftrace prints string fields, escaping
// control bytes so a record cannot break the line.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, `\x%02x`, c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// IP renders 4 or 16 network-order bytes as an address.
func IP(b []byte) string {
	addr, ok := netip.AddrFromSlice(b)
	if !ok {
		return Bytes(b)
	}
	return addr.String()
}

// MAC renders bytes as aa:bb:cc:dd:ee:ff.
func MAC(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// Strerror renders errno n as C's strerror does: "Operation not
// permitted".
func Strerror(n int64) string {
	s := syscall.Errno(n).Error()
	if s == "" || strings.HasPrefix(s, "errno ") {
		return fmt.Sprintf("Unknown error %d", n) // glibc's words
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Bytes renders bytes as \x.. escapes, as bpftrace prints buf().
func Bytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, `\x%02x`, c)
	}
	return s.String()
}

// Buf renders bytes as bpftrace prints a buf() value: printable ASCII
// as is, every other byte as \xNN.
func Buf(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			s.WriteByte(c)
			continue
		}
		fmt.Fprintf(&s, `\x%02x`, c)
	}
	return s.String()
}
