package tracefs

import (
	"testing"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/runtime/render"
)

// TestSameBytesAsBPF: what ftrace prints for a fetch, converted here,
// equals what the bpf backend prints for the bytes the fetch read.
func TestSameBytesAsBPF(t *testing.T) {
	for _, tc := range []struct {
		f     compiler.FtraceField
		ftext string // as ftrace prints the fetch
		raw   []byte // as the BPF program copies the same memory
	}{
		{compiler.FtraceField{Type: "u8", Size: 1}, "17", []byte{17}},
		{compiler.FtraceField{Type: "s32", Size: 4, Render: compiler.RenderSigned}, "-2", []byte{0xfe, 0xff, 0xff, 0xff}},
		{compiler.FtraceField{Type: "x32", Size: 4, Render: compiler.RenderHex}, "0x1f", []byte{0x1f, 0, 0, 0}},
		{compiler.FtraceField{Type: "u32", Size: 4, Render: compiler.RenderIPv4}, "3707830282", []byte{10, 0, 1, 221}},
		{compiler.FtraceField{Type: "u16", Size: 2, Render: compiler.RenderBE}, "1063", []byte{0x27, 0x04}},
		{compiler.FtraceField{Type: "u16", Size: 2, Render: compiler.RenderBEHex}, "1063", []byte{0x27, 0x04}},
		{compiler.FtraceField{Type: "x8[6]", Size: 6, Render: compiler.RenderMAC}, "{0x2,0x0,0x0,0x0,0x0,0x1}", []byte{2, 0, 0, 0, 0, 1}},
		{compiler.FtraceField{Type: "string", Render: compiler.RenderString}, "\"Hello\tWorld\"", []byte("Hello\tWorld\x00")},
	} {
		want, _ := render.TraceValue(tc.raw, tc.f.Render)
		if got := renderValue(&tc.f, tc.ftext); got != want {
			t.Errorf("%s %q: ftrace backend prints %q, bpf backend %q", tc.f.Type, tc.ftext, got, want)
		}
	}
}
