package runtime

import (
	"testing"

	"github.com/surftrace/surftrace/spec"
)

func TestRenders(t *testing.T) {
	r := testRenderer()
	ip6 := []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	for _, tc := range []struct {
		name  string
		b     []byte
		rd    spec.Render
		text  string
		trace string
	}{
		{"u8", []byte{200}, spec.RenderUnsigned, "200", "200"},
		{"u64", s64(-1), spec.RenderUnsigned, "18446744073709551615", ""},
		{"s8", []byte{0xff}, spec.RenderSigned, "-1", ""},
		{"s16", []byte{0xfe, 0xff}, spec.RenderSigned, "-2", ""},
		{"s32", u32(0x80000000), spec.RenderSigned, "-2147483648", ""},
		{"hex", u32(0xdead), spec.RenderHex, "0xdead", ""},
		{"string", str("Hello World", 16), spec.RenderString, "Hello World", `"Hello World"`},
		{"string full", []byte("abc"), spec.RenderString, "abc", `"abc"`},
		{"string control", []byte("a\nb\x00"), spec.RenderString, "a\nb", `"a\x0ab"`},
		{"ipv4", []byte{10, 0, 1, 221}, spec.RenderIPv4, "10.0.1.221", ""},
		{"ipv6", ip6, spec.RenderIPv6, "2001:db8::1", ""},
		{"mac", []byte{0, 0x1b, 0x21, 0xaa, 0xbb, 0xcc}, spec.RenderMAC, "00:1b:21:aa:bb:cc", ""},
		{"b16", []byte{0x27, 0x04}, spec.RenderBE, "9988", ""},
		{"b32", []byte{0, 0, 0x27, 0x04}, spec.RenderBE, "9988", ""},
		{"B16", []byte{0x27, 0x04}, spec.RenderBEHex, "0x2704", ""},
		{"ksym", s64(int64(-0x7e5d3c2b)), spec.RenderKsym, "ip_output+0x5", ""},
		{"ksym()", s64(int64(-0x7e5d3c2b)), spec.RenderSym, "ip_output", ""},
		{"bytes", []byte{0x41, 0}, spec.RenderBytes, `\x41\x00`, ""},
		{"stack without map", s64(3), spec.RenderStackID, "[no stacks map]", ""},
	} {
		if got := r.text(tc.b, tc.rd); got != tc.text {
			t.Errorf("%s: text = %q, want %q", tc.name, got, tc.text)
		}
		want := tc.trace
		if want == "" {
			want = tc.text
		}
		if got := r.traceValue(tc.b, tc.rd); got != want {
			t.Errorf("%s: trace value = %q, want %q", tc.name, got, want)
		}
	}
}

func TestStackRenders(t *testing.T) {
	r := testRenderer()
	r.stacks = func(id int64) ([]uint64, error) {
		return []uint64{0xffffffff81a2c3d5, 0xffffffffc0201010, 0, 0}, nil
	}
	if got, want := r.text(s64(1), spec.RenderStackID), "\n        ip_output+5\n        veth_xmit+16\n"; got != want {
		t.Errorf("value stack = %q, want %q", got, want)
	}
	if got, want := r.key(s64(1), spec.RenderStackID), "\n    ip_output+5\n    veth_xmit+16\n"; got != want {
		t.Errorf("key stack = %q, want %q", got, want)
	}
	// EFAULT: no frame (a perf event that interrupted user space),
	// which bpftrace prints as an empty stack; other errors say so.
	if got, want := r.text(s64(-14), spec.RenderStackID), ""; got != want {
		t.Errorf("empty stack = %q, want %q", got, want)
	}
	if got, want := r.text(s64(-17), spec.RenderStackID), "[no stack (error -17)]"; got != want {
		t.Errorf("failed stack = %q, want %q", got, want)
	}
}

func TestTupleRender(t *testing.T) {
	r := testRenderer()
	inner := &spec.Field{Offset: 24, Size: 16, Render: spec.RenderTuple, Elems: []*spec.Field{
		{Offset: 0, Size: 8, Render: spec.RenderUnsigned},
		{Offset: 8, Size: 8, Render: spec.RenderString},
	}}
	f := &spec.Field{Size: 40, Render: spec.RenderTuple, Elems: []*spec.Field{
		{Offset: 0, Size: 8, Render: spec.RenderSigned},
		{Offset: 8, Size: 16, Render: spec.RenderString},
		inner,
	}}
	b := append(append(append(s64(-1), str("two", 16)...), s64(2)...), str("n", 8)...)
	if got, want := r.field(b, f), "(-1, two, (2, n))"; got != want {
		t.Errorf("tuple text = %q, want %q", got, want)
	}
	if got, want := r.jsonField(b, f), `[-1,"two",[2,"n"]]`; got != want {
		t.Errorf("tuple json = %q, want %q", got, want)
	}
}

func TestMergeExtreme(t *testing.T) {
	unset := make([]byte, 16)
	set := func(v int64) []byte { return append(s64(v), s64(1)...) }
	for _, tc := range []struct {
		name   string
		values [][]byte
		isMin  bool
		want   int64
	}{
		{"min 0 beside unset", [][]byte{unset, set(0), set(3)}, true, 0},
		{"max 0 over negatives", [][]byte{set(-7), set(0), unset}, false, 0},
		{"max negative", [][]byte{unset, set(-3)}, false, -3},
		{"none set", [][]byte{unset, unset}, true, 0},
	} {
		if got := mergeExtreme(tc.values, tc.isMin); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}
