package compiler

import (
	"errors"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// hostLines compile against the running kernel's BTF and format files and
// must pass its verifier.
var hostLines = []string{
	`e skb/kfree_skb`,
	`e skb/kfree_skb proto=protocol loc=location reason=reason f:protocol==0x0008`,
	`e net/netif_receive_skb dev=name len=len f:len>20&&name~"lo*"`,
	`e net/netif_receive_skb ip_src=@(struct iphdr *)l3 skbaddr->saddr ip_dst=@(struct iphdr *)l3 skbaddr->daddr proto=@(struct iphdr *) skbaddr->protocol f:proto==1&&ip_src==127.0.0.1`,
	`e net/netif_receive_skb b16_sport=@(struct udphdr *)l3 skbaddr->source b16_dport=@(struct udphdr *)l3 skbaddr->dest body=@(struct udphdr *)l3 skbaddr->Sdata[0] f:b16_dport==9988||b16_sport==9988`,
	`e skb/kfree_skb ip_dst=@(struct iphdr *)h skbaddr->daddr ihl=@(struct iphdr *)h skbaddr->ihl ver=@(struct iphdr *)h skbaddr->version mac_src=@(struct ethhdr *)h skbaddr->h_source x=@(struct tcphdr *)h skbaddr->cdata[2] f:mac_src!=00:00:00:00:00:00`,
	`e net/netif_receive_skb dev=!(struct sk_buff *) skbaddr->dev->name mtu=!(struct sk_buff *) skbaddr->dev->mtu stack=$stack f:$comm~"ssh*"||common_pid==1`,
	`e net/netif_receive_skb ip6_src=@(struct ipv6hdr *)l3 skbaddr->saddr f:ip6_src==::1`,
	`e sched/sched_switch prev=prev_comm next=next_comm f:prev_pid!=0&&next_comm!=swapper`,
}

// kprobeLines need kprobe programs; the host may load them even without
// CONFIG_KPROBES.
var kprobeLines = []string{
	`p ip_output proto=@(struct iphdr*)l3%2->protocol ip_dst=@(struct iphdr*)l3%2->daddr b16_dest=@(struct udphdr*)l3%2->dest comm=$comm body=@(struct udphdr*)l3%2->Sdata[0] f:proto==17&&ip_dst==10.0.1.221`,
	`p __netif_receive_skb_one_core proto=@(struct iphdr *)l3%0->protocol ip_src=@(struct iphdr *)l3%0->saddr ip_dst=@(struct iphdr *)l3%0->daddr data=X@(struct iphdr *)l3%0->sdata[1] f:proto==1&&ip_src==127.0.0.1`,
	`p kernel_clone comm=$comm flags=%0->flags`,
	`p __dev_queue_xmit proto=@(struct iphdr *)l2%0->protocol ip_dst=@(struct iphdr *)l2%0->daddr f:proto==1`,
	`r kernel_clone r=$retval`,
	`p do_sys_openat2 name=%1 comm=$comm f:comm==systemd`,
	`p wake_up_new_task comm=%0->comm users=S%0->mm->mm_users f:comm==python||users<4`,
}

func parseLine(t *testing.T, text string) *lang.Program {
	t.Helper()
	p, err := line.Parse(&lang.Source{Name: "<line>", Text: text}, 0)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	return p
}

func loadOnHost(t *testing.T, text string, opts Options) error {
	t.Helper()
	p, err := Compile(parseLine(t, text), &kernel.Host{}, opts)
	if err != nil {
		t.Fatalf("compile %q: %v", text, err)
	}
	spec := &ebpf.CollectionSpec{Maps: p.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
	for _, pr := range p.Probes {
		spec.Programs[pr.Name] = pr.Spec
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{LogSizeStart: 1 << 20}})
	if err != nil {
		return err
	}
	coll.Close()
	return nil
}

func TestVerifierTracepoints(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	ktest.RequireTracefs(t)
	for _, text := range hostLines {
		for _, opts := range []Options{{}, {Stack: true, StrSize: 128}} {
			if err := loadOnHost(t, text, opts); err != nil {
				t.Errorf("load %q: %v", text, verifierTail(err))
			}
		}
	}
}

func TestVerifierKprobes(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	for _, text := range kprobeLines {
		if err := loadOnHost(t, text, Options{Stack: true}); err != nil {
			if errors.Is(err, ebpf.ErrNotSupported) {
				t.Skipf("kprobe programs: %v", err)
			}
			t.Errorf("load %q: %v", text, verifierTail(err))
		}
	}
}

// verifierTail keeps the end of a verifier log, where the reason is.
func verifierTail(err error) string {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		log := ve.Log
		if len(log) > 30 {
			log = log[len(log)-30:]
		}
		return ve.Error() + "\n" + strings.Join(log, "\n")
	}
	return err.Error()
}
