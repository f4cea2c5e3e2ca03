package main

import (
	"bufio"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// Exit paths: whatever ends a run, nothing of it stays in the kernel. A
// signal ends it cleanly (status 0, everything closed and removed); kill
// -9 leaves the BPF objects to the kernel, which frees them with the last
// fd, and the ftrace backend's instance and kprobe events to the next
// run, which removes a dead run's leftovers before it starts.

// quietLine matches nothing in practice: IPv4 packets of 1139 bytes
// received on the host. The tests do not need events, only attached probes.
const quietLine = "e net/netif_receive_skb f:len==1139"

// exitLines are the lines the exit tests attach: a tracepoint, and a
// kprobe where the kernel has the backend's kind of kprobes.
func exitLines(t *testing.T, backend string) []string {
	lines := []string{quietLine}
	f := ktest.Kprobes
	if backend == "ftrace" {
		f = ktest.KprobeEvents
	}
	if ktest.Check(f) == nil {
		lines = append(lines, "p wake_up_new_task f:comm==nosuchcomm")
	}
	return lines
}

func TestKillBPFLeavesNothing(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	pins := pinned(t)
	args := append([]string{"-q", "--backend", "bpf"}, exitLines(t, "bpf")...)
	first := startCLI(t, args...)
	held := heldBPF(t, first.pid())
	t.Logf("first run (pid %d) holds %v", first.pid(), held)
	if len(held.progs) == 0 || len(held.maps) == 0 || len(held.links) == 0 {
		t.Fatalf("first run holds %v: want programs, maps and links", held)
	}
	if live := liveBPF(held); len(live.progs) != len(held.progs) {
		t.Fatalf("the kernel knows only %v of %v while the first run lives", live, held)
	}
	first.cmd.Process.Signal(syscall.SIGKILL)
	if code := first.wait(t, 10*time.Second); code != -1 {
		t.Errorf("kill -9: exit %d, want death by signal", code)
	}
	wantBPFGone(t, "after kill -9", held)

	second := startCLI(t, args...)
	wantBPFGone(t, "while a second run traces", held)
	wantNoNewPins(t, pins)
	held2 := heldBPF(t, second.pid())
	second.cmd.Process.Signal(syscall.SIGINT)
	if code := second.wait(t, 10*time.Second); code != exitOK {
		t.Errorf("second run: exit %d after SIGINT, want 0", code)
	}
	wantBPFGone(t, "second run after SIGINT", held2)
	wantNoNewPins(t, pins)
}

func TestKillFtraceLeavesNothing(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints)
	lines := exitLines(t, "ftrace")
	args := append([]string{"-q", "--backend", "ftrace"}, lines...)
	first := startCLI(t, args...)
	pid1 := first.pid()
	made := ftraceLeft(t, pid1)
	t.Logf("first run (pid %d) made %q", pid1, made)
	if len(made) != len(lines) { // the instance, and a kprobe_events line per kprobe after the tracepoint
		t.Fatalf("first run made %q: want its instance and a line per kprobe", made)
	}
	first.cmd.Process.Signal(syscall.SIGKILL)
	if code := first.wait(t, 10*time.Second); code != -1 {
		t.Errorf("kill -9: exit %d, want death by signal", code)
	}
	// Nothing could clean up after kill -9: the leftovers are the next
	// run's to remove.
	if left := ftraceLeft(t, pid1); len(left) != len(made) {
		t.Fatalf("after kill -9, before the next run: %q, want all of %q", left, made)
	}

	second := startCLI(t, args...)
	if left := ftraceLeft(t, pid1); len(left) > 0 {
		t.Errorf("a second run traces, and the dead first run's %q is still there", left)
	}
	if got := ftraceLeft(t, second.pid()); len(got) != len(made) {
		t.Errorf("second run made %q, want as many as the first's %q", got, made)
	}
	second.cmd.Process.Signal(syscall.SIGTERM)
	if code := second.wait(t, 10*time.Second); code != exitOK {
		t.Errorf("second run: exit %d after SIGTERM, want 0", code)
	}
	if left := ftraceLeft(t, second.pid()); len(left) > 0 {
		t.Errorf("second run exited and left %q", left)
	}
}

