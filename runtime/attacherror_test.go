package runtime

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/lang"
)

// lineProbe makes the Probe of expression line text, attaching at target.
func lineProbe(text string, kind spec.AttachKind, target string, offset uint64) *spec.Probe {
	src := &lang.Source{Name: "<line 1>", Text: text}
	start := strings.IndexByte(text, ' ') + 1
	end := strings.IndexByte(text[start:]+" ", ' ') + start
	return &spec.Probe{Name: "p0", Kind: kind, Target: target, Offset: offset,
		Pos: lang.PosAt(src, start), End: lang.PosAt(src, end)}
}

// TestKprobeErrorNoKprobes checks the error of a p or r line on a kernel
// without kprobes: positioned, and naming the tracepoints the compiler found.
func TestKprobeErrorNoKprobes(t *testing.T) {
	cause := fmt.Errorf("creating tracefs event: %w", os.ErrNotExist)
	p := lineProbe("p ip_output proto=%2->protocol", spec.AttachKprobe, "ip_output", 0)
	p.SeenBy = &spec.SeenBy{Type: "struct sk_buff", Events: []string{"net:net_dev_queue", "skb:kfree_skb"}, More: true}
	err := kprobeError(p, cause, true)
	want := "<line 1>:1:3: this kernel has no kprobes (CONFIG_KPROBES is off): p ip_output cannot attach\n" +
		"    p ip_output proto=%2->protocol\n" +
		"      ^~~~~~~~~\n" +
		"    (tracepoints that see a struct sk_buff: net:net_dev_queue, skb:kfree_skb, ...; e.g. e net/net_dev_queue ...)"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrNoKprobes) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap ErrNoKprobes and its cause", err)
	}
	if _, ok := lang.AsError(err); !ok {
		t.Errorf("error %v carries no position", err)
	}

	r := lineProbe("r tcp_v4_connect", spec.AttachKretprobe, "tcp_v4_connect", 0)
	if err := kprobeError(r, cause, true); err == nil || !strings.Contains(err.Error(), "r tcp_v4_connect cannot attach") ||
		!strings.Contains(err.Error(), "(use a tracepoint instead: e SUBSYS/EVENT)") {
		t.Errorf("r line without suggestions: %v", err)
	}

	script := &spec.Probe{Name: "kprobe:ip_rcv", Kind: spec.AttachKprobe, Target: "ip_rcv"}
	if err := kprobeError(script, cause, true); !errors.Is(err, ErrNoKprobes) {
		t.Errorf("script probe: %v does not wrap ErrNoKprobes", err)
	}
}

// TestKprobeErrorOffset checks that a refused SYMBOL+OFF says so at the
// +OFF, instead of cilium/ebpf's error about the prefixed fallback name.
func TestKprobeErrorOffset(t *testing.T) {
	p := lineProbe("p ip_output+0x4 r=%r12", spec.AttachKprobe, "ip_output", 4)
	for _, cause := range []error{
		fmt.Errorf("creating perf_kprobe PMU (arch-specific fallback for %q): token __x64_ip_output+0x4: %w", "ip_output", os.ErrNotExist),
		fmt.Errorf("creating perf_kprobe PMU: %w", unix.EINVAL),
		fmt.Errorf("creating perf_kprobe PMU: %w", unix.EILSEQ),
	} {
		err := kprobeError(p, cause, false)
		want := "<line 1>:1:12: kprobe at ip_output+0x4: the kernel refused this offset (not an instruction boundary?)\n" +
			"    p ip_output+0x4 r=%r12\n" +
			"               ^~~~"
		if err == nil || err.Error() != want {
			t.Errorf("cause %v: error\n got %v\nwant %s", cause, err, want)
		}
		if !errors.Is(err, cause) {
			t.Errorf("error %v does not wrap its cause", err)
		}
	}
	// Other errors, and the same errors at offset 0, pass through.
	perm := fmt.Errorf("creating perf_kprobe PMU: %w", unix.EPERM)
	if err := kprobeError(p, perm, false); err != perm {
		t.Errorf("EPERM became %v", err)
	}
	p0 := lineProbe("p ip_output", spec.AttachKprobe, "ip_output", 0)
	if inval := fmt.Errorf("x: %w", unix.EINVAL); kprobeError(p0, inval, false) != inval {
		t.Errorf("EINVAL at offset 0 was rewritten")
	}
	if kprobeError(p, nil, false) != nil {
		t.Errorf("no error became one")
	}
}
