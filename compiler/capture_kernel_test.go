package compiler

import (
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// TestCaptureChoosesSkb checks which lines carry a packet with capture on:
// those with an skb cast, a struct sk_buff * argument or a tracepoint
// skbaddr; and that the packet is no printed field.
func TestCaptureChoosesSkb(t *testing.T) {
	ktest.RequireBTF(t)
	k := &kernel.Host{}
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"e net/netif_receive_skb len=len", true},
		{"p ip_rcv", true},
		{"r ip_rcv", false},
		{"p ip_output proto=@(struct iphdr *)l3%2->protocol", true},
		{"e syscalls/sys_enter_getppid", false},
	} {
		prog, err := line.Parse(&lang.Source{Name: "<line 1>", Text: tc.line}, 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, k, Options{Capture: 1000})
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		ev := p.Events[0]
		if got := ev.Capture != nil; got != tc.want {
			t.Errorf("%s: capture %v, want %v", tc.line, got, tc.want)
		}
		if ev.Capture != nil && ev.Capture.Snap != spec.MaxCapture {
			t.Errorf("%s: snap %d, want the cap %d", tc.line, ev.Capture.Snap, spec.MaxCapture)
		}
		for _, f := range ev.Fields {
			if f.Name == "$packet" {
				t.Errorf("%s: the packet is a printed field", tc.line)
			}
		}
	}
}
