package tracefs

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
)

// seed000 is seed 000's ip_output probe as the compiler lowers it.
var seed000 = &spec.FtraceProbe{
	Name: "p0", Kind: spec.AttachKprobe, Target: "ip_output", Event: "GROUP/p0",
	Def: "p:GROUP/p0 ip_output proto=+0x9(+0xe8(%dx)):u8 ip_dst=+0x10(+0xe8(%dx)):u32 b16_dest=+0x16(+0xe8(%dx)):u16 comm=$comm body=+0x1c(+0xe8(%dx)):string",
	Fields: []*spec.FtraceField{
		{Name: "proto", Type: "u8", Size: 1},
		{Name: "ip_dst", Type: "u32", Size: 4, Render: spec.RenderIPv4},
		{Name: "b16_dest", Type: "u16", Size: 2, Render: spec.RenderBE},
		{Name: "comm", Type: "string", Render: spec.RenderString},
		{Name: "body", Type: "string", Render: spec.RenderString},
	},
}

// TestValidate checks that nothing can smuggle a line into tracefs.
func TestValidate(t *testing.T) {
	for _, bad := range []string{
		"p:g/p0 ip_output\n-:g/other", "p:g/p0 ip_output; rm", "p:g/p0 ip_output > x",
		"p:g/p0 ip_output # x", `p:g/p0 ip_output a="x"`, "p:g/p0 ip_output\x00",
	} {
		if checkDef(bad) == nil {
			t.Errorf("checkDef(%q) accepted it", bad)
		}
	}
	if err := checkDef(seed000.DefLine("surftrace_1")); err != nil {
		t.Errorf("checkDef(seed 000): %v", err)
	}
	for _, bad := range []string{"a==1\nb==2", "comm==\"x", "comm==\"a\\\"\"", "a==1;b", "a==1 # c"} {
		if checkFilter(bad) == nil {
			t.Errorf("checkFilter(%q) accepted it", bad)
		}
	}
	for _, good := range []string{`proto==17&&ip_dst==0xdd01000a`, `comm=="nc"||(delay>1000000)`, `comm~"ss*"`} {
		if err := checkFilter(good); err != nil {
			t.Errorf("checkFilter(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "1a", "a-b", "a/b", "a\nb"} {
		if checkName("name", bad) == nil {
			t.Errorf("checkName(%q) accepted it", bad)
		}
	}
}

// TestErrorLog maps the caret of an error_log entry back to the source.
func TestErrorLog(t *testing.T) {
	src := &lang.Source{Name: "<line 1>", Text: "p ip_output proto=@(struct iphdr*)l3%2->protocol"}
	at := func(off int) lang.Pos { return lang.PosAt(src, off) }
	p := &spec.FtraceProbe{Name: "p0", Kind: spec.AttachKprobe, Pos: at(2),
		Def: "p:GROUP/p0 ip_output proto=+0x9(+0xe8(%dx)):u9",
		Spans: []spec.FtraceSpan{
			{Text: spec.FtraceDef, Start: 21, End: 47, Src: lang.Span{Pos: at(12), End: at(48)}},
			{Text: spec.FtraceDef, Start: 44, End: 47, Src: lang.Span{Pos: at(36), End: at(48)}},
		}}
	line := p.DefLine("surftrace_42")
	log := "[ 1.000000] trace_kprobe: error: Unknown type\n" +
		"  Command: other\n           ^\n" +
		"[ 2.000000] trace_kprobe: error: Unknown type\n" +
		cmdPrefix + line + "\n" + strings.Repeat(" ", len(cmdPrefix)+strings.Index(line, "u9")) + "^\n"
	e, ok := lastLogEntry(log, line)
	if !ok || e.Msg != "Unknown type" || e.Col != strings.Index(line, "u9") {
		t.Fatalf("lastLogEntry = %+v, %v", e, ok)
	}
	span, ok := p.SourceAt(spec.FtraceDef, "surftrace_42", e.Col)
	if !ok || span.Pos.Offset != 36 {
		t.Errorf("SourceAt(col %d) = %v, %v; want offset 36", e.Col, span, ok)
	}
}
