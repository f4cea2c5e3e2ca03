package render

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

func TestTraceValue(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		rd   spec.Render
		want string
	}{
		{[]byte{17}, spec.RenderUnsigned, "17"},
		{[]byte{0xff, 0xff, 0xff, 0xff}, spec.RenderSigned, "-1"},
		{[]byte{0x1f, 0, 0, 0}, spec.RenderHex, "0x1f"},
		{[]byte{0x27, 0x04}, spec.RenderBE, "9988"},
		{[]byte{0x27, 0x04}, spec.RenderBEHex, "0x2704"},
		{[]byte{10, 0, 1, 221}, spec.RenderIPv4, "10.0.1.221"},
		{[]byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, spec.RenderIPv6, "2001:db8::1"},
		{[]byte{2, 0, 0, 0, 0, 1}, spec.RenderMAC, "02:00:00:00:00:01"},
		{[]byte{5, 4, 3, 2, 1, 0xa}, spec.RenderMACUpper, "05:04:03:02:01:0A"},
		{[]byte{1, 0, 0, 0, 0, 0, 0, 0}, spec.RenderStrerror, "Operation not permitted"},
		{[]byte{0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, spec.RenderStrerror, "Unknown error -5"},
		{[]byte("Hello\nWorld\x00junk"), spec.RenderString, `"Hello\x0aWorld"`},
		{[]byte{1, 2}, spec.RenderBytes, `\x01\x02`},
		{[]byte("a\tb~\x7f "), spec.RenderBuf, `a\x09b~\x7f `},
	} {
		got, ok := TraceValue(tc.b, tc.rd)
		if !ok || got != tc.want {
			t.Errorf("TraceValue(%x, %v) = %q, %v; want %q", tc.b, tc.rd, got, ok, tc.want)
		}
	}
	if _, ok := Value([]byte{1}, spec.RenderKsym); ok {
		t.Error("Value renders a kernel symbol without the kernel")
	}
}

func TestHeader(t *testing.T) {
	var b strings.Builder
	Header(&b, "nc", 2733784, 14, 12648619219880123, "p0", "ip_output+0x0")
	if want := "              nc-2733784 [014] 12648619.219880: p0: (ip_output+0x0)"; b.String() != want {
		t.Errorf("Header = %q, want %q", b.String(), want)
	}
}

func TestPutUintRoundTrip(t *testing.T) {
	for size, want := range map[int]uint64{1: 0x08, 2: 0x0708, 4: 0x05060708, 8: 0x0102030405060708} {
		if got := Uint(PutUint(0x0102030405060708, size)); got != want {
			t.Errorf("size %d: %#x, want %#x", size, got, want)
		}
	}
}
