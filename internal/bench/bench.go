// Package bench runs the same programs under surftrace and bpftrace,
// alternating the two, and reports start time, CPU, memory, translated
// instructions, per-event cost and printf throughput side by side
// (issue 13; docs/performance.md). `make bench` drives it through
// cmd/bench, on the host (tracepoints) and in the 6.1 VM (kprobes).
package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cilium/ebpf"
)

// Config says what to run and how much.
type Config struct {
	Surftrace string // the surftrace binary
	Bpftrace  string // the bpftrace binary
	Runs      int    // runs of the start program per tool; figures are medians
	DDCount   int    // bytes dd copies one at a time: two syscalls each
	UDPCount  int    // datagrams for the skb-cast program
	Kprobes   bool   // programs on kprobes (the 6.1 VM) instead of tracepoints
	Smoke     bool   // the start program and the printf program only
	Log       io.Writer
}

// Figure is one row of the report.
type Figure struct {
	Name      string  `json:"name"`
	Unit      string  `json:"unit"`
	Surftrace float64 `json:"surftrace"`
	Bpftrace  float64 `json:"bpftrace"`
	// Ratio is Surftrace/Bpftrace, 0 when Bpftrace is 0.
	Ratio float64 `json:"ratio"`
	// SurftraceOnly marks a figure bpftrace has no counterpart for
	// (the path tracer's).
	SurftraceOnly bool `json:"surftrace_only,omitempty"`
}

// Report is the outcome of one bench run on one kernel.
type Report struct {
	Kernel  string   `json:"kernel"`
	Probes  string   `json:"probes"` // "tracepoints" or "kprobes"
	Figures []Figure `json:"figures"`
}

func (r *Report) add(name, unit string, s, b float64) {
	f := Figure{Name: name, Unit: unit, Surftrace: s, Bpftrace: b}
	if b != 0 {
		f.Ratio = s / b
	}
	r.Figures = append(r.Figures, f)
}

// addOnly adds a figure of surftrace alone.
func (r *Report) addOnly(name, unit string, s float64) {
	r.Figures = append(r.Figures, Figure{Name: name, Unit: unit, Surftrace: s, SurftraceOnly: true})
}

// tool is how one tracer runs a program.
type tool struct {
	name string
	// start starts a run of program that says when every probe is
	// attached; readyFile is a path it may create for that.
	start func(program, readyFile string) (*proc, error)
}

// notifyAttached makes bpftrace print its own name on stderr once every
// probe is attached (bpftrace's runtime tests use it).
const notifyAttached = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

func tools(c Config) []tool {
	return []tool{
		{name: "surftrace", start: func(p, ready string) (*proc, error) {
			return startProc([]string{c.Surftrace, "-q", "--ready-file", ready, "-e", p}, nil, readyOn{file: ready})
		}},
		{name: "bpftrace", start: func(p, _ string) (*proc, error) {
			return startProc([]string{c.Bpftrace, "-e", p}, []string{notifyAttached + "=1"}, readyOn{stderr: notifyAttached})
		}},
	}
}

// Run runs every measurement and returns the report. A tracer that fails
// a measurement is an error: the figures would not be comparable.
func Run(c Config) (*Report, error) {
	if c.Log == nil {
		c.Log = io.Discard
	}
	rel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	r := &Report{Kernel: strings.TrimSpace(string(rel)), Probes: "tracepoints"}
	if c.Kprobes {
		r.Probes = "kprobes"
	}
	restore, err := enableStats()
	if err != nil {
		return nil, err
	}
	defer restore()
	if err := startFigures(c, r); err != nil {
		return nil, err
	}
	if err := programFigures(c, r); err != nil || c.Smoke {
		return r, err
	}
	return r, pathFigures(c, r)
}

