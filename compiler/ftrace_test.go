package compiler

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// ftraceCase is one case of a testdata/ftrace file.
type ftraceCase struct {
	lineNo          int
	in, def, filter string
	warn, err       string
}

// readFtraceCases reads a testdata/ftrace file: the kernel's sk_buff.data
// offset and the cases.
func readFtraceCases(t *testing.T, name string) (seedKernel, []*ftraceCase) {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sk seedKernel
	var cases []*ftraceCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		key, val, ok := strings.Cut(sc.Text(), ": ")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		if key == "in" {
			cases = append(cases, &ftraceCase{lineNo: n, in: val})
			continue
		}
		if key == "skbdata" {
			v, _ := strconv.ParseUint(val, 0, 32)
			sk.skbData = uint32(v)
			continue
		}
		c := cases[len(cases)-1]
		*map[string]*string{"def": &c.def, "filter": &c.filter, "warn": &c.warn, "err": &c.err}[key] = val
	}
	return sk, cases
}

// probeHead is the "p:NAME" or "r:GROUP/NAME" that names a probe.
var probeHead = regexp.MustCompile(`^([pr]):\S+ `)

// TestFtraceSeeds compiles the expression lines of seeds 000 and 004
// against a BTF with the offsets those documents assume, and compares the
// result with the ftrace text the documents print.
func TestFtraceSeeds(t *testing.T) {
	files, _ := filepath.Glob("testdata/ftrace/*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata/ftrace files")
	}
	for _, file := range files {
		sk, cases := readFtraceCases(t, file)
		k := sk.kernel(t)
		for _, c := range cases {
			t.Run(filepath.Base(file)+":"+strconv.Itoa(c.lineNo), func(t *testing.T) { c.check(t, k) })
		}
	}
}

func (c *ftraceCase) check(t *testing.T, k kernel.Kernel) {
	prog, err := line.Parse(&lang.Source{Name: "<line>", Text: c.in}, 0)
	if err != nil {
		t.Fatalf("parse %q: %v", c.in, err)
	}
	f, err := CompileFtrace(prog, k, Options{})
	if c.err != "" {
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Fatalf("%s\nerror: %v\nwant an error containing %q", c.in, err, c.err)
		}
		if _, ok := lang.AsError(err); !ok {
			t.Errorf("error %v is not positioned", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s\n%v", c.in, err)
	}
	p := f.Probes[0]
	got, want := probeHead.ReplaceAllString(p.Def, "$1: "), probeHead.ReplaceAllString(c.def, "$1: ")
	if got != want || p.Filter != c.filter {
		t.Errorf("%s\n got def %q\nwant def %q\n got filter %q\nwant filter %q", c.in, p.Def, c.def, p.Filter, c.filter)
	}
	var warns []string
	for _, w := range f.Warnings {
		warns = append(warns, w.Error())
	}
	if all := strings.Join(warns, "\n"); (c.warn == "") != (all == "") || !strings.Contains(all, c.warn) {
		t.Errorf("%s\nwarnings: %q\nwant one containing %q", c.in, all, c.warn)
	}
}

// TestFtraceSpans maps parts of the definition and filter of seed 000's
// line back to the source text they came from.
func TestFtraceSpans(t *testing.T) {
	text := `p ip_output proto=@(struct iphdr*)l3%2->protocol b16_dest=@(struct udphdr*)l3%2->dest f:proto==17&&b16_dest==9988`
	prog, err := line.Parse(&lang.Source{Name: "<line>", Text: text}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := CompileFtrace(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Probes[0]
	const group = "surftrace_12345"
	def := p.DefLine(group)
	for _, c := range []struct {
		kind     spec.FtraceText
		text, at string
		want     string
	}{
		{spec.FtraceDef, def, "ip_output", "ip_output"},
		{spec.FtraceDef, def, ":u16", "@(struct udphdr*)l3%2->dest"},
		{spec.FtraceDef, def, "b16_dest=", "b16_dest=@(struct udphdr*)l3%2->dest"},
		{spec.FtraceFilter, p.Filter, "1063", "9988"},
		{spec.FtraceFilter, p.Filter, "b16_dest", "b16_dest"},
		{spec.FtraceFilter, p.Filter, "==17", "proto==17"},
	} {
		col := strings.Index(c.text, c.at)
		span, ok := p.SourceAt(c.kind, group, col)
		if got := text[span.Pos.Offset:span.End.Offset]; !ok || got != c.want {
			t.Errorf("SourceAt(%q at %d of %q) = %q, %v; want %q", c.at, col, c.text, got, ok, c.want)
		}
	}
}
