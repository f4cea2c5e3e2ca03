package compiler

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/kernel"
)

// TestSeenBy checks the tracepoints a kprobe line's Probe suggests: those
// whose BTF prototype takes the function's most specific struct pointer.
func TestSeenBy(t *testing.T) {
	for _, tc := range []struct {
		line string
		want *spec.SeenBy
	}{
		// sk_buff over sock (no tracepoint) and net (broad).
		{`p ip_output`, &spec.SeenBy{Type: "struct sk_buff", Events: []string{"net:netif_receive_skb", "skb:kfree_skb"}}},
		{`r dev_queue_xmit`, &spec.SeenBy{Type: "struct sk_buff", Events: []string{"net:netif_receive_skb", "skb:kfree_skb"}}},
		{`p _do_fork`, nil},
		{`p netif_skb_noproto`, nil},
	} {
		p, err := Compile(parseLine(t, tc.line), fakeKernel(t), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		got := p.Probes[0].SeenBy
		if (got == nil) != (tc.want == nil) || got != nil && (got.Type != tc.want.Type || !slices.Equal(got.Events, tc.want.Events) || got.More != tc.want.More) {
			t.Errorf("%s: SeenBy %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

// TestSeenByHost checks ip_output's suggestion on the running kernel.
func TestSeenByHost(t *testing.T) {
	ktest.RequireBTF(t)
	ktest.RequireTracepoint(t, "skb", "kfree_skb")
	p, err := Compile(parseLine(t, `p ip_output`), &kernel.Host{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sb := p.Probes[0].SeenBy
	t.Logf("%+v", sb)
	if sb == nil || sb.Type != "struct sk_buff" || len(sb.Events) != maxSeenBy || !sb.More {
		t.Fatalf("SeenBy %+v, want struct sk_buff and %d events of more", sb, maxSeenBy)
	}
}
