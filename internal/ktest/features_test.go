package ktest

import (
	"testing"
)

// TestFeatures reports what the running kernel offers. On the host it only
// logs; inside the VM the features must be exactly those vmLacks says the
// kernel series has.
func TestFeatures(t *testing.T) {
	RequireRoot(t)
	if InVM() {
		if _, known := vmLacks[VMSeries()]; !known {
			t.Errorf("VM kernel %s: series %q is not in vmLacks", Release(), VMSeries())
		}
	}
	for f := Feature(0); f < numFeatures; f++ {
		err := Check(f)
		t.Logf("kernel %s: %-13v %v", Release(), f, describe(err))
		if err != nil && !IsAbsent(err) {
			t.Errorf("probe of %v could not tell: %v", f, err)
		}
		if err != nil && VMExpects(f) {
			t.Errorf("%v missing in the VM kernel: %v", f, err)
		}
		if err == nil && InVM() && !VMExpects(f) {
			t.Errorf("%v present in the VM kernel %s, but vmLacks says series %s lacks it", f, Release(), VMSeries())
		}
	}
}

func TestSeries(t *testing.T) {
	for release, want := range map[string]string{
		"6.1.0-57-amd64":       "6.1",
		"6.12.117+deb12-amd64": "6.12",
		"6.18.44-fc-v595":      "6.18",
		"6.12":                 "6.12",
		"":                     "",
		"linux":                "",
		"6.":                   "",
	} {
		if got := series(release); got != want {
			t.Errorf("series(%q) = %q, want %q", release, got, want)
		}
	}
}

func TestVMExpects(t *testing.T) {
	t.Setenv(VMEnv, "6.1.0-57-amd64")
	if VMExpects(KprobeMulti) || !VMExpects(Kprobes) {
		t.Errorf("6.1: VMExpects(kprobe.multi) = %v, VMExpects(kprobes) = %v", VMExpects(KprobeMulti), VMExpects(Kprobes))
	}
	t.Setenv(VMEnv, "6.12.117+deb12-amd64")
	if !VMExpects(KprobeMulti) {
		t.Error("6.12: VMExpects(kprobe.multi) = false")
	}
	t.Setenv(VMEnv, "")
	if VMExpects(Kprobes) {
		t.Error("outside the VM: VMExpects(kprobes) = true")
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
