package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// With SkipUnknownFuncs (the bpftrace personality), a kprobe on a function
// the kernel lacks in a block that uses probe is left out with bpftrace's
// warning; without probe, or without the option, it fails with a hint.
func TestSkipUnknownFuncs(t *testing.T) {
	cases := []struct {
		src     string
		skip    bool
		probes  int
		warning string
		err     string
	}{
		{`kprobe:zzzzz { probe; printf("x\n") } BEGIN { exit() }`, true, 1, "WARNING: zzzzz is not traceable", ""},
		{`kprobe:zzzzz { printf("x\n") } BEGIN { exit() }`, true, 0, "", "unknown kernel function zzzzz"},
		{`kprobe:zzzzz { probe; printf("x\n") } BEGIN { exit() }`, false, 0, "", "unknown kernel function zzzzz"},
		{`kprobe:ip_outpt { @[probe] = count() }`, false, 0, "", "did you mean ip_output?"},
		{`kprobe:zzzzz { probe }`, true, 0, "", "No probes to attach"},
		{`kprobe:zzzzz, kprobe:ip_output { @[probe] = count() }`, true, 1, "WARNING: zzzzz", ""},
	}
	for _, c := range cases {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: c.src})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, fakeKernel(t), Options{SkipUnknownFuncs: c.skip})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.src, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if len(p.Probes) != c.probes || len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0].Msg, c.warning) {
			t.Errorf("%s: %d probes, warnings %v; want %d probes and %q", c.src, len(p.Probes), p.Warnings, c.probes, c.warning)
		}
	}
}