// TestSignalsExitCleanly: SIGINT, SIGTERM and SIGHUP end a run with status
// 0, nothing on stderr, and nothing left in the kernel, on both backends.
func TestSignalsExitCleanly(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	pins := pinned(t)
	for _, backend := range []string{"bpf", "ftrace"} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
			t.Run(backend+"/"+signalName(sig), func(t *testing.T) {
				args := append([]string{"-q", "--backend", backend}, exitLines(t, backend)...)
				p := startCLI(t, args...)
				held := heldBPF(t, p.pid())
				made := ftraceLeft(t, p.pid())
				if backend == "bpf" && len(held.progs) == 0 {
					t.Fatalf("bpf run holds no programs: %v", held)
				}
				if backend == "ftrace" && len(made) == 0 {
					t.Fatalf("ftrace run made no instance")
				}
				p.cmd.Process.Signal(sig)
				if code := p.wait(t, 10*time.Second); code != exitOK {
					t.Errorf("%s: exit %d, want 0", signalName(sig), code)
				}
				if s := p.stderr.String(); s != "" {
					t.Errorf("%s: stderr %q, want nothing", signalName(sig), s)
				}
				wantBPFGone(t, "after "+signalName(sig), held)
				if left := ftraceLeft(t, p.pid()); len(left) > 0 {
					t.Errorf("after %s: left %q", signalName(sig), left)
				}
				wantNoNewPins(t, pins)
			})
		}
	}
}

// TestBrokenPipeExitsCleanly: `surftrace ... | head -1`. Once the reader
// of stdout is gone, the next write fails; the run ends as on SIGINT
// (status 0, nothing on stderr, nothing left), instead of dying of SIGPIPE
// with the ftrace backend's instance still in tracefs.
func TestBrokenPipeExitsCleanly(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	for _, backend := range []string{"bpf", "ftrace"} {
		t.Run(backend, func(t *testing.T) {
			n := netfix.NewPair(t)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			p := startCLIOut(t, w, "-q", "--backend", backend, "--duration", "60s", quietLine)
			w.Close()
			held := heldBPF(t, p.pid())
			// Datagrams of 1111 bytes until the tracer exits: the first
			// line is read, then the pipe is closed under it.
			go func() {
				for {
					select {
					case <-p.done:
						return
					case <-time.After(20 * time.Millisecond):
					}
					n.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), make([]byte, 1111), 1, time.Second)
				}
			}()
			line, err := bufio.NewReader(r).ReadString('\n')
			if err != nil {
				t.Fatalf("read the first line: %v", err)
			}
			t.Logf("first line: %s", line)
			r.Close()
			if code := p.wait(t, 10*time.Second); code != exitOK {
				t.Errorf("stdout closed: exit %d, want 0", code)
			}
			if s := p.stderr.String(); s != "" {
				t.Errorf("stderr %q, want nothing", s)
			}
			wantBPFGone(t, "after stdout closed", held)
			if left := ftraceLeft(t, p.pid()); len(left) > 0 {
				t.Errorf("stdout closed, and the run left %q", left)
			}
		})
	}
}

// TestSIGUSR1PrintsMaps: SIGUSR1 prints every map at once, without the
// empty lines of the exit dump, and the run goes on, as in bpftrace.
func TestSIGUSR1PrintsMaps(t *testing.T) {
	ktest.RequireFeature(t, ktest.Ringbuf)
	p := startCLI(t, "-q", "-e", `BEGIN { @scalar = 5; @m[1] = 2; } interval:ms:1500 { exit(); }`)
	p.cmd.Process.Signal(syscall.SIGUSR1)
	if code := p.wait(t, 10*time.Second); code != exitOK {
		t.Fatalf("exit %d, want 0; stderr %q", code, p.stderr.String())
	}
	want := "@m[1]: 2\n@scalar: 5\n\n\n@m[1]: 2\n@scalar: 5\n"
	if got := p.stdout.String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}
