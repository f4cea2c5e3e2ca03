package spec

import (
	"strconv"
	"time"

	"github.com/cilium/ebpf"

	"github.com/surftrace/surftrace/lang"
)

// Program is the compiled blueprint of one source for the bpf backend.
// Building it twice from the same source and kernel description yields the
// same value.
type Program struct {
	Src    *lang.Source
	Probes []*Probe
	// Maps holds every map the programs reference, by name: the ring
	// buffer EventsMap, the per-CPU LostMap, StacksMap when a stack is
	// taken, and one map per script map ("@name").
	Maps map[string]*ebpf.MapSpec
	// Events describes every record kind a program can emit; a record's
	// first u32 is its index here.
	Events []*Event
	// ScriptMaps says how to print each script map at exit, in order of
	// first appearance in the source.
	ScriptMaps []*MapInfo
	// Warnings are positioned notes the compiler left for the user
	// (Msg starts with "WARNING: "), printed before the run.
	Warnings []*lang.Error
}

// Names of the maps every program may use.
const (
	EventsMap = "events" // BPF_MAP_TYPE_RINGBUF of records
	LostMap   = "lost"   // per-CPU array: records dropped, indexed by probe
	StacksMap = "stacks" // BPF_MAP_TYPE_STACK_TRACE for $stack, -s, kstack
)

// A RenderStackID value is an s64: negative for bpf_get_stackid's error,
// else the stack's id in bits 0-31, in bits 32-39 the depth kstack(N)
// asked for (0: full depth), whose stacks live in StackMap(depth), and
// StackPerf set for kstack(perf), which prints as perf does.
const (
	StackDepthShift = 32
	StackPerf       = 1 << 40
)

// StackMap names the stack map holding stacks of at most depth frames:
// StacksMap for 0 (the full depth), "stacks_N" otherwise.
func StackMap(depth int) string {
	if depth == 0 {
		return StacksMap
	}
	return StacksMap + "_" + strconv.Itoa(depth)
}

// AttachKind says how the runtime attaches a Probe.
type AttachKind int

// The attach kinds.
const (
	AttachKprobe        AttachKind = iota + 1 // Target + Offset
	AttachKretprobe                           // Target
	AttachTracepoint                          // Target is "subsys:event"
	AttachRawTracepoint                       // Target is the event; tp_btf when the spec is BPF_PROG_TYPE_TRACING
	AttachFentry                              // Target; spec is BPF_PROG_TYPE_TRACING with AttachTo set
	AttachFexit                               // likewise
	AttachBegin                               // run once before anything else, via BPF_PROG_TEST_RUN
	AttachEnd                                 // run once at exit, via BPF_PROG_TEST_RUN
	AttachInterval                            // run every Interval, on one CPU, via a perf event
)

// kindNames are the attach kinds' names, as bpftrace spells the probe
// types.
var kindNames = map[AttachKind]string{
	AttachKprobe:        "kprobe",
	AttachKretprobe:     "kretprobe",
	AttachTracepoint:    "tracepoint",
	AttachRawTracepoint: "rawtracepoint",
	AttachFentry:        "fentry",
	AttachFexit:         "fexit",
	AttachBegin:         "BEGIN",
	AttachEnd:           "END",
	AttachInterval:      "interval",

	AttachProfile:         "profile",
	AttachSoftware:        "software",
	AttachHardware:        "hardware",
	AttachWatchpoint:      "watchpoint",
	AttachAsyncWatchpoint: "asyncwatchpoint",
}

// String returns the kind's name: "kprobe", "tracepoint", "BEGIN", ...;
// "kindN" for a value that is no kind.
func (k AttachKind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "kind" + strconv.Itoa(int(k))
}

// Probe is one program and where it attaches.
type Probe struct {
	// Index is the probe's position in Program.Probes and in LostMap.
	Index int
	// Name is what output lines show: "p0" for expression lines,
	// "kprobe:ip_rcv" for scripts.
	Name   string
	Kind   AttachKind
	Target string // resolved symbol (e.g. "ip_rcv_core.isra.0") or "subsys:event"
	// Targets, on a kprobe or kretprobe from an argument selector
	// (kprobe:ip_*(struct sk_buff *)), lists every resolved function the
	// one program attaches to; Target is then the first. Attaching is best
	// effort per function, as for bpftrace's wildcards: a function the
	// kernel refuses is left out and counted.
	Targets  []string
	Offset   uint64
	Interval time.Duration
	// Semaphore is a USDT probe's semaphore as a file offset in Target
	// (0: none).
	Semaphore uint64
	Spec      *ebpf.ProgramSpec
	// Pos is the attach point in the source, for errors while attaching
	// or loading; End, when valid, is where the attach point ends.
	Pos, End lang.Pos
	// SeenBy, on a kprobe or kretprobe, names tracepoints that see an
	// object the function takes; nil when none does or it is unknown.
	SeenBy *SeenBy
	// Perf is the perf event of the perf-event kinds (profile, software,
	// hardware, watchpoints); nil for the others.
	Perf *PerfEvent
	// Label is the label of the script block the probe comes from
	// ("netfilter"), empty without one: notes on probes left out name it.
	Label string
	// Arming marks the uprobe the compiler adds for a
	// watchpoint:FUNCTION+argN (its EventWatch records name the
	// watchpoint probe); bpftrace's banner leaves it out.
	Arming bool
}

