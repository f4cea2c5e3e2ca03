package repl

import (
	"context"
	"strings"
	"testing"
)

// TestPlainInput runs entries read from a non-terminal: commands, a bad
// line, a block spanning lines, and .quit, after which nothing runs.
func TestPlainInput(t *testing.T) {
	in := strings.NewReader(".help\nnot a probe\n.list\nBEGIN {\n  @x = 1;\n}\n.bogus\n.quit\nshould not run\n")
	var out, errs strings.Builder
	if err := Run(context.Background(), Config{In: in, Out: &out, Err: &errs}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".detach ID|all", "no probes attached"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The block is one entry (whether this compiler runs scripts yet or
	// not), .bogus is a command again, and nothing after .quit runs.
	if !strings.Contains(errs.String(), "unknown command .bogus") || strings.Contains(errs.String(), "should") {
		t.Errorf("errors:\n%s", errs.String())
	}
	t.Logf("errors:\n%s", errs.String())
	if !strings.Contains(errs.String(), "<1>:1:") {
		t.Errorf("no positioned error for the bad line:\n%s", errs.String())
	}
}
