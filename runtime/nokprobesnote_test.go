package runtime

import (
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestNoKprobesNote: a label all of whose probes were left out is not
// seen, one that kept a probe is seen without kprobes, and unlabelled
// probes left out are named by their attach point, once each.
func TestNoKprobesNote(t *testing.T) {
	probes := []*spec.Probe{
		{Index: 0, Name: "BEGIN", Kind: spec.AttachBegin, Label: "begin"},
		{Index: 1, Name: "kprobe:ip_rcv*(struct sk_buff *)", Kind: spec.AttachKprobe, Label: "ip-in"},
		{Index: 2, Name: "kprobe:udp_*(struct sk_buff *)", Kind: spec.AttachKprobe, Label: "udp"},
		{Index: 3, Name: "rawtracepoint:udp_fail_queue_rcv_skb", Kind: spec.AttachRawTracepoint, Label: "udp"},
		{Index: 4, Name: "kprobe:skb_clone(struct sk_buff *)", Kind: spec.AttachKprobe},
		{Index: 5, Name: "kprobe:skb_clone(struct sk_buff *)", Kind: spec.AttachKprobe},
		{Index: 6, Name: "kprobe:nf_*(struct sk_buff *)", Kind: spec.AttachKprobe, Label: "netfilter"},
	}
	left := []*spec.Probe{probes[6], probes[5], probes[4], probes[2], probes[1]}
	const want = "cannot see ip-in, netfilter; sees udp without kprobes; left out kprobe:skb_clone(struct sk_buff *)"
	if got := noKprobesNote(probes, left); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got, want := noKprobesNote(probes, probes[4:5]), "left out kprobe:skb_clone(struct sk_buff *)"; got != want {
		t.Errorf("unlabelled only: got %q, want %q", got, want)
	}
}