// Record header layout: every record in EventsMap starts with these bytes.
const (
	HdrID      = 0  // u32: index into Program.Events
	HdrCPU     = 4  // u32: bpf_get_smp_processor_id()
	HdrTime    = 8  // u64: bpf_ktime_get_ns()
	HdrPidTgid = 16 // u64: bpf_get_current_pid_tgid()
	HdrComm    = 24 // [16]byte: bpf_get_current_comm()
	HdrIP      = 40 // u64: instruction pointer (kprobe: regs->ip; kretprobe: return address)
	HdrSize    = 48 // payload follows
)

// EventKind says what a record asks the runtime to do.
type EventKind int

// The event kinds.
const (
	EventTrace       EventKind = iota + 1 // print one trace_pipe-shaped line: Fields as name=value
	EventPrintf                           // printf(Format, Fields...)
	EventPrint                            // print(@map) (Map set) or print(value) (one field)
	EventClear                            // clear(@map)
	EventZero                             // zero(@map)
	EventTime                             // time(Format)
	EventExit                             // exit()
	EventCat                              // cat(Format, Fields...): print the file Format names
	EventSystem                           // system(Format, Fields...): run the command, print its output
	EventHelperError                      // a helper failed (-k): Format names it, Fields[0] is its result
	EventWatch                            // arm probe Watch's breakpoint at Fields[0] in process Fields[1]
	EventUnwatch                          // unwatch(Fields[0]): disarm the breakpoints at that address
	EventJoin                             // join(): Fields[0] counts the strings after it; Format joins them
)

// Event describes one kind of record.
type Event struct {
	ID    uint32
	Kind  EventKind
	Probe int // index of the emitting probe
	Pos   lang.Pos
	// Format is the printf/time format, already checked against Fields.
	Format string
	// Map names the script map for print/clear/zero.
	Map string
	// Top and Div are print(@map, top, div)'s limits: Top > 0 prints only
	// the Top last rows (the largest), Div > 0 divides the values.
	Top, Div int64
	Fields   []*Field
	// Stack is the payload offset of an s64 stack id in StacksMap to print
	// under the line (-s, $stack), or -1.
	Stack int
	// Capture locates the packet the record carries (compiler.Options.Capture),
	// or is nil; see Capture.
	Capture *Capture
	// Watch is an EventWatch's watchpoint probe (its Perf is Deferred);
	// Resume says the process stopped itself (SIGSTOP) until it is armed.
	Watch  int
	Resume bool
}

// Field is one value in a record payload (or in a map key or value).
type Field struct {
	// Name is the expression-line NAME, the printf argument text, a tuple
	// element's, or a map key's name for metrics labels (see keyNames).
	Name   string
	Offset int // from the start of the payload
	Size   int // bytes
	Render Render
	// Elems are the parts of a RenderTuple field, the members of a
	// RenderStruct or the elements of a RenderArray, their Offsets from
	// the start of the value.
	Elems []*Field
	// Enum names the values of a RenderEnum field, keyed by the value's
	// Size bytes read unsigned. An integer map key of an enum type carries
	// them too, with its integer render: text prints the number, as
	// bpftrace 0.17 does, and metrics labels the name.
	Enum map[uint64]string
	// Format is the strftime(3) format of a RenderStrftime field, with
	// bpftrace's %f (microseconds), or the hierarchy filter (a glob, ""
	// for all) of a RenderCgroupPath field.
	Format string
}

// Render says how a value is shown. The integer renders read Size bytes in
// host byte order.
type Render int

