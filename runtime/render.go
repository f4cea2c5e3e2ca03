package runtime

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/compiler"
)

// renderer turns raw field bytes into text according to a compiler.Render.
type renderer struct {
	syms   *symbols
	stacks stackReader // nil when the program takes no stacks
}

// stackReader returns the frames of a stack id in the stacks map.
type stackReader func(id int64) ([]uint64, error)

// Stack indentation as bpftrace prints kstack values and keys.
const (
	stackValueIndent = 8
	stackKeyIndent   = 4
)

// text renders b as a value outside trace lines: strings unquoted, stacks
// as bpftrace prints a kstack value.
func (r *renderer) text(b []byte, rd compiler.Render) string {
	return r.render(b, rd, stackValueIndent)
}

// key renders b as a map key element, as bpftrace prints keys.
func (r *renderer) key(b []byte, rd compiler.Render) string {
	return r.render(b, rd, stackKeyIndent)
}

// traceValue renders b for a name=value pair of a trace line: strings are
// quoted as ftrace quotes string fields.
func (r *renderer) traceValue(b []byte, rd compiler.Render) string {
	if rd == compiler.RenderString {
		return quote(cString(b))
	}
	return r.render(b, rd, stackValueIndent)
}

func (r *renderer) render(b []byte, rd compiler.Render, indent int) string {
	switch rd {
	case compiler.RenderSigned:
		return strconv.FormatInt(readInt(b), 10)
	case compiler.RenderHex:
		return "0x" + strconv.FormatUint(readUint(b), 16)
	case compiler.RenderString:
		return cString(b)
	case compiler.RenderIPv4, compiler.RenderIPv6:
		return ipText(b)
	case compiler.RenderMAC:
		return macText(b)
	case compiler.RenderBE:
		return strconv.FormatUint(readBE(b), 10)
	case compiler.RenderBEHex:
		return "0x" + strconv.FormatUint(readBE(b), 16)
	case compiler.RenderKsym:
		return r.syms.table().symbolize(readUint(b))
	case compiler.RenderStackID:
		return r.bpftraceStack(readInt(b), indent)
	case compiler.RenderBytes:
		return bytesText(b)
	default:
		return strconv.FormatUint(readUint(b), 10)
	}
}

// frames returns the addresses of stack id, stopping at the first zero.
func (r *renderer) frames(id int64) ([]uint64, error) {
	if id < 0 {
		return nil, fmt.Errorf("no stack (error %d)", id)
	}
	if r.stacks == nil {
		return nil, fmt.Errorf("no stacks map")
	}
	addrs, err := r.stacks(id)
	if err != nil {
		return nil, err
	}
	for i, a := range addrs {
		if a == 0 {
			return addrs[:i], nil
		}
	}
	return addrs, nil
}

// bpftraceStack renders a stack as bpftrace prints kstack: a newline, then
// one "symbol+decimal offset" line per frame, indented.
func (r *renderer) bpftraceStack(id int64, indent int) string {
	addrs, err := r.frames(id)
	if err != nil {
		return "[" + err.Error() + "]"
	}
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("\n")
	tab := r.syms.table()
	for _, a := range addrs {
		b.WriteString(pad)
		if s, off, ok := tab.lookup(a); ok {
			fmt.Fprintf(&b, "%s+%d\n", s.name, off)
		} else {
			fmt.Fprintf(&b, "0x%x\n", a)
		}
	}
	return b.String()
}

// readUint reads a host-order unsigned integer of len(b) bytes (at most 8).
func readUint(b []byte) uint64 {
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

// readInt reads a host-order two's complement integer of len(b) bytes.
func readInt(b []byte) int64 {
	n := min(len(b), 8)
	if n == 0 {
		return 0
	}
	shift := uint(64 - 8*n)
	return int64(readUint(b[:n])<<shift) >> shift
}

// readBE reads a network-order unsigned integer of len(b) bytes.
func readBE(b []byte) uint64 {
	var v uint64
	for _, c := range b[:min(len(b), 8)] {
		v = v<<8 | uint64(c)
	}
	return v
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// quote wraps s in double quotes as ftrace prints string fields, escaping
// control bytes so a record cannot break the line.
func quote(s string) string {
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

// ipText renders 4 or 16 network-order bytes as an address.
func ipText(b []byte) string {
	addr, ok := netip.AddrFromSlice(b)
	if !ok {
		return bytesText(b)
	}
	return addr.String()
}

// macText renders bytes as aa:bb:cc:dd:ee:ff.
func macText(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// bytesText renders bytes as \x.. escapes, as bpftrace prints buf().
func bytesText(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, `\x%02x`, c)
	}
	return s.String()
}
