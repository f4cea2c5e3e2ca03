package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cilium/ebpf"
)

// progCase is one program both tracers run under a bounded load. PID in
// its text stands for the load's pid.
type progCase struct {
	name string
	text string
	udp  bool // loaded by loopback UDP instead of dd
}

// cases returns the programs on tracepoints (host) or kprobes (6.1 VM).
// The empty program comes first: its ns per event is the floor that
// running any program costs (dispatch and bpf_stats' own clock reads),
// which the "above the empty program" rows take off.
func cases(kprobes bool) []progCase {
	if kprobes {
		return []progCase{
			{name: "empty", text: `kprobe:vfs_read { }`},
			{name: "count by key", text: `kprobe:vfs_read { @[comm] = count(); }`},
			{name: "hist", text: `kprobe:vfs_read { @h = hist(arg2); }`},
			{name: "filtered count", text: `kprobe:vfs_read /comm == "dd"/ { @c[arg2] = count(); }`},
			{name: "printf", text: `kprobe:vfs_read /pid == PID/ { printf("%d %d\n", pid, arg2); }`},
			{name: "skb-cast printf", udp: true, text: `kprobe:ip_output { printf("%d\n", ((struct sk_buff *)arg2)->len); }`},
		}
	}
	return []progCase{
		{name: "empty", text: `tracepoint:raw_syscalls:sys_enter { }`},
		{name: "count by key", text: `tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }`},
		{name: "hist", text: `tracepoint:raw_syscalls:sys_enter { @h = hist(args->id); }`},
		{name: "filtered count", text: `tracepoint:raw_syscalls:sys_enter /comm == "dd"/ { @c[args->id] = count(); }`},
		{name: "printf", text: `tracepoint:raw_syscalls:sys_enter /pid == PID/ { printf("%d %d\n", pid, args->id); }`},
		{name: "skb-cast printf", udp: true, text: `tracepoint:net:net_dev_xmit { printf("%d\n", ((struct sk_buff *)args->skbaddr)->len); }`},
	}
}

// caseResult is what one tracer's run of a progCase gave.
type caseResult struct {
	stats    progStats // over the load only
	insns    int
	lines    int           // printf lines delivered
	lost     float64       // as the tracer counted them
	loadTime time.Duration // how long the load ran
	cpu      time.Duration // the tracer's CPU time
}

// programFigures runs every case under each tool, alternating, and adds
// instructions, ns per event and, for printf, delivery and slowdown.
func programFigures(c Config, r *Report) error {
	typ := ebpf.TracePoint
	if c.Kprobes {
		typ = ebpf.Kprobe
	}
	var floor [2]float64 // the empty program's ns per event
	for _, pc := range cases(c.Kprobes) {
		if c.Smoke && pc.name != "printf" {
			continue
		}
		var res [2]caseResult
		var alone [2]time.Duration // dd untraced, just before each tracer's run
		for j, t := range tools(c) {
			if !pc.udp {
				d, err := newDD(c.DDCount)
				if err != nil {
					return err
				}
				if alone[j], err = d.release(); err != nil {
					return err
				}
			}
			cr, err := runCase(c, t, pc, typ)
			if err != nil {
				// A shared, loaded machine makes a run fail now and
				// then (a program id read while the tracer is still
				// setting up): one more try before giving up.
				fmt.Fprintf(c.Log, "%s %q: %v; once more\n", t.name, pc.name, err)
				cr, err = runCase(c, t, pc, typ)
			}
			if err != nil {
				return fmt.Errorf("%s %q: %w", t.name, pc.name, err)
			}
			fmt.Fprintf(c.Log, "%s %s: %d insns, %d runs, %v, %d lines, %.0f lost, load %v\n",
				t.name, pc.name, cr.insns, cr.stats.runs, cr.stats.runtime, cr.lines, cr.lost, cr.loadTime)
			res[j] = cr
		}
		s, b := res[0], res[1]
		r.add("translated insns: "+pc.name, "insns", float64(s.insns), float64(b.insns))
		r.add("per event: "+pc.name, "ns", perEvent(s.stats), perEvent(b.stats))
		if pc.name == "empty" {
			floor = [2]float64{perEvent(s.stats), perEvent(b.stats)}
		} else if floor[0] != 0 {
			r.add("per event above the empty program: "+pc.name, "ns", perEvent(s.stats)-floor[0], perEvent(b.stats)-floor[1])
		}
		if !pc.udp {
			r.add(fmt.Sprintf("dd traced / dd alone just before: %s (alone: %.0f ms, %.0f ms)", pc.name, ms(alone[0]), ms(alone[1])), "x",
				ms(s.loadTime)/ms(alone[0]), ms(b.loadTime)/ms(alone[1]))
		}
		if pc.name == "printf" {
			r.add(fmt.Sprintf("printf: lines delivered (dd bs=1 count=%d: one event per syscall, or per read on kprobes)", c.DDCount), "lines", float64(s.lines), float64(b.lines))
			r.add("printf: lost (as counted by the tracer)", "events", s.lost, b.lost)
			r.add("printf: tracer's CPU for the whole run", "ms", ms(s.cpu), ms(b.cpu))
		}
	}
	return nil
}

func perEvent(s progStats) float64 {
	if s.runs == 0 {
		return 0
	}
	return float64(s.runtime.Nanoseconds()) / float64(s.runs)
}

// printfLine is a line of the printf cases' output.
var printfLine = regexp.MustCompile(`^-?\d+( -?\d+)?$`)

// runCase runs one case under one tool.
func runCase(c Config, t tool, pc progCase, typ ebpf.ProgramType) (caseResult, error) {
	var res caseResult
	var ld load = udpLoad{n: c.UDPCount}
	if !pc.udp {
		d, err := newDD(c.DDCount)
		if err != nil {
			return res, err
		}
		ld = d
	}
	dir, err := os.MkdirTemp("", "bench")
	if err != nil {
		ld.release()
		return res, err
	}
	defer os.RemoveAll(dir)
	text := strings.ReplaceAll(pc.text, "PID", strconv.Itoa(ld.pid()))
	p, err := t.start(text, filepath.Join(dir, "ready"))
	if err != nil {
		ld.release()
		return res, err
	}
	defer p.stop(time.Minute)
	if _, err := p.waitReady(2 * time.Minute); err != nil {
		ld.release()
		return res, err
	}
	ids, err := progIDs(p.cmd.Process.Pid)
	if err != nil {
		ld.release()
		return res, err
	}
	before, err := readStats(ids, typ)
	if err != nil {
		ld.release()
		return res, err
	}
	if res.loadTime, err = ld.release(); err != nil {
		return res, err
	}
	after, err := readStats(ids, typ)
	if err != nil {
		return res, err
	}
	res.insns = after.insns
	res.stats = progStats{runs: after.runs - before.runs, runtime: after.runtime - before.runtime}
	p.settle(500*time.Millisecond, time.Minute)
	p.stop(time.Minute)
	res.cpu, _ = p.usage()
	lines := p.lines()
	res.lost = lost(lines)
	for _, l := range lines {
		if printfLine.MatchString(l) {
			res.lines++
		}
	}
	return res, nil
}