// The renders. The Net* ones come from name prefixes (ip_, ip6_, mac_, b16_,
// B16_, ...) or from the explicit conversion functions.
const (
	RenderUnsigned   Render = iota // decimal
	RenderSigned                   // decimal, two's complement of Size bytes
	RenderHex                      // 0x..., as ftrace prints x-typed args
	RenderString                   // NUL-terminated bytes, printed quoted in trace lines
	RenderIPv4                     // 4 bytes in network order: a.b.c.d
	RenderIPv6                     // 16 bytes: RFC 5952 text
	RenderMAC                      // 6 bytes: aa:bb:cc:dd:ee:ff
	RenderBE                       // network byte order shown in decimal (b16_, b32_, b64_)
	RenderBEHex                    // network byte order shown in hex (B16_, B32_, B64_)
	RenderKsym                     // kernel address shown as symbol+0xoff
	RenderStackID                  // s64 id in StacksMap: print the stack
	RenderBytes                    // raw bytes shown as \x.. escapes (buf())
	RenderTuple                    // a tuple; Elems hold the parts
	RenderSym                      // kernel address shown as the bare symbol name (ksym())
	RenderEnum                     // an enum value shown by name (Field.Enum), else in decimal
	RenderBuf                      // bytes as bpftrace prints buf(): printable ASCII as is, others \x..
	RenderStrftime                 // u64 CLOCK_MONOTONIC ns shown as wall-clock time by Field.Format (strftime())
	RenderUsername                 // a user id shown as the user name (username)
	RenderCgroupPath               // a cgroup id shown as its paths in every hierarchy Field.Format matches (cgroup_path())
	// RenderMACUpper is 6 bytes as bpftrace's macaddr() prints them:
	// AA:BB:CC:DD:EE:FF.
	RenderMACUpper
	// RenderStrerror is an errno shown as C's strerror text (strerror()).
	RenderStrerror
	// RenderStruct is a C struct or union by value: Elems are its members,
	// Named, at their Offsets from the struct's start; text prints
	// "{ .m = 2, .n = 3 }" (a map key "{.m=2,.n=3}"), JSON an object.
	RenderStruct
	// RenderArray is a C array by value: Elems are its elements in order;
	// it prints "[1,2,3]" in text and JSON.
	RenderArray
	// The user-space functions (script_userfunc.go): a tuple of their
	// arguments (Elems) that the runtime resolves when it prints it.
	RenderQdisc    // qdisc(NETNS, IFINDEX): the device's qdisc tree, counters, the dropping one
	RenderSysctl   // sysctl(NETNS, IFINDEX, "net.ipv4.conf.DEV.rp_filter"): a sysctl's value
	RenderNftRule  // nftrule(NETNS, L4PROTO, SADDR, DADDR, SPORT, DPORT): ruleset rules a packet matches
	RenderTcFilter // tcfilter(NETNS, IFINDEX, "ingress"): a device's tc filters and their bpf programs
	RenderXdp      // xdp(NETNS, IFINDEX): the device's XDP program, its mode, id and name
	RenderSoftnet  // softnet(CPU): the CPU's row of /proc/net/softnet_stat
	numRenders
)

// renderNames are the short names listings and golden files print.
var renderNames = [numRenders]string{
	RenderUnsigned: "u", RenderSigned: "s", RenderHex: "x", RenderString: "string",
	RenderIPv4: "ipv4", RenderIPv6: "ipv6", RenderMAC: "mac", RenderBE: "be", RenderBEHex: "behex",
	RenderKsym: "ksym", RenderStackID: "stack", RenderBytes: "bytes", RenderTuple: "tuple",
	RenderSym: "sym", RenderEnum: "enum", RenderBuf: "buf", RenderStrftime: "strftime",
	RenderUsername: "username", RenderCgroupPath: "cgroup_path", RenderQdisc: "qdisc",
	RenderSysctl: "sysctl", RenderNftRule: "nftrule", RenderTcFilter: "tcfilter",
	RenderMACUpper: "macaddr", RenderStrerror: "strerror", RenderStruct: "struct", RenderArray: "array",
	RenderXdp: "xdp", RenderSoftnet: "softnet",
}

// String returns the render's short name ("u", "ipv4", "enum", ...);
// "renderN" for a value that is no render.
func (r Render) String() string {
	if r >= 0 && r < numRenders && renderNames[r] != "" {
		return renderNames[r]
	}
	return "render" + strconv.Itoa(int(r))
}

// IsUserRender reports whether r is resolved in user space from a tuple
// of arguments (qdisc(), sysctl(), nftrule(), tcfilter(), xdp(),
// softnet()).
func IsUserRender(r Render) bool { return r >= RenderQdisc && r <= RenderSoftnet }

// MapInfo says how a script map prints at exit (bpftrace's layout).
type MapInfo struct {
	Name string // "@name" or "@"
	Kind MapKind
	Key  []*Field // empty for a map without keys
	// Value is the layout of the value for MapScalar; aggregations have
	// fixed per-CPU layouts documented on MapKind.
	Value *Field
	// Lhist parameters.
	Min, Max, Step int64
	PerCPU         bool
}

// MapKind is what a script map holds.
type MapKind int

// The map kinds. Count and Sum hold one s64 per CPU; Min and Max hold
// {value s64, set u64} per CPU, set nonzero once the CPU saw a value; Avg
// and Stats hold {count, sum} per CPU (Stats prints count, average and total); Hist
// holds 65 power-of-two buckets (index 0 for 0 and negatives... as bpftrace)
// and Lhist (Max-Min)/Step+3 buckets, both per CPU as one extra key u32 for
// the bucket index appended to Key.
const (
	MapScalar MapKind = iota + 1
	MapCount
	MapSum
	MapAvg
	MapMin
	MapMax
	MapStats
	MapHist
	MapLhist
)

// SeenBy names tracepoints that see an object a kprobe's function takes,
// for the runtime to suggest when the kernel cannot attach kprobes.
type SeenBy struct {
	Type   string   // "struct sk_buff"
	Events []string // "net:net_dev_queue", sorted, at most a few
	More   bool     // more tracepoints see it than Events lists
}
