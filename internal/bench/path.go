package bench

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// The path tracer (`surftrace run path ADDR PORT`, issue 12) has no
// bpftrace counterpart: its rows carry surftrace's figures only. They are
// its start (until --ready-file; with -v on kprobes, how many functions
// it attached and how long the attach took) and the packets/s of a
// bounded loopback UDP flow without it, with it following another
// address (every hop's program runs and matches nothing) and with it
// following the flow (every packet printed hop by hop); and following
// another address with --entry tc on lo, where only the tc probe tests
// the filter and every hop only looks its skb up (seed 002's design).

// pathOther is the address the idle tracer follows: TEST-NET-1, which no
// packet of the flow has.
const pathOther = "192.0.2.1"

// attachedRe matches surftrace -v's "attached N of M functions in T".
var attachedRe = regexp.MustCompile(`attached (\d+) of (\d+) functions in (\S+)`)

// udpFlow is a receiver on loopback that never reads and a sender to it;
// its port is known before a tracer starts.
type udpFlow struct {
	dst, src *net.UDPConn
}

func newUDPFlow() (*udpFlow, error) {
	dst, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	src, err := net.DialUDP("udp4", nil, dst.LocalAddr().(*net.UDPAddr))
	if err != nil {
		dst.Close()
		return nil, err
	}
	return &udpFlow{dst: dst, src: src}, nil
}

func (f *udpFlow) port() int { return f.dst.LocalAddr().(*net.UDPAddr).Port }

func (f *udpFlow) close() { f.src.Close(); f.dst.Close() }

// send sends n 64-byte datagrams (at most for 30 s) and returns how many
// it sent per second; a full receive queue drops, which costs the same
// path up to the socket.
func (f *udpFlow) send(n int) float64 {
	payload := make([]byte, 64)
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	i := 0
	for ; i < n && time.Now().Before(deadline); i++ {
		f.src.Write(payload)
	}
	return float64(i) / time.Since(start).Seconds()
}

// pathRun is one run of the path tracer around a flow.
type pathRun struct {
	ready      time.Duration
	funcs, all int           // functions attached, of those matched (kprobes)
	attach     time.Duration // how long attaching them took
	pps        float64
}

// entryTC are run path's arguments that match packets in a tc probe on
// loopback, the flow's device.
var entryTC = []string{"--entry", "tc", "--dev", "lo"}

// runPath starts the path tracer following addr (and the flow's port),
// with the extra arguments, sends n datagrams once it is attached, and
// stops it.
func runPath(c Config, f *udpFlow, addr string, extra []string, n int, dir string) (pathRun, error) {
	ready := filepath.Join(dir, "ready")
	os.Remove(ready)
	args := append([]string{c.Surftrace, "-v", "--ready-file", ready, "run", "path", addr, strconv.Itoa(f.port())}, extra...)
	p, err := startProc(args, nil, readyOn{file: ready})
	if err != nil {
		return pathRun{}, err
	}
	var pr pathRun
	if pr.ready, err = p.waitReady(5 * time.Minute); err != nil {
		return pr, err
	}
	pr.pps = f.send(n)
	p.stop(time.Minute)
	if m := attachedRe.FindStringSubmatch(p.stderr()); m != nil {
		pr.funcs, _ = strconv.Atoi(m[1])
		pr.all, _ = strconv.Atoi(m[2])
		pr.attach, _ = time.ParseDuration(m[3])
	}
	return pr, nil
}

// pathFigures runs the flow alone, under the idle tracer and under the
// following tracer, in turn, min(Runs, 3) times each.
func pathFigures(c Config, r *Report) error {
	f, err := newUDPFlow()
	if err != nil {
		return err
	}
	defer f.close()
	dir, err := os.MkdirTemp("", "bench-path")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	runs := min(max(c.Runs, 1), 3)
	var ready, attach, funcs, alone, idle, follow, idleTC []float64
	all := 0
	for i := 0; i < runs; i++ {
		alone = append(alone, f.send(c.UDPCount))
		for _, v := range []struct {
			addr  string
			extra []string
			pps   *[]float64
		}{{pathOther, nil, &idle}, {"127.0.0.1", nil, &follow}, {pathOther, entryTC, &idleTC}} {
			pr, err := runPath(c, f, v.addr, v.extra, c.UDPCount, dir)
			if err != nil {
				return fmt.Errorf("run path %s %v: %w", v.addr, v.extra, err)
			}
			fmt.Fprintf(c.Log, "path %s %v run %d: ready %v, attached %d of %d in %v, %.0f packets/s\n",
				v.addr, v.extra, i+1, pr.ready, pr.funcs, pr.all, pr.attach, pr.pps)
			ready = append(ready, ms(pr.ready))
			*v.pps = append(*v.pps, pr.pps)
			if pr.funcs > 0 {
				attach, funcs, all = append(attach, ms(pr.attach)), append(funcs, float64(pr.funcs)), pr.all
			}
		}
	}
	r.addOnly(fmt.Sprintf("path tracer: start to attached (median of %d)", len(ready)), "ms", median(ready))
	if len(attach) > 0 {
		r.addOnly(fmt.Sprintf("path tracer: kprobe functions attached (of %d)", all), "functions", median(funcs))
		r.addOnly("path tracer: attaching them", "ms", median(attach))
	}
	a := median(alone)
	r.addOnly(fmt.Sprintf("UDP over loopback, %d datagrams, untraced (median of %d)", c.UDPCount, runs), "packets/s", a)
	r.addOnly("… path tracer following "+pathOther+" (no packet matches)", "packets/s", median(idle))
	r.addOnly("… path tracer following the flow (every packet printed)", "packets/s", median(follow))
	r.addOnly("… slowdown following "+pathOther, "x", a/median(idle))
	r.addOnly("… slowdown following the flow", "x", a/median(follow))
	r.addOnly("… path tracer following "+pathOther+" with --entry tc --dev lo", "packets/s", median(idleTC))
	r.addOnly("… slowdown following "+pathOther+" with --entry tc --dev lo", "x", a/median(idleTC))
	return nil
}
