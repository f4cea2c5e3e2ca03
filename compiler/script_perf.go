package compiler

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// PerfEventName is one software or hardware event a probe can name:
// its name, bpftrace's short alias ("" when none), its perf config and
// the count between samples when the probe gives none.
type PerfEventName struct {
	Name, Alias string
	Config      uint64
	Count       uint64
}

// SoftwareEvents are the software:EVENT names, with bpftrace's default
// counts.
var SoftwareEvents = []PerfEventName{
	{"alignment-faults", "", unix.PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	{"bpf-output", "", unix.PERF_COUNT_SW_BPF_OUTPUT, 1},
	{"context-switches", "cs", unix.PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	{"cpu-clock", "cpu", unix.PERF_COUNT_SW_CPU_CLOCK, 1000000},
	{"cpu-migrations", "", unix.PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	{"dummy", "", unix.PERF_COUNT_SW_DUMMY, 1},
	{"emulation-faults", "", unix.PERF_COUNT_SW_EMULATION_FAULTS, 1},
	{"major-faults", "", unix.PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	{"minor-faults", "", unix.PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	{"page-faults", "faults", unix.PERF_COUNT_SW_PAGE_FAULTS, 100},
	{"task-clock", "", unix.PERF_COUNT_SW_TASK_CLOCK, 1},
}

// HardwareEvents are the hardware:EVENT names, with bpftrace's default
// counts. Whether one works depends on the machine's PMU.
var HardwareEvents = []PerfEventName{
	{"backend-stalls", "", unix.PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
	{"branch-instructions", "branches", unix.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	{"branch-misses", "", unix.PERF_COUNT_HW_BRANCH_MISSES, 100000},
	{"bus-cycles", "", unix.PERF_COUNT_HW_BUS_CYCLES, 100000},
	{"cache-misses", "", unix.PERF_COUNT_HW_CACHE_MISSES, 1000000},
	{"cache-references", "", unix.PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
	{"cpu-cycles", "cycles", unix.PERF_COUNT_HW_CPU_CYCLES, 1000000},
	{"frontend-stalls", "", unix.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
	{"instructions", "", unix.PERF_COUNT_HW_INSTRUCTIONS, 1000000},
	{"ref-cycles", "", unix.PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
}

// profile samples every CPU at N hz, or every N s, ms or us of CPU time.
func (sc *scriptComp) profile(ap *lang.AttachPoint) *target {
	perf := &spec.PerfEvent{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_CPU_CLOCK}
	ns := map[string]uint64{"s": 1e9, "ms": 1e6, "us": 1e3}
	switch {
	case ap.Period == 0:
		fail(ap, "profile needs a positive count, as in profile:hz:99")
	case ap.Unit == "hz":
		perf.Period, perf.Freq = ap.Period, true
	case ns[ap.Unit] != 0:
		perf.Period = ap.Period * ns[ap.Unit]
	default:
		fail(ap, "profile needs s, ms, us or hz and a positive count")
	}
	return &target{ap: ap, kind: spec.AttachProfile, typ: ebpf.PerfEvent, perf: perf,
		name: "profile:" + ap.Unit + ":" + strconv.FormatUint(ap.Period, 10)}
}

// perfCounter samples a software or hardware event every COUNT events on
// every CPU.
func (sc *scriptComp) perfCounter(ap *lang.AttachPoint) *target {
	kind, typ, events := spec.AttachSoftware, uint32(unix.PERF_TYPE_SOFTWARE), SoftwareEvents
	if ap.Kind == lang.Hardware {
		kind, typ, events = spec.AttachHardware, unix.PERF_TYPE_HARDWARE, HardwareEvents
	}
	var names []string
	for _, ev := range events {
		names = append(names, ev.Name)
		if ap.Target != ev.Name && (ev.Alias == "" || ap.Target != ev.Alias) {
			continue
		}
		count := ap.Period
		if count == 0 {
			count = ev.Count
		}
		name := string(ap.Kind) + ":" + ap.Target
		if ap.Period != 0 {
			name += ":" + strconv.FormatUint(ap.Period, 10)
		}
		return &target{ap: ap, kind: kind, typ: ebpf.PerfEvent, name: name,
			perf: &spec.PerfEvent{Type: typ, Config: ev.Config, Period: count}}
	}
	failHint(ap, lang.DidYouMean(ap.Target, names), "unknown %s event %s", ap.Kind, ap.Target)
	return nil
}

// breakpointBits are the HW_BREAKPOINT_R, _W and _X bits of
// perf_event_attr.bp_type, by watchpoint mode letter.
var breakpointBits = map[rune]uint32{'r': 1, 'w': 2, 'x': 4}

// watchpoints resolves watchpoint:ADDR:LEN:MODE, which watches LEN bytes
// at ADDR for the accesses MODE names (r, w, x): a kernel address on every
// CPU, or with -p or -c an address in that process; and
// watchpoint:FUNCTION+argN:LEN:MODE (see funcWatchpoints).
func (sc *scriptComp) watchpoints(ap *lang.AttachPoint) []*target {
	parts := strings.Split(ap.Target, ":")
	if len(parts) == 4 && parts[0] == "" { // watchpoint::ADDR:LEN:MODE
		parts = parts[1:]
	}
	if len(parts) != 3 {
		fail(ap, "want %s:ADDRESS:LENGTH:MODE or %[1]s:FUNCTION+argN:LENGTH:MODE", ap.Kind)
	}
	if fn, arg, ok := strings.Cut(parts[0], "+arg"); ok {
		return sc.funcWatchpoints(ap, fn, arg, parts[1], parts[2])
	}
	addr, err := strconv.ParseUint(parts[0], 0, 64)
	if err != nil {
		fail(ap, "bad watchpoint address %q", parts[0])
	}
	n, mode := breakpoint(ap, parts[1], parts[2])
	kind := spec.AttachWatchpoint
	if ap.Kind == lang.AsyncWatchpoint {
		kind = spec.AttachAsyncWatchpoint
	}
	return []*target{{ap: ap, kind: kind, typ: ebpf.PerfEvent,
		name: string(ap.Kind) + ":" + strings.Join(parts, ":"),
		perf: &spec.PerfEvent{Type: unix.PERF_TYPE_BREAKPOINT, Period: 1, Addr: addr, Len: n, BpType: mode}}}
}

// breakpoint reads a watchpoint's LENGTH and MODE.
func breakpoint(ap *lang.AttachPoint, length, modes string) (uint64, uint32) {
	n, err := strconv.ParseUint(length, 0, 64)
	if err != nil || n != 1 && n != 2 && n != 4 && n != 8 {
		fail(ap, "watchpoint length must be 1, 2, 4 or 8, not %s", length)
	}
	var mode uint32
	for _, c := range modes {
		bit := breakpointBits[c]
		if bit == 0 || mode&bit != 0 {
			fail(ap, "watchpoint mode must be a combination of r, w and x, not %q", modes)
		}
		mode |= bit
	}
	if mode == 0 {
		fail(ap, "watchpoint mode must be a combination of r, w and x")
	}
	return n, mode
}
