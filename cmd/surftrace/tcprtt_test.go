package main

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestTCPRTTScript: a transfer over a line that holds every packet from
// A to B for 40 ms shows, in `run tcprtt`'s histogram for the client's
// connection, most samples in the bucket of 32 to 64 ms (its top leaves
// room for the VM's emulation and the user-space delay line on the
// host), and --ms and --total put them in one millisecond histogram; the
// same over IPv6.
func TestTCPRTTScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	for _, tc := range []struct {
		sink string // where the transfer goes
		args []string
		key  string // the histogram of the client's connection
		peak string // the bucket that must hold the most samples
	}{
		{"192.0.2.2:8081", []string{"--port", "8081"}, `@rtt_us[192.0.2.1, \d+, 192.0.2.2, 8081]`, "[32K, 64K)"},
		{"192.0.2.2:8081", []string{"--addr", "192.0.2.2", "--ms", "--total"}, `@rtt_total_ms`, "[32, 64)"},
		{"[2001:db8:1::2]:8081", []string{"--addr", "2001:db8:1::2"}, `@rtt6_us[2001:db8:1::1, \d+, 2001:db8:1::2, 8081]`, "[32K, 64K)"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			p := netfix.NewDelayedPair(t, 40*time.Millisecond)
			p.AddIPv6(t)
			sink := p.B.ListenTCP(t, netip.MustParseAddrPort(tc.sink))
			args := append([]string{"--duration", faultWindow(), "run", "tcprtt"}, tc.args...)
			r := runWhile(t, args, func() {
				// 256 KiB take a few dozen round trips.
				must(t, "tcp")(p.A.SendTCP(sink.Addr, make([]byte, 256<<10), 1, 10*time.Second))
				sink.Wait(1, 5*time.Second)
			})
			if r.code != exitOK {
				t.Fatalf("exit %d", r.code)
			}
			key := regexp.MustCompile(`(?m)^` + strings.NewReplacer("[", `\[`, "]", `\]`, ".", `\.`).Replace(tc.key) + `: $`)
			loc := key.FindStringIndex(r.stdout)
			if loc == nil {
				t.Fatalf("no histogram %s", key)
			}
			if peak := histPeak(r.stdout[loc[1]:]); peak != tc.peak {
				t.Errorf("histogram %s peaks in %q, want %q", key, peak, tc.peak)
			}
		})
	}
}

// histPeak returns the bucket with the largest count of the histogram
// whose rows start text ("[16K, 32K)    12 |@@@|"), up to the first line
// that is no row.
func histPeak(text string) string {
	row := regexp.MustCompile(`^(\[[^)\]]*[)\]]) +(\d+) \|`)
	peak, most := "", -1
	for _, line := range strings.Split(strings.TrimPrefix(text, "\n"), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			break
		}
		if n, _ := strconv.Atoi(m[2]); n > most {
			peak, most = m[1], n
		}
	}
	return peak
}
