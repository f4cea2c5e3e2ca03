package main

import (
	"math/bits"
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
// A to B for a delay shows, in `run tcprtt`'s histogram for the client's
// connection, most samples in the bucket of the delay, and --ms and
// --total put them in one millisecond histogram; the same over IPv6. The
// delay sits just above its bucket's bottom, leaving room for what the
// user-space delay line on the host adds (34 ms: 32 to 64 ms), and for
// the VM's emulation, whose added round trip under load on the shared
// machine has reached 100 ms (140 ms there: 128 to 256 ms).
func TestTCPRTTScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	delay := 34 * time.Millisecond
	if ktest.InVM() {
		delay = 140 * time.Millisecond
	}
	for _, tc := range []struct {
		sink string // where the transfer goes
		args []string
		key  string // the histogram of the client's connection
		ms   bool   // in milliseconds
	}{
		{"192.0.2.2:8081", []string{"--port", "8081"}, `@rtt_us[192.0.2.1, \d+, 192.0.2.2, 8081]`, false},
		{"192.0.2.2:8081", []string{"--addr", "192.0.2.2", "--ms", "--total"}, `@rtt_total_ms`, true},
		{"[2001:db8:1::2]:8081", []string{"--addr", "2001:db8:1::2"}, `@rtt6_us[2001:db8:1::1, \d+, 2001:db8:1::2, 8081]`, false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			p := netfix.NewDelayedPair(t, delay)
			p.AddIPv6(t)
			sink := p.B.ListenTCP(t, netip.MustParseAddrPort(tc.sink))
			args := append([]string{"--duration", faultWindow(), "run", "tcprtt"}, tc.args...)
			r := runWhile(t, args, func() {
				// 32 KiB: a few round trips, in windows small enough
				// that the VM's slow emulation does not queue them; the
				// connection stays open while the ACKs come back.
				if err := p.A.TransferTCP(sink.Addr, make([]byte, 32<<10), 10*delay, 10*time.Second); err != nil {
					t.Error(err)
				}
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
			want := log2Bucket(uint64(delay.Microseconds()))
			if tc.ms {
				want = log2Bucket(uint64(delay.Milliseconds()))
			}
			if peak := histPeak(r.stdout[loc[1]:]); peak != want {
				t.Errorf("histogram %s peaks in %q, want %q, the bucket of %v", key, peak, want, delay)
			}
		})
	}
}

// log2Bucket is the label of hist()'s bucket holding v > 0, as it
// prints: "[32K, 64K)".
func log2Bucket(v uint64) string {
	lo := uint64(1) << (bits.Len64(v) - 1)
	return "[" + sizeLabel(lo) + ", " + sizeLabel(2*lo) + ")"
}

// sizeLabel prints a power of two as hist() does: 512, 1K, 16M.
func sizeLabel(n uint64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatUint(n>>20, 10) + "M"
	case n >= 1<<10:
		return strconv.FormatUint(n>>10, 10) + "K"
	}
	return strconv.FormatUint(n, 10)
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
