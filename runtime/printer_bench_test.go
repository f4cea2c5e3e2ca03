package runtime

import (
	"bufio"
	"bytes"
	"io"
	"sync/atomic"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// printfRecords returns n records of printf("%d %d\n", pid, args->id) in
// the layout the compiler gives them (header, then two 8-byte fields),
// with the program they belong to.
func printfRecords(n int) (*spec.Program, [][]byte) {
	ev := &spec.Event{ID: 0, Kind: spec.EventPrintf, Format: "%d %d\n", Stack: -1,
		Fields: []*spec.Field{intField(0), intField(8)}}
	prog := &spec.Program{Probes: []*spec.Probe{{Name: "tracepoint:raw_syscalls:sys_enter"}}, Events: []*spec.Event{ev}}
	raws := make([][]byte, n)
	for i := range raws {
		pid := int64(100000 + i%7)
		raws[i] = cat(u32(0), u32(uint32(i%2)), s64(int64(1e12)+int64(i)*500), s64(pid|pid<<32), str("dd", 16), s64(0),
			s64(pid), s64(int64(i%3)))
	}
	return prog, raws
}

// BenchmarkPrintfLines decodes, formats and writes (to a buffer that is
// discarded) short printf records as Run does: the consumer's ceiling in
// lines per second, and its allocations per line, which must be 0.
func BenchmarkPrintfLines(b *testing.B) {
	prog, raws := printfRecords(1024)
	t := &Tracer{prog: prog, records: make([]atomic.Uint64, len(prog.Probes))}
	p := &printer{out: Output{W: io.Discard}, w: bufio.NewWriterSize(io.Discard, outputBuffer), r: testRenderer(), prog: prog}
	var rec record
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := t.handle(p, raws[i%len(raws)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestPrintfLinesBuffered(t *testing.T) {
	prog, raws := printfRecords(3)
	tr := &Tracer{prog: prog, records: make([]atomic.Uint64, len(prog.Probes))}
	var out bytes.Buffer
	p := &printer{out: Output{W: &out}, w: bufio.NewWriterSize(&out, outputBuffer), r: testRenderer(), prog: prog}
	var rec record
	for _, raw := range raws {
		if _, err := tr.handle(p, raw, &rec); err != nil {
			t.Fatal(err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("lines were written before the flush: %q", out.String())
	}
	if err := p.flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "100000 0\n100001 1\n100002 2\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := tr.Records(); len(got) != 1 || got[0] != 3 {
		t.Errorf("Records() = %v, want [3]", got)
	}
	if n := testing.AllocsPerRun(100, func() { tr.handle(p, raws[1], &rec) }); n != 0 {
		t.Errorf("%v allocations per printf record, want 0", n)
	}
}
