package runtime

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"
)

// traceFixture is seed 000's ip_output line, its kretprobe twin and a
// tracepoint, with one record each.
func traceFixture() (*printer, []*record) {
	fields := []*spec.Field{
		{Name: "proto", Offset: 0, Size: 1, Render: spec.RenderUnsigned},
		{Name: "ip_dst", Offset: 4, Size: 4, Render: spec.RenderIPv4},
		{Name: "b16_dest", Offset: 8, Size: 2, Render: spec.RenderBE},
		{Name: "comm", Offset: 10, Size: 16, Render: spec.RenderString},
		{Name: "body", Offset: 26, Size: 16, Render: spec.RenderString},
	}
	payload := cat([]byte{17, 0, 0, 0}, []byte{10, 0, 1, 221}, []byte{0x27, 0x04}, str("nc", 16), str("Hello World", 16))
	prog := &spec.Program{
		Probes: []*spec.Probe{
			{Index: 0, Name: "p0", Kind: spec.AttachKprobe, Target: "ip_output"},
			{Index: 1, Name: "r1", Kind: spec.AttachKretprobe, Target: "ip_output"},
			{Index: 2, Name: "e2", Kind: spec.AttachTracepoint, Target: "skb:kfree_skb"},
		},
		Events: []*spec.Event{
			{ID: 0, Kind: spec.EventTrace, Probe: 0, Fields: fields, Stack: 42},
			{ID: 1, Kind: spec.EventTrace, Probe: 1, Stack: -1, Fields: []*spec.Field{{Name: "r", Size: 8, Render: spec.RenderSigned}}},
			{ID: 2, Kind: spec.EventTrace, Probe: 2, Stack: -1},
		},
	}
	r := testRenderer()
	r.stacks = func(int64) ([]uint64, error) { return []uint64{0xffffffff81a2c3d0, 0xffffffffc0201010, 0}, nil }
	p := &printer{r: r, prog: prog}
	hdr := func(id uint32, cpu uint32) []byte {
		return cat(u32(id), u32(cpu), s64(12648619219880123), s64(2733784|2733784<<32), str("nc", 16), s64(int64(-0x7e5d3c2b+0x10)))
	}
	var recs []*record
	for _, raw := range [][]byte{
		cat(hdr(0, 14), payload, make([]byte, 42-len(payload)), s64(7)),
		cat(hdr(1, 3), s64(-22)),
		cat(hdr(2, 0)),
	} {
		rec := new(record)
		if err := decodeRecord(raw, prog.Events, rec); err != nil {
			panic(err)
		}
		recs = append(recs, rec)
	}
	return p, recs
}

func TestTraceLines(t *testing.T) {
	p, recs := traceFixture()
	var got strings.Builder
	for _, rec := range recs {
		got.WriteString(p.traceLine(p.prog.Probes[rec.event.Probe], rec))
	}
	want := `              nc-2733784 [014] 12648619.219880: p0: (ip_output+0x0) proto=17 ip_dst=10.0.1.221 b16_dest=9988 comm="nc" body="Hello World"
 => ip_output+0x0
 => veth_xmit+0x10 [veth]
              nc-2733784 [003] 12648619.219880: r1: (ip_output+0x15 <- ip_output) r=-22
              nc-2733784 [000] 12648619.219880: e2: (skb:kfree_skb)
`
	if got.String() != want {
		t.Errorf("trace lines\n--- got\n%s--- want\n%s", got.String(), want)
	}
}

func TestTraceJSON(t *testing.T) {
	p, recs := traceFixture()
	line := p.traceJSON(p.prog.Probes[0], recs[0])
	want := `{"type":"event","probe":"p0","time":12648619.219880,"cpu":14,"pid":2733784,"tgid":2733784,"comm":"nc","where":"ip_output+0x0","fields":{` +
		`"proto":{"value":17,"raw":17},"ip_dst":{"value":"10.0.1.221","raw":3707830282},"b16_dest":{"value":9988,"raw":1063},` +
		`"comm":{"value":"nc","raw":"6e630000000000000000000000000000"},"body":{"value":"Hello World","raw":"48656c6c6f20576f726c640000000000"}},` +
		`"stack":["ip_output+0x0","veth_xmit+0x10 [veth]"]}` + "\n"
	if line != want {
		t.Errorf("JSON event\n got %s\nwant %s", line, want)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Errorf("event is not JSON: %v", err)
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	p, _ := traceFixture()
	for _, raw := range [][]byte{
		make([]byte, spec.HdrSize-1),
		cat(u32(9), make([]byte, spec.HdrSize-4)),
		cat(u32(0), make([]byte, spec.HdrSize-4+10)),
	} {
		if err := decodeRecord(raw, p.prog.Events, new(record)); err == nil {
			t.Errorf("decodeRecord(%d bytes, id %d) succeeded", len(raw), raw[0])
		}
	}
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)
	for format, want := range map[string]string{
		defaultTimeFormat:   "07:08:09\n",
		"%Y-%m-%d %T":       "2024-03-05 07:08:09",
		"%a %b %e %j %y %%": "Tue Mar  5 065 24 %",
		"%I:%M %p|%Q|end%":  "07:08 AM|%Q|end%",
		"%F %R %s %Z":       "2024-03-05 07:08 1709622489 UTC",
	} {
		if got := strftime(format, tm); got != want {
			t.Errorf("strftime(%q) = %q, want %q", format, got, want)
		}
	}
}
