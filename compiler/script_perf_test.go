package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// compileScript compiles src against the fake kernel.
func compileScript(t *testing.T, src string) (*spec.Program, error) {
	t.Helper()
	return compileWith(t, src, Options{})
}

// compileWith compiles script src with opts against fakeKernel; a parse
// error fails the test.
func compileWith(t *testing.T, src string, opts Options) (*spec.Program, error) {
	t.Helper()
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatalf("%s: parse: %v", src, err)
	}
	return Compile(prog, fakeKernel(t), opts)
}

// Profile, software, hardware and watchpoint probes become perf-event
// programs whose perf_event_attr is bpftrace's: frequency or period,
// event config, default counts, breakpoint address, length and mode.
func TestPerfProbes(t *testing.T) {
	for _, c := range []struct {
		src  string
		kind spec.AttachKind
		name string
		want spec.PerfEvent
	}{
		{"profile:hz:99", spec.AttachProfile, "profile:hz:99", spec.PerfEvent{Type: 1, Config: 0, Period: 99, Freq: true}},
		{"p:ms:10", spec.AttachProfile, "profile:ms:10", spec.PerfEvent{Type: 1, Config: 0, Period: 10e6}},
		{"profile:s:2", spec.AttachProfile, "profile:s:2", spec.PerfEvent{Type: 1, Period: 2e9}},
		{"profile:us:500", spec.AttachProfile, "profile:us:500", spec.PerfEvent{Type: 1, Period: 500e3}},
		{"software:faults:1", spec.AttachSoftware, "software:faults:1", spec.PerfEvent{Type: 1, Config: 2, Period: 1}},
		{"s:cs", spec.AttachSoftware, "software:cs", spec.PerfEvent{Type: 1, Config: 3, Period: 1000}},
		{"software:task-clock", spec.AttachSoftware, "software:task-clock", spec.PerfEvent{Type: 1, Config: 1, Period: 1}},
		{"software:cpu-clock", spec.AttachSoftware, "software:cpu-clock", spec.PerfEvent{Type: 1, Config: 0, Period: 1000000}},
		{"hardware:cycles", spec.AttachHardware, "hardware:cycles", spec.PerfEvent{Type: 0, Config: 0, Period: 1000000}},
		{"h:cache-misses:10", spec.AttachHardware, "hardware:cache-misses:10", spec.PerfEvent{Type: 0, Config: 3, Period: 10}},
		{"hardware:branches", spec.AttachHardware, "hardware:branches", spec.PerfEvent{Type: 0, Config: 4, Period: 100000}},
		{"watchpoint:0x10000000:8:w", spec.AttachWatchpoint, "watchpoint:0x10000000:8:w",
			spec.PerfEvent{Type: 5, Period: 1, Addr: 0x10000000, Len: 8, BpType: 2}},
		{"watchpoint::0x1000:4:rw", spec.AttachWatchpoint, "watchpoint:0x1000:4:rw",
			spec.PerfEvent{Type: 5, Period: 1, Addr: 0x1000, Len: 4, BpType: 3}},
		{"asyncwatchpoint:4096:1:x", spec.AttachAsyncWatchpoint, "asyncwatchpoint:4096:1:x",
			spec.PerfEvent{Type: 5, Period: 1, Addr: 4096, Len: 1, BpType: 4}},
	} {
		p, err := compileScript(t, c.src+" { @[cpu] = count(); }")
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		pr := p.Probes[0]
		if pr.Kind != c.kind || pr.Name != c.name || pr.Perf == nil || *pr.Perf != c.want {
			t.Errorf("%s: %v %q %+v, want %v %q %+v", c.src, pr.Kind, pr.Name, pr.Perf, c.kind, c.name, c.want)
		}
		if pr.Spec.Type.String() != "PerfEvent" {
			t.Errorf("%s: program type %v, want PerfEvent", c.src, pr.Spec.Type)
		}
	}
}

// Bad perf-event attach points fail with what is wrong.
func TestPerfProbeErrors(t *testing.T) {
	for src, want := range map[string]string{
		"software:fautls":               "unknown software event fautls",
		"hardware:cycels:10":            "unknown hardware event cycels",
		"watchpoint:0x1000:3:w":         "length must be 1, 2, 4 or 8",
		"watchpoint:0x1000:4:ww":        "mode must be a combination of r, w and x",
		"watchpoint:0x1000:4:q":         "mode must be a combination",
		"watchpoint:0x1000:4":           "want watchpoint:ADDRESS:LENGTH:MODE",
		"watchpoint:increment+arg1:4:w": "-p PID or -c CMD required for watchpoint",
		"watchpoint:increment+arg9:4:w": "with N from 0 to 5",
		"watchpoint:zzz:4:w":            `bad watchpoint address "zzz"`,
	} {
		_, err := compileScript(t, src+" { exit(); }")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}
