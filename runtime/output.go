package runtime

import (
	"io"

	"github.com/surftrace/surftrace/spec"
)

// Format selects how Run encodes what it prints.
type Format int

// The output formats.
const (
	// Text prints trace lines in trace_pipe's shape, printf and time text
	// as formatted, and maps in bpftrace's layout.
	Text Format = iota
	// JSON prints one object per line: bpftrace's -f json objects for
	// maps, printf, time and print(value), and surftrace's "event"
	// objects for trace lines (see docs/output.md).
	JSON
)

// Output says where and how Run prints.
type Output struct {
	// W receives events, printf and time text, maps and lost counts.
	W io.Writer
	// Warn receives diagnostics that do not stop a run, such as a
	// malformed record; nil discards them.
	Warn io.Writer
	// Levels prefixes Warn's lines with "ERROR: " or "WARNING: ", as
	// bpftrace does, instead of "surftrace: ".
	Levels bool
	Format Format
	// Stack, when set, also receives every kernel stack a record carries
	// (-s, $stack, kstack), leaf first, one "SYMBOL+0xOFF [module]" per
	// frame, for writers such as runtime/folded.
	Stack func(probe *spec.Probe, frames []string)
	// Packet, when set, receives the packet each trace record carries
	// (compiler.Options.Capture), for writers such as runtime/pcap.
	Packet func(Packet)
	// Dump, when set, makes Run print every map each time it receives,
	// as bpftrace does on SIGUSR1.
	Dump <-chan struct{}
	// Gap, when set, receives the two empty lines that precede the maps
	// printed at exit, in every format, instead of W: bpftrace writes them
	// to its stdout also with -o FILE and -f json.
	Gap io.Writer
}
