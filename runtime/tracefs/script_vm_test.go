package tracefs

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// TestScriptSeed000UDP writes the -o script of seed 000's UDP/9988 line,
// runs it under bash while the fixture sends UDP to 9989 and 9988, and
// checks that it prints exactly the 9988 datagrams in the runner's format
// with ip_dst dotted and b16_dest swapped, and that after SIGINT
// kprobe_events, the instances and the enabled events are as before. It
// needs kprobe_events (the VM).
func TestScriptSeed000UDP(t *testing.T) {
	ktest.RequireFeature(t, ktest.KprobeEvents)
	root := ktest.RequireTracefs(t)
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	prog, err := line.Parse(&lang.Source{Name: "<line>", Text: seed000Line}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := compiler.CompileFtrace(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "seed000.sh")
	if err := os.WriteFile(file, []byte(Script(f)), 0o755); err != nil {
		t.Fatal(err)
	}
	pair := netfix.NewPair(t)
	before := snapshot(root)

	var out syncBuffer
	cmd := exec.Command("bash", file)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	group := "surftrace_" + strconv.Itoa(cmd.Process.Pid)
	enable := filepath.Join(root, "instances", group, "events", group, "p0", "enable")
	waitFor(t, func() bool { b, _ := os.ReadFile(enable); return strings.TrimSpace(string(b)) == "1" })
	time.Sleep(200 * time.Millisecond) // the awk has opened trace_pipe
	const n = 3
	payload := []byte("Hello World\x00")
	for _, port := range []uint16{9989, 9988} {
		if sent, err := pair.A.SendUDP(netip.AddrPortFrom(pair.AddrB, port), payload, n, 10*time.Second); err != nil || sent != n {
			t.Fatalf("SendUDP to %d = %d, %v", port, sent, err)
		}
	}
	waitFor(t, func() bool { return strings.Count(out.String(), "\n") >= n })
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	t.Logf("script output:\n%s", out.String())
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("script after SIGINT: %v, want exit status 130", err)
	}
	comm := regexp.QuoteMeta(ownComm())
	want := regexp.MustCompile(`^ {0,16}` + comm + `-\d+ +\[\d{3}\] \d+\.\d{6}: p0: \(ip_output\+0x0\) proto=17 ip_dst=192\.0\.2\.2 b16_dest=9988 comm="` + comm + `" body="Hello World"$`)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Errorf("got %d lines, want %d (only port 9988)", len(lines), n)
	}
	for _, l := range lines {
		if !want.MatchString(l) {
			t.Errorf("line %q does not match %v", l, want)
		}
	}
	if after := snapshot(root); after != before {
		t.Errorf("tracefs after the script:\n%s\nwant as before:\n%s", after, before)
	}
}

// ownComm is this process's comm: the test binary's name, cut to 15 bytes.
func ownComm() string {
	b, _ := os.ReadFile("/proc/self/comm")
	return strings.TrimSpace(string(b))
}