// enableStats sets kernel.bpf_stats_enabled and returns how to put back
// the old value.
func enableStats() (restore func(), err error) {
	const path = "/proc/sys/kernel/bpf_stats_enabled"
	old, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bpf_stats_enabled: %w", err)
	}
	if err := os.WriteFile(path, []byte("1"), 0o644); err != nil {
		return nil, fmt.Errorf("bpf_stats_enabled: %w", err)
	}
	return func() { os.WriteFile(path, old, 0o644) }, nil
}

// startProgram is the program whose whole run the start figures time.
func startProgram(kprobes bool) string {
	if kprobes {
		return `kprobe:kfree_skb_reason { @[arg1] = count(); } BEGIN { exit(); }`
	}
	return `tracepoint:skb:kfree_skb { @[args->reason] = count(); } BEGIN { exit(); }`
}

// startFigures runs the start program Runs times per tool, alternating,
// after one run of each that is not counted: what a tool keeps between
// runs (surftrace's on-disk cache, the page cache of either's binary and
// libraries) is then as warm as on a machine where it was used before.
func startFigures(c Config, r *Report) error {
	runs := max(c.Runs, 1)
	prog := startProgram(c.Kprobes)
	ts := tools(c)
	samples := make([][4][]float64, len(ts)) // ready, wall, cpu (ms), rss (MiB)
	dir, err := os.MkdirTemp("", "bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for i := -1; i < runs; i++ {
		for j, t := range ts {
			p, err := t.start(prog, filepath.Join(dir, fmt.Sprintf("ready%d", i+1)))
			if err != nil {
				return err
			}
			ready, err := p.waitReady(2 * time.Minute)
			if err != nil {
				return fmt.Errorf("%s start: %w", t.name, err)
			}
			if err := p.wait(2 * time.Minute); err != nil {
				return fmt.Errorf("%s start: %w\n%s", t.name, err, p.stderr())
			}
			cpu, rss := p.usage()
			if i < 0 {
				continue // the warm-up
			}
			s := &samples[j]
			s[0] = append(s[0], ms(ready))
			s[1] = append(s[1], ms(p.wall))
			s[2] = append(s[2], ms(cpu))
			s[3] = append(s[3], float64(rss)/(1<<20))
			fmt.Fprintf(c.Log, "start %s run %d: ready %v wall %v cpu %v rss %.1f MiB\n", t.name, i+1, ready, p.wall, cpu, float64(rss)/(1<<20))
		}
	}
	names := []string{"start to attached", "whole run, wall", "whole run, CPU", "peak RSS"}
	units := []string{"ms", "ms", "ms", "MiB"}
	for k := range names {
		r.add(fmt.Sprintf("%s (median of %d)", names[k], runs), units[k], median(samples[0][k]), median(samples[1][k]))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// progStats sums what the kernel says of the traced programs.
type progStats struct {
	insns      int
	runs       uint64
	runtime    time.Duration
	traceCount int // how many programs were summed
}

// readStats reads the translated size and run statistics of the programs
// among ids of type typ that are not BEGIN or END probes.
func readStats(ids []uint32, typ ebpf.ProgramType) (progStats, error) {
	var s progStats
	for _, id := range ids {
		prog, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
		if err != nil {
			continue // the tracer closed it meanwhile
		}
		info, err := prog.Info()
		if err == nil && info.Type == typ && !isBeginEnd(info.Name) {
			size, serr := info.TranslatedSize()
			st, terr := prog.Stats()
			if serr == nil && terr == nil {
				s.insns += size / 8
				s.runs += st.RunCount
				s.runtime += st.Runtime
				s.traceCount++
			}
		}
		prog.Close()
	}
	if s.traceCount == 0 {
		return s, fmt.Errorf("no traced program among %v", ids)
	}
	return s, nil
}

func isBeginEnd(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "begin") || strings.HasPrefix(n, "end")
}

var lostLine = regexp.MustCompile(`^Lost (\d+) events`)

// lost sums the "Lost N events" lines both tracers print.
func lost(lines []string) float64 {
	n := 0.0
	for _, l := range lines {
		if m := lostLine.FindStringSubmatch(l); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			n += v
		}
	}
	return n
}
