package spec

// The perf-event attach kinds: the probe's program (BPF_PROG_TYPE_PERF_EVENT)
// runs when the perf event Probe.Perf describes overflows. They follow the
// other kinds at a distance so that kinds added there keep their values.
const (
	AttachProfile         AttachKind = iota + 32 // a CPU-clock event on every CPU
	AttachSoftware                               // a software event on every CPU
	AttachHardware                               // a hardware (PMU) event on every CPU
	AttachWatchpoint                             // a hardware breakpoint on a data address
	AttachAsyncWatchpoint                        // likewise; bpftrace's asynchronous spelling
)

// PerfEvent is the perf_event_attr of a perf-event probe, in
// perf_event_open(2)'s terms.
type PerfEvent struct {
	Type   uint32 // PERF_TYPE_SOFTWARE, PERF_TYPE_HARDWARE or PERF_TYPE_BREAKPOINT
	Config uint64 // the event: PERF_COUNT_SW_*, PERF_COUNT_HW_*
	// Period is how many events make one sample, or with Freq how many
	// samples a second the kernel aims for.
	Period uint64
	Freq   bool
	// Addr, Len and BpType (HW_BREAKPOINT_R|W|X) describe a breakpoint.
	Addr   uint64
	Len    uint64
	BpType uint32
	// User marks a breakpoint on a user-space address: it watches the
	// target process (-p, -c) instead of every CPU.
	User bool
	// Deferred marks the breakpoint of watchpoint:FUNCTION+argN: Addr is
	// not known before the run; an EventWatch record arms it.
	Deferred bool
}
