package tracefs

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestStringBound checks that a string ftrace fetched past the field's
// bound (ftrace's string fetch has no length) prints cut where the bpf
// backend's bounded copy stops: Size-1 bytes.
func TestStringBound(t *testing.T) {
	f := &spec.FtraceField{Name: "body", Type: "string", Render: spec.RenderString, Size: 8}
	long := `"` + strings.Repeat("A", 100) + `"`
	if got, want := renderValue(f, long), `"AAAAAAA"`; got != want {
		t.Errorf("renderValue(%s) = %s, want %s", long, got, want)
	}
	if got, want := renderValue(f, `"Hi"`), `"Hi"`; got != want {
		t.Errorf("renderValue(\"Hi\") = %s, want %s", got, want)
	}
}
