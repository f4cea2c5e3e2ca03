package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

// TestErrors checks that bad lines get positioned errors with hints.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		line string
		want string // substring of the rendered error, position first
	}{
		{`p ip_output x=%3`, `<line>:1:15: function ip_output has 3 arguments (net, sk, skb); %3 is out of range`},
		{`p ip_outptu x=%0`, `unknown kernel function ip_outptu`},
		{`p ip_outptu x=%0`, `did you mean ip_output?`},
		{`p _do_fork c=%0->comn`, `1:14: struct task_struct has no member comn`},
		{`p _do_fork c=%0->comn`, `did you mean comm?`},
		{`p ip_output x=@(struct ethhdr *)l3%2->h_proto`, `struct ethhdr is layer 2, below l3 where skb->data points here`},
		{`p ip_output proto=@(struct iphdr *)%2->protocol f:proto==300`, `1:58: 300 does not fit proto (u8)`},
		{`p ip_output proto=@(struct iphdr *)%2->protocol f:prot==1`, `filter names unknown field prot`},
		{`p ip_output proto=@(struct iphdr *)%2->protocol f:prot==1`, `did you mean proto?`},
		{`p ip_output x=%zz`, `unknown register %zz`},
		{`p ip_output x=$retval`, `$retval exists only in r and R lines`},
		{`p ip_output ip_dst=@(struct iphdr *)%2->daddr f:ip_dst==10.0.1`, `10.0.1 is not an IPv4 address`},
		{`p ip_output x=@(struct foohdr *)%2->a`, `struct foohdr is not a packet header`},
		{`p ip_output x=@(struct iphdr *)%1->saddr`, `an skb cast reads a struct sk_buff *, not struct sock *`},
		{`e sched/sched_stat_wait f:dealy>1`, `did you mean delay?`},
		{`e sched/sched_stat_wat`, `unknown tracepoint sched/sched_stat_wat`},
		{`p _do_fork c=%0->comm f:c~"*x*"`, `only PREFIX* globs are supported`},
		{`p _do_fork c=%0->comm[20]`, `the index 20 is out of bounds for array of size 16 (char[16])`},
		{`p _do_fork c=%0->mm`, `` /* a pointer is fine */},
		{`e skb/kfree_skb reason=reason f:reason==NO_SOCKT`, `1:41: NO_SOCKT is not a value of enum skb_drop_reason`},
		{`e skb/kfree_skb reason=reason f:reason==NO_SOCKT`, `did you mean NO_SOCKET?`},
		{`e skb/kfree_skb f:reason==NO_SOCKET||reason==2||reason==SKB_CONSUMED`, ``},
		{`p netif_skb_noproto x=%0->len`, `1:23: %0 has no known type: function netif_skb_noproto has no BTF prototype`},
		{`p netif_skb_noproto x=%0->len`, `cast it to its real type, e.g. !(struct sk_buff *)%0`},
		{`p netif_skb_noproto x=@(struct iphdr *)%0->saddr`, `1:40: %0 has no known type: function netif_skb_noproto has no BTF prototype`},
		{`p netif_skb_noproto x=%0[1]`, `%0 has no known type`},
		{`p netif_skb_noproto x=%0 y=%di`, `` /* the raw value is fine */},
		{`p netif_skb_noproto x=!(struct sk_buff *)%0->len y=@(struct iphdr *)%di->saddr`, `` /* so are casts and registers */},
		{`e skb/kfree_skb f:pcap("udp port 53", skbaddr) && reason==NO_SOCKET`, ``},
		{`p ip_output skb=%2 f:!pcap("tcp", skb)`, ``},
		{`e skb/kfree_skb f:pcap("net 0.0.0.0/0 or ip6", skbaddr) || !pcap("not net 0.0.0.0/0", skbaddr)`, ``},
		{`e skb/kfree_skb f:pcap("tcp port 99999", skbaddr)`, `1:34: "99999" is not a port (0 to 65535)`},
		{`e skb/kfree_skb f:pcap("tcp", protocol)`, `1:31: pcap() reads a struct sk_buff *, not unsigned short`},
		{`e skb/kfree_skb f:pcapp("tcp", skbaddr)`, `did you mean pcap?`},
		{`e skb/kfree_skb f:pcap("tcp")`, `pcap takes a filter and the struct sk_buff * it reads`},
	} {
		p := parseLine(t, tc.line)
		_, err := Compile(p, fakeKernel(t), Options{})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.line, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.line, tc.want)
			continue
		}
		if _, ok := lang.AsError(err); !ok {
			t.Errorf("%s: %T is not a *lang.Error: %v", tc.line, err, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %q", tc.line, err, tc.want)
		}
	}
}

// TestResolveOptimizedName finds NAME.isra.N from the plain name.
func TestResolveOptimizedName(t *testing.T) {
	p, err := Compile(parseLine(t, `p ip_rcv_core x=%0`), fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Probes[0].Target; got != "ip_rcv_core.isra.0" {
		t.Errorf("target %q, want ip_rcv_core.isra.0", got)
	}
}
