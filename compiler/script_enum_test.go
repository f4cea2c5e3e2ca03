package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// TestEnumByName: an enum-typed value printed with %s, used as a map key
// or stored as a map value renders by name; %d and a cast keep the number;
// %s of a plain integer is still an error.
func TestEnumByName(t *testing.T) {
	src := `tracepoint:skb:kfree_skb {
	$r = args->reason;
	printf("%s %d %s\n", $r, $r, (uint32)$r);
	@byreason[$r] = count();
	@last = $r;
}`
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(prog, fakeKernel(t), Options{})
	if err == nil || !strings.Contains(err.Error(), "%s needs a string") {
		t.Fatalf("%%s of a cast enum: err = %v, want a needs-a-string error", err)
	}
	src = strings.Replace(src, `%s %d %s\n", $r, $r, (uint32)$r`, `%s %d\n", $r, $r`, 1)
	prog, err = script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var printf *spec.Event
	for _, e := range p.Events {
		if e.Kind == spec.EventPrintf {
			printf = e
		}
	}
	if f := printf.Fields[0]; f.Render != spec.RenderEnum || f.Enum[3] != "NO_SOCKET" {
		t.Errorf("printf %%s field: render %d, enum[3] %q; want RenderEnum, NO_SOCKET", f.Render, f.Enum[3])
	}
	for _, m := range p.ScriptMaps {
		f := m.Value
		if m.Name == "@byreason" {
			f = m.Key[0]
		}
		if f.Render != spec.RenderEnum || f.Enum[3] != "NO_SOCKET" {
			t.Errorf("%s: render %d, enum[3] %q; want RenderEnum, NO_SOCKET", m.Name, f.Render, f.Enum[3])
		}
	}
}
