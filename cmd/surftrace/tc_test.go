package main

import (
	"bytes"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestTCExitPaths: whatever ends a run with tc probes (SIGINT, exit(),
// the -c child's exit, an attach error, kill -9), nothing of it stays on
// the device: tcx links close with the process, and the clsact filters
// (the 6.1 VM) are removed by the run, or after kill -9 by the next run.
func TestTCExitPaths(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	ktest.RequireRoot(t)
	host, peer := netfix.Host(), netfix.NewNS(t)
	dev, _ := netfix.Veth(t, host, netip.MustParsePrefix("203.0.113.65/28"), peer, netip.MustParsePrefix("203.0.113.66/28"))
	prog := func(body string) string {
		return "tc:ingress:" + dev + " { " + body + " } tc:egress:" + dev + " { @e = count(); }"
	}
	state := func() netfix.TCState {
		t.Helper()
		s, err := netfix.TC(dev)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	attached := func(what string) {
		t.Helper()
		if s := state(); s.TCX+s.Filters != 2 {
			t.Errorf("%s: %s holds %+v, want 2 tcx programs or filters", what, dev, s)
		}
	}
	clean := func(what string, clsact bool) {
		t.Helper()
		if s := state(); s != (netfix.TCState{Clsact: clsact}) {
			t.Errorf("%s: %s still holds %+v", what, dev, s)
		}
	}

	p := startCLI(t, "-e", prog("@n = count();"))
	attached("SIGINT run")
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, 20*time.Second); code != exitOK {
		t.Errorf("SIGINT: exit %d, stderr:\n%s", code, p.stderr.String())
	}
	clean("after SIGINT", false)

	p = startCLI(t, "-e", prog("exit();"))
	attached("exit() run")
	peer.SendUDP(netip.MustParseAddrPort("203.0.113.65:9"), []byte("x"), 3, time.Second)
	if code := p.wait(t, 20*time.Second); code != exitOK {
		t.Errorf("exit(): exit %d, stderr:\n%s", code, p.stderr.String())
	}
	clean("after exit()", false)

	p = startCLI(t, "-c", "sleep 1", "-e", prog("@n = count();"))
	attached("-c run")
	if code := p.wait(t, 20*time.Second); code != exitOK {
		t.Errorf("-c: exit %d, stderr:\n%s", code, p.stderr.String())
	}
	clean("after the -c child's exit", false)

	var stdout, stderr bytes.Buffer
	code := run([]string{"-e", prog("@n = count();") + " tc:egress:nosuchdev0 { @x = count(); }"}, &stdout, &stderr)
	if code == exitOK || !strings.Contains(stderr.String(), "no device matches nosuchdev0") {
		t.Errorf("a missing device: exit %d, stderr:\n%s", code, stderr.String())
	}
	clean("after an attach error", false)

	p = startCLI(t, "-e", prog("@n = count();"))
	before := state()
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t, 20*time.Second)
	p = startCLI(t, "-e", prog("@n = count();"))
	attached("the run after kill -9")
	p.cmd.Process.Signal(syscall.SIGINT)
	p.wait(t, 20*time.Second)
	// The qdisc a killed run added stays: nothing says who added it.
	clean("after kill -9 and a second run", before.Filters > 0)
}
