package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
	"github.com/surftrace/surftrace/runtime/render"
)

// payloadsThatBrokeText are datagram payloads whose bytes, printed in a
// string field, broke the text the ftrace backend used to parse (issue 9):
// newlines (one ending the payload, as `echo` sends it), quotes, a field's
// own "name=value" shape, spaces, control bytes and a NUL, after which the
// string stops in both backends.
var payloadsThatBrokeText = []string{
	"Hello World\n",
	`say "hi" __surftrace_comm="x"`,
	"a=b c=d  ",
	"two\nlines\n\n",
	"nul\x00after",
	"tab\tcr\r\x7fend",
}

// TestPayloadBytesBothBackends (issue 9): seed 000's ip_output line prints
// the same bytes through the bpf backend and through the ftrace backend,
// which `--backend auto` picks in a process whose bpf() seccomp refuses,
// for payloads that used to break the ftrace backend's text parsing. With
// a kretprobe (its caller symbolized) and -s (the stack under each line),
// the whole output is the same bytes but for each line's thread and time.
func TestPayloadBytesBothBackends(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Kretprobes, ktest.Ringbuf, ktest.KprobeEvents)
	p := netfix.NewPair(t)
	sentinel := `p ip_output b16_dest=@(struct udphdr*)l3%2->dest f:b16_dest==9999`
	sent := `r udp_sendmsg ret=$retval f:ret!=3` // every payload but the sentinel's "end"
	args := []string{"-s", "--max-events", strconv.Itoa(2*len(payloadsThatBrokeText) + 1), seed000, sentinel, sent}
	traffic := func() {
		for _, pl := range payloadsThatBrokeText {
			must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(pl), 1, 5*time.Second))
		}
		time.Sleep(100 * time.Millisecond)
		must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9999"), []byte("end"), 1, 5*time.Second))
	}

	bpf := traceWhile(t, append([]string{"--backend", "bpf"}, args...), traffic)
	if bpf.code != exitOK {
		t.Fatalf("bpf backend: exit %d", bpf.code)
	}
	stdout, stderr := runNoBPF(t, append([]string{"--backend", "auto"}, args...), traffic)
	if !strings.Contains(stderr, "backend ftrace") {
		t.Fatalf("the run without bpf() did not pick ftrace; stderr:\n%s", stderr)
	}
	ftrace := parseTrace(t, stdout)

	got := map[string][]string{"bpf": fieldsOf(bpf.lines, "p0"), "ftrace": fieldsOf(ftrace, "p0")}
	prefix := `proto=17 ip_dst=192.0.2.2 b16_dest=9988 comm="` + commOfSelf + `" body=`
	for i, pl := range payloadsThatBrokeText {
		s, _, _ := strings.Cut(pl, "\x00")
		want := prefix + render.Quote(s)
		for _, backend := range []string{"bpf", "ftrace"} {
			if i >= len(got[backend]) {
				t.Errorf("%s backend: no line for payload %q", backend, pl)
				continue
			}
			if got[backend][i] != want {
				t.Errorf("%s backend, payload %q:\n got %q\nwant %q", backend, pl, got[backend][i], want)
			}
		}
	}
	for _, backend := range []string{"bpf", "ftrace"} {
		if len(got[backend]) != len(payloadsThatBrokeText) {
			t.Errorf("%s backend printed %d p0 lines, want %d", backend, len(got[backend]), len(payloadsThatBrokeText))
		}
	}
	if b, f := withoutThreadAndTime(bpf.stdout), withoutThreadAndTime(stdout); b != f {
		t.Errorf("the outputs differ beyond threads and times:\nbpf:\n%s\nftrace:\n%s", b, f)
	}
	if !strings.Contains(stdout, "r2: (") || !strings.Contains(stdout, " <- udp_sendmsg) ret=12\n => ") {
		t.Errorf("the ftrace backend printed no kretprobe line with its caller and stack")
	}
}

// withoutThreadAndTime drops the part of each trace line before the probe
// name: the comm, thread, CPU and time.
func withoutThreadAndTime(out string) string {
	return traceHead.ReplaceAllString(out, "")
}

var traceHead = regexp.MustCompile(`(?m)^ *\S+-\d+ +\[\d{3}\] \d+\.\d{6}: `)

// runNoBPF runs surftrace with args as a process whose bpf() fails with
// EPERM, calls traffic once it is ready, and returns its output.
func runNoBPF(t *testing.T, args []string, traffic func()) (stdout, stderr string) {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	var out, errb strings.Builder
	cmd := cliCommand(true, append([]string{"--ready-file", ready, "--duration", "60s"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("surftrace exited before it was ready: %v\nstderr:\n%s", err, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatalf("not ready after 60s; stderr:\n%s", errb.String())
		}
	}
	traffic()
	select {
	case err := <-done:
		t.Logf("surftrace without bpf() %q: %v\nstdout:\n%sstderr:\n%s", args, err, out.String(), errb.String())
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("surftrace without bpf() did not stop; stdout:\n%s", out.String())
	}
	return out.String(), errb.String()
}
