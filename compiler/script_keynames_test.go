package compiler

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// TestMapKeyNames: a map's key fields are named after the key expressions
// (for metrics labels), "keyN" where an expression has no name or repeats
// one, and an enum-typed key carries the enum's names while it still
// prints as a number.
func TestMapKeyNames(t *testing.T) {
	src := `tracepoint:skb:kfree_skb {
	$reason = args->reason;
	@drops[$reason, ksym(args->location)] = count();
	@byproc[(comm, pid)] = count();
	@lit["in", 7, $reason, $reason] = count();
	@n = count();
}`
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"@drops":  {"reason", "location"},
		"@byproc": {"comm", "pid"},
		"@lit":    {"key0", "key1", "reason", "key3"},
		"@n":      nil,
	}
	for _, m := range p.ScriptMaps {
		var names []string
		for _, f := range m.Key {
			names = append(names, f.Name)
		}
		if !slices.Equal(names, want[m.Name]) {
			t.Errorf("%s: key names %q, want %q", m.Name, names, want[m.Name])
		}
	}
	reason := p.ScriptMaps[0].Key[0]
	if reason.Render != spec.RenderEnum || reason.Enum[3] != "NO_SOCKET" {
		t.Errorf("@drops reason key: render %d, enum[3] %q; want RenderEnum and NO_SOCKET", reason.Render, reason.Enum[3])
	}
	if loc := p.ScriptMaps[0].Key[1]; loc.Enum != nil {
		t.Errorf("@drops location key has enum names %v", loc.Enum)
	}
}
