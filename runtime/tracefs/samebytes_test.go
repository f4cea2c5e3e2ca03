package tracefs

import (
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// TestSameBytesAsBPF: what ftrace prints for a fetch, converted here,
// equals what the bpf backend prints for the bytes the fetch read.
func TestSameBytesAsBPF(t *testing.T) {
	for _, tc := range []struct {
		f     spec.FtraceField
		ftext string // as ftrace prints the fetch
		raw   []byte // as the BPF program copies the same memory
	}{
		{spec.FtraceField{Type: "u8", Size: 1}, "17", []byte{17}},
		{spec.FtraceField{Type: "s32", Size: 4, Render: spec.RenderSigned}, "-2", []byte{0xfe, 0xff, 0xff, 0xff}},
		{spec.FtraceField{Type: "x32", Size: 4, Render: spec.RenderHex}, "0x1f", []byte{0x1f, 0, 0, 0}},
		{spec.FtraceField{Type: "u32", Size: 4, Render: spec.RenderIPv4}, "3707830282", []byte{10, 0, 1, 221}},
		{spec.FtraceField{Type: "u16", Size: 2, Render: spec.RenderBE}, "1063", []byte{0x27, 0x04}},
		{spec.FtraceField{Type: "u16", Size: 2, Render: spec.RenderBEHex}, "1063", []byte{0x27, 0x04}},
		{spec.FtraceField{Type: "x8[6]", Size: 6, Render: spec.RenderMAC}, "{0x2,0x0,0x0,0x0,0x0,0x1}", []byte{2, 0, 0, 0, 0, 1}},
		{spec.FtraceField{Type: "string", Render: spec.RenderString}, "\"Hello\tWorld\"", []byte("Hello\tWorld\x00")},
	} {
		want, _ := render.TraceValue(tc.raw, tc.f.Render)
		if got := renderValue(&tc.f, tc.ftext); got != want {
			t.Errorf("%s %q: ftrace backend prints %q, bpf backend %q", tc.f.Type, tc.ftext, got, want)
		}
	}
}
