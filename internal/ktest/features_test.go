package ktest

import (
	"testing"
)

// TestFeatures reports what the running kernel offers. On the host it only
// logs; inside the VM every feature must be present.
func TestFeatures(t *testing.T) {
	RequireRoot(t)
	for f := Feature(0); f < numFeatures; f++ {
		err := Check(f)
		t.Logf("kernel %s: %-13v %v", Release(), f, describe(err))
		if err != nil && !IsAbsent(err) {
			t.Errorf("probe of %v could not tell: %v", f, err)
		}
		if err != nil && InVM() {
			t.Errorf("%v missing in the VM kernel: %v", f, err)
		}
	}
}

func describe(err error) string {
	if err == nil {
		return "present"
	}
	return "absent: " + err.Error()
}

func TestFeatureString(t *testing.T) {
	if got := Kprobes.String(); got != "kprobes" {
		t.Errorf("Kprobes.String() = %q", got)
	}
	if got := Feature(99).String(); got != "Feature(99)" {
		t.Errorf("Feature(99).String() = %q", got)
	}
}
