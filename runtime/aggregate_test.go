package runtime

import (
	"encoding/binary"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestAggregateRender checks structs and arrays as bpftrace prints them:
// a value with spaces, a map key without, JSON as an object and arrays.
func TestAggregateRender(t *testing.T) {
	// struct { int m; struct { short x[2]; char s[4]; } in; int y[2][1]; }
	x := &spec.Field{Name: "x", Offset: 0, Size: 4, Render: spec.RenderArray, Elems: []*spec.Field{
		{Offset: 0, Size: 2, Render: spec.RenderSigned}, {Offset: 2, Size: 2, Render: spec.RenderSigned}}}
	in := &spec.Field{Name: "in", Offset: 4, Size: 8, Render: spec.RenderStruct, Elems: []*spec.Field{
		x, {Name: "s", Offset: 4, Size: 4, Render: spec.RenderString}}}
	row := func(off int) *spec.Field {
		return &spec.Field{Offset: off, Size: 4, Render: spec.RenderArray, Elems: []*spec.Field{{Size: 4, Render: spec.RenderUnsigned}}}
	}
	y := &spec.Field{Name: "y", Offset: 12, Size: 8, Render: spec.RenderArray, Elems: []*spec.Field{row(0), row(4)}}
	f := &spec.Field{Size: 20, Render: spec.RenderStruct, Elems: []*spec.Field{
		{Name: "m", Offset: 0, Size: 4, Render: spec.RenderSigned}, in, y}}
	b := make([]byte, 20)
	binary.NativeEndian.PutUint32(b[0:], uint32(0xfffffffe)) // -2
	binary.NativeEndian.PutUint16(b[4:], 7)
	binary.NativeEndian.PutUint16(b[6:], 0xffff) // -1
	copy(b[8:], "ab\x00z")
	binary.NativeEndian.PutUint32(b[12:], 5)
	binary.NativeEndian.PutUint32(b[16:], 6)

	ptr := &spec.Field{Size: 8, Render: spec.RenderStruct, Elems: []*spec.Field{{Name: "p", Size: 8, Render: spec.RenderHex}}}

	r := testRenderer()
	for _, tc := range []struct{ name, got, want string }{
		{"value", r.field(b, f), "{ .m = -2, .in = { .x = [7,-1], .s = ab }, .y = [[5],[6]] }"},
		{"key", r.keyText(&spec.MapInfo{Key: []*spec.Field{f}}, b), "[{.m=-2,.in={.x=[7,-1],.s=ab},.y=[[5],[6]]}]"},
		{"json", r.jsonField(b, f), `{ "m": -2, "in": { "x": [7,-1], "s": "ab" }, "y": [[5],[6]] }`},
		{"pointer value", r.field(b[12:20], ptr), "{ .p = 25769803781 }"},
		{"pointer key", r.keyText(&spec.MapInfo{Key: []*spec.Field{ptr}}, b[12:20]), "[{.p=0x600000005}]"},
		{"pointer json", r.jsonField(b[12:20], ptr), `{ "p": 25769803781 }`},
		{"json array", r.jsonField(b[12:], &spec.Field{Size: 8, Render: spec.RenderArray, Elems: y.Elems}), "[[5],[6]]"},
		{"tuple", r.field(b, &spec.Field{Size: 20, Render: spec.RenderTuple, Elems: []*spec.Field{
			{Offset: 0, Size: 4, Render: spec.RenderSigned}, {Offset: 4, Size: 8, Render: spec.RenderStruct, Elems: in.Elems}}}),
			"(-2, { .x = [7,-1], .s = ab })"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}
