package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

func compileSelector(t *testing.T, src string) (*spec.Program, error) {
	t.Helper()
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Compile(prog, fakeKernel(t), Options{})
}

// A kprobe selector makes one program per position of the sk_buff
// argument, attached to every function with the skb there; a clone
// (ip_rcv_core.isra.0) is left out, its arguments may differ from BTF's.
func TestSelectorKprobe(t *testing.T) {
	p, err := compileSelector(t, `kprobe:*(struct sk_buff *) { printf("%s %d\n", func, skb->len); }`)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, pr := range p.Probes {
		if pr.Kind != spec.AttachKprobe || pr.Name != "kprobe:*(struct sk_buff *)" || pr.Target != pr.Targets[0] {
			t.Errorf("probe %+v", pr)
		}
		got = append(got, pr.Targets)
	}
	want := [][]string{{"__netif_receive_skb_core", "dev_queue_xmit"}, {"ip_output"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("targets %q, want %q", got, want)
	}
	if !strings.Contains(p.Probes[1].Spec.Instructions.String(), "FnGetFuncIp") {
		t.Errorf("func in a shared program does not ask the kernel:\n%v", p.Probes[1].Spec.Instructions)
	}
}

// A rawtracepoint selector makes one tp_btf program per tracepoint whose
// btf_trace_ prototype takes an skb.
func TestSelectorTracepoint(t *testing.T) {
	p, err := compileSelector(t, `rawtracepoint:*(struct sk_buff *) { @[probe] = count(); $l = skb->len; }`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pr := range p.Probes {
		names = append(names, pr.Name)
		if pr.Spec.Type.String() != "Tracing" || pr.Targets != nil {
			t.Errorf("%s: type %v, targets %q", pr.Name, pr.Spec.Type, pr.Targets)
		}
	}
	if !slices.Contains(names, "rawtracepoint:netif_receive_skb") || !slices.Contains(names, "rawtracepoint:kfree_skb") {
		t.Errorf("probes %q", names)
	}
}

func TestSelectorErrors(t *testing.T) {
	for src, want := range map[string]string{
		`kprobe:_do_*(struct sk_buff *) { }`:                                "no kernel function or tracepoint matching _do_* takes a struct sk_buff *",
		`kprobe:ip_output { $x = skb; }`:                                    "skb exists only in tc probes and in probes with the argument selector",
		`kretprobe:ip_output(struct sk_buff *) { $x = skb; }`:               "skb is not available in kretprobe probes",
		`kprobe:*(struct sock *) { }`:                                       "only the (struct sk_buff *) argument selector is supported",
		`kprobe:_do_*(struct sk_buff *), kprobe:ip_*(struct sk_buff *) { }`: "",
	} {
		_, err := compileSelector(t, src)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", src, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}
