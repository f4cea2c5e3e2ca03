package tracefs

import (
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestFieldsOption: a tracepoint's text as options/fields prints it
// renders each field of the line as the bpf backend prints it.
func TestFieldsOption(t *testing.T) {
	p := &spec.FtraceProbe{
		Kind:     spec.AttachTracepoint,
		TPFields: []string{"comm", "skbaddr", "pid", "prio", "reason", "filename"},
		Fields: []*spec.FtraceField{
			{Name: "comm", TPField: "comm", Size: 16, Render: spec.RenderString},
			{Name: "skbaddr", TPField: "skbaddr", Size: 8, Render: spec.RenderHex},
			{Name: "pid", TPField: "pid", Size: 4, Render: spec.RenderSigned},
			{Name: "prio", TPField: "prio", Size: 4, Render: spec.RenderSigned},
			{Name: "reason", TPField: "reason", Size: 4, Render: spec.RenderEnum, Enum: map[uint64]string{3: "NO_SOCKET"}},
			{Name: "filename", TPField: "filename", Size: 64, Render: spec.RenderString},
		},
	}
	body := "comm=kworker/u8:2 x skbaddr=0xffff888184585400 (-131387473656832) pid=0x40fd (16637) prio=0xffffffff (-1) reason=0x3 (3) filename=/usr/bin/true"
	want := []string{`"kworker/u8:2 x"`, "0xffff888184585400", "16637", "-1", "NO_SOCKET", `"/usr/bin/true"`}
	got := fieldsValues(p, body)
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: got %s, want %s", p.Fields[i].Name, got[i], want[i])
		}
	}
	f := &spec.FtraceField{Size: 64, Render: spec.RenderString}
	if got := fieldsValue(f, "(0xffff88818679802c)"); got != "(0xffff88818679802c)" {
		t.Errorf("a char * field's address printed as %s", got)
	}
	ip := &spec.FtraceField{Size: 4, Render: spec.RenderBytes}
	if got, want := fieldsValue(ip, "0x100007f (16777343)"), `\x7f\x00\x00\x01`; got != want {
		t.Errorf("a u8[4] printed as %s, want %s", got, want)
	}
	if fieldsValues(p, "sys_getppid()") != nil {
		t.Errorf("a print fmt text parsed as options/fields text")
	}
}
