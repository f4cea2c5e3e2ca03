package compiler

import (
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// watchpoint:FUNCTION+argN becomes, per matching function of the -c
// command, a Deferred breakpoint probe named as bpftrace names it and an
// arming uprobe whose EventWatch record names that probe; a synchronous
// watchpoint's record resumes the stopped process, an async one's does
// not. Without -p or -c it is an error.
func TestFuncWatchpoints(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	for _, tc := range []struct {
		src    string
		names  []string
		resume bool
	}{
		{"watchpoint:surf_name+arg0:1:rw { @ = count(); }", []string{"watchpoint:" + bin + ":surf_name:1:rw"}, true},
		{"asyncwatchpoint:surf_ma*+arg2:8:w { @ = count(); }", []string{"asyncwatchpoint:" + bin + ":surf_many:2:8:w"}, false},
	} {
		prog, err := script.Parse(&lang.Source{Name: "w.st", Text: tc.src})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, fakeKernel(t), Options{PID: 1, Child: true, Command: bin})
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		var names []string
		for _, pr := range p.Probes {
			if pr.Perf != nil && pr.Perf.Deferred {
				names = append(names, pr.Name)
			}
		}
		if len(names) != len(tc.names) || names[0] != tc.names[0] {
			t.Errorf("%s: breakpoint probes %q, want %q", tc.src, names, tc.names)
		}
		for _, ev := range p.Events {
			if ev.Kind != spec.EventWatch {
				continue
			}
			if w := p.Probes[ev.Watch]; !w.Perf.Deferred || !p.Probes[ev.Probe].Arming || ev.Resume != tc.resume {
				t.Errorf("%s: record from %s arms %s (resume %v)", tc.src, p.Probes[ev.Probe].Name, w.Name, ev.Resume)
			}
		}
	}
	prog, err := script.Parse(&lang.Source{Name: "w.st", Text: "watchpoint:surf_name+arg0:1:rw { exit(); }"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(prog, fakeKernel(t), Options{}); err == nil {
		t.Error("a function watchpoint without -p or -c compiled")
	}
}
