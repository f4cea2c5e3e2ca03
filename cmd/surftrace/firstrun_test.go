package main

import (
	"bytes"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestFirstRunDropmon runs README's first command, `surftrace run
// drop` (once dropmon), as on a fresh machine: in a mount namespace of its own where
// tracefs is not mounted. surftrace mounts it with a note, prints the drop
// monitor's header, and shows the drop of a UDP datagram sent to a closed
// port on loopback.
func TestFirstRunDropmon(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	if ktest.ChildMode() == "" {
		ktest.RunChild(t, "firstrun")
		return
	}
	if err := ktest.UnmountTracing(); err != nil {
		t.Fatal(err)
	}
	// Port 9 (discard) on 127.0.0.2: nothing listens there in a test run.
	dst := netip.MustParseAddrPort("127.0.0.2:9")
	r := runWhile(t, []string{"run", "drop"}, func() {
		must(t, "udp")(netfix.Host().SendUDP(dst, []byte("firstrun"), 3, 5*time.Second))
		time.Sleep(time.Second) // the drops' records reach the ring buffer
		syscall.Kill(os.Getpid(), syscall.SIGINT)
	})
	if r.code != exitOK {
		t.Fatalf("run drop exited %d", r.code)
	}
	out := r.stdout
	if !strings.HasPrefix(out, "Tracing packet drops. Hit Ctrl-C to end.\nTIME            PID     COMM            NETNS      DEV          PROTO PACKET REASON LOCATION\n") {
		t.Errorf("no header; stdout:\n%s", out)
	}
	drop := regexp.MustCompile(`(?m)^\d+\.\d{6} +\d+ +\S+ +\d+ +lo +UDP +127\.0\.0\.1:\d+ > 127\.0\.0\.2:9 NO_SOCKET \S+`)
	if !drop.MatchString(out) {
		t.Errorf("no drop of the datagram to %v; stdout:\n%s", dst, out)
	}
	if want := "surftrace: tracefs was not mounted; mounted it on /sys/kernel/tracing\n"; r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
}

// TestNoTracefsWithoutRootSaysWhatToMount runs a tracepoint program as
// nobody where tracefs is not mounted: one positioned error that says
// what to mount, exit status 2.
func TestNoTracefsWithoutRootSaysWhatToMount(t *testing.T) {
	ktest.RequireRoot(t)
	if ktest.ChildMode() == "" {
		ktest.RunChild(t, "nobody")
		return
	}
	if err := ktest.UnmountTracing(); err != nil {
		t.Fatal(err)
	}
	ktest.AsNobody(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run([]string{"-e", "tracepoint:skb:kfree_skb { @n = count(); }"}, &stdout, &stderr)
	want := "-e:1:1: tracepoint skb:kfree_skb: tracefs is not mounted at /sys/kernel/tracing, and mounting it needs root (CAP_SYS_ADMIN): as root, run: mount -t tracefs nodev /sys/kernel/tracing\n"
	if code != exitUsage || !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit %d and stderr starting\n%s", code, stderr.String(), exitUsage, want)
	}
}
