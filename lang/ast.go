package lang

// Node is any syntax tree node.
type Node interface {
	Extent() Span
}

// Program is one parsed source: a script, a -e program, or the expression
// lines of one command (each line becomes one Probe).
type Program struct {
	Span
	Src    *Source
	Probes []*Probe
	// CDecls are a script's top-level C definitions (struct, union,
	// enum) and "#define" lines, in source order, for the compiler.
	CDecls []*CDecl
}

// CDecl is the text of one top-level C definition or "#define" line of a
// script; its Span covers Text.
type CDecl struct {
	Span
	Text string
}

// Probe is one block: its attach points, optional predicate and body.
type Probe struct {
	Span
	Attach []*AttachPoint
	Pred   Expr // nil when absent
	Body   []Stmt
	// Line is set when the probe came from a surftrace expression line;
	// its body is then exactly one *TraceStmt and Pred is the f: filter.
	Line bool
	// Name is the probe's display name: "p0", "r1", "e2" for expression
	// lines; empty for script probes (the runtime shows the attach point).
	Name string
	// Label names what the block watches ("label:netfilter" before its
	// attach points); the runtime's note on probes a kernel cannot attach
	// names the labels instead of the attach points. Empty without one.
	Label string
}

// ProbeKind names a kind of attach point, spelled as in bpftrace.
type ProbeKind string

// The probe kinds. Short forms (k, kr, t, rt, f, fr, i, kfunc, kretfunc)
// are normalized to these by the parsers.
const (
	Kprobe        ProbeKind = "kprobe"
	Kretprobe     ProbeKind = "kretprobe"
	Tracepoint    ProbeKind = "tracepoint"
	RawTracepoint ProbeKind = "rawtracepoint"
	Fentry        ProbeKind = "fentry"
	Fexit         ProbeKind = "fexit"
	Begin         ProbeKind = "BEGIN"
	End           ProbeKind = "END"
	Interval      ProbeKind = "interval"
	// TC is a traffic-control classifier, "tc:ingress:DEVICE" or
	// "tc:egress:DEVICE" (surftrace's own; bpftrace has none).
	TC ProbeKind = "tc"
)

// Probe kinds bpftrace has and surftrace does not compile. The script
// parser accepts them (short forms u, ur, U, p, s, h, w, aw, it included) so
// that every bpftrace program parses; the compiler reports them as
// unsupported at the attach point.
const (
	Uprobe          ProbeKind = "uprobe"
	Uretprobe       ProbeKind = "uretprobe"
	Usdt            ProbeKind = "usdt"
	Profile         ProbeKind = "profile"
	Software        ProbeKind = "software"
	Hardware        ProbeKind = "hardware"
	Watchpoint      ProbeKind = "watchpoint"
	AsyncWatchpoint ProbeKind = "asyncwatchpoint"
	Iter            ProbeKind = "iter"
)

// AttachPoint is one "kind:target" of a probe.
type AttachPoint struct {
	Span
	Kind ProbeKind
	// Target is the function (kprobe, kretprobe, fentry, fexit), the
	// "subsys:event" (tracepoint), the event (rawtracepoint) or
	// "DIRECTION:DEVICE" (tc). It may hold
	// the wildcards * and ?. Empty for BEGIN and END.
	Target string
	// ArgType, when set, is an argument selector: "kprobe:ip_*(struct
	// sk_buff *)" attaches to every function Target matches that takes an
	// argument of this type, at any position. It is "struct NAME *".
	ArgType string
	Offset  uint64 // kprobe SYMBOL+OFF
	Unit    string // interval, profile: "s", "ms", "us", "hz"
	Period  uint64 // interval, profile: how many units; software, hardware: the count
}

// Stmt is a statement.
type Stmt interface {
	Node
	stmt()
}

// Expr is an expression.
type Expr interface {
	Node
	expr()
}

// ExprStmt is an expression evaluated for its effect (a call, ++, --).
type ExprStmt struct {
	Span
	X Expr
}

// AssignStmt is "Target Op Value" where Op is "=", "+=", "-=", "*=", "/=",
// "%=", "&=", "|=", "^=", "<<=" or ">>=". Target is a *Var or *MapRef.
type AssignStmt struct {
	Span
	Target Expr
	Op     string
	Value  Expr
}

// IfStmt is if/else if/else; Else holds one *IfStmt for "else if".
type IfStmt struct {
	Span
	// Comptime marks "if comptime (cond)": cond is folded when the
	// script compiles and only the branch it picks is compiled, so the
	// other may name fields this kernel lacks.
	Comptime bool
	Cond     Expr
	Then     []Stmt
	Else     []Stmt
}

// WhileStmt is a bounded while loop.
type WhileStmt struct {
	Span
	Cond Expr
	Body []Stmt
}

// UnrollStmt repeats Body Count times.
type UnrollStmt struct {
	Span
	Count Expr
	Body  []Stmt
}

// BranchStmt is "break", "continue" or "return".
type BranchStmt struct {
	Span
	Tok string
}

// TraceStmt is the body of an expression line: emit one event with the
// named fields, printed in ftrace's trace_pipe shape.
type TraceStmt struct {
	Span
	Fields []*TraceField
}

// TraceField is one NAME=VALUE of an expression line.
type TraceField struct {
	Span
	Name string
	// Format is 'S' (signed), 'U' (unsigned), 'X' (hex) or 0 when the
	// line gave no format letter.
	Format byte
	Value  Expr
}

func (*ExprStmt) stmt()   {}
func (*AssignStmt) stmt() {}
func (*IfStmt) stmt()     {}
func (*WhileStmt) stmt()  {}
func (*UnrollStmt) stmt() {}
func (*BranchStmt) stmt() {}
func (*TraceStmt) stmt()  {}
