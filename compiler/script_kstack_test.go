package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestKstackArgs checks kstack's mode and depth: a depth gets its own
// stack map sized to it; bad modes and depths are errors.
func TestKstackArgs(t *testing.T) {
	compile := func(src string) (*spec.Program, error) {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
		if err != nil {
			t.Fatal(err)
		}
		return Compile(prog, fakeKernel(t), Options{})
	}
	p, err := compile(`kprobe:ip_output { @[kstack(perf, 3)] = count(); @b[kstack(5)] = count(); @c[kstack] = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	for name, size := range map[string]uint32{"stacks": 8 * maxStackDepth, "stacks_3": 24, "stacks_5": 40} {
		m := p.Maps[name]
		if m == nil || m.ValueSize != size {
			t.Errorf("map %s = %v, want a stack map of value size %d", name, m, size)
		}
	}
	for src, want := range map[string]string{
		`kprobe:ip_output { print(kstack(raw)); }`:        "unknown stack mode raw",
		`kprobe:ip_output { print(kstack(0)); }`:          "kstack's depth must be between 1 and 127",
		`kprobe:ip_output { print(kstack(perf, 1, 2)); }`: "takes 0 to 2 arguments",
	} {
		_, err := compile(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}
