package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/lang"
)

// badProbe is a probe whose instruction 3 (raw offset 4, after a 2-slot
// LoadImm) dereferences a scalar.
func badProbe() (*spec.Probe, *ebpf.ProgramSpec) {
	src := &lang.Source{Name: "x.st", Text: "BEGIN {}\n\nkprobe:ip_rcv { @x = $s->len; }\n"}
	ps := &ebpf.ProgramSpec{Type: ebpf.RawTracepoint, License: "GPL", Instructions: asm.Instructions{
		asm.LoadImm(asm.R1, 0, asm.DWord).WithSource(asm.Comment("x.st:3:16: @x = ...")),
		asm.Mov.Imm(asm.R2, 0),
		asm.LoadMem(asm.R0, asm.R1, 0, asm.DWord).WithSource(asm.Comment("x.st:3:21: $s->len")),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	}}
	probe := &spec.Probe{Name: "kprobe:ip_rcv", Kind: spec.AttachKprobe, Target: "ip_rcv", Spec: ps,
		Pos: lang.PosAt(src, strings.Index(src.Text, "kprobe"))}
	return probe, ps
}

var badLog = []string{
	"0: R1=ctx() R10=fp0",
	"0: (18) r1 = 0x0",
	"2: (b7) r2 = 0                        ; R2_w=0",
	"3: (79) r0 = *(u64 *)(r1 +0)",
	"R1 invalid mem access 'scalar'",
	"processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
}

func TestVerifierErrorNamesProbeAndConstruct(t *testing.T) {
	probe, ps := badProbe()
	ve := &ebpf.VerifierError{Cause: errors.New("permission denied"), Log: badLog}
	err := newVerifierError(probe, ps, ve, false)
	want := "x.st:3:1: kprobe:ip_rcv: the kernel verifier rejected this probe: R1 invalid mem access 'scalar' " +
		"(instruction 3, from x.st:3:21: $s->len) (-v shows the verifier log)"
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
	if !errors.Is(err, ve) {
		t.Error("error does not wrap cilium's")
	}
	verbose := newVerifierError(probe, ps, ve, true).Error()
	if !strings.Contains(verbose, "\nverifier log:\n\t0: R1=ctx() R10=fp0\n") || !strings.HasSuffix(verbose, "mark_read 0") {
		t.Errorf("verbose error lacks the log:\n%s", verbose)
	}
}

func TestVerifierErrorFallsBackToKernelLineInfo(t *testing.T) {
	probe, ps := badProbe()
	for i := range ps.Instructions {
		ps.Instructions[i] = ps.Instructions[i].WithSource(nil)
	}
	log := append([]string{"; @x = $s->len; @ x.st:3"}, badLog...)
	err := newVerifierError(probe, ps, &ebpf.VerifierError{Cause: errors.New("x"), Log: log}, false)
	if err.Source != "@x = $s->len;" {
		t.Errorf("source = %q", err.Source)
	}
}

func TestVerifierErrorWithoutLog(t *testing.T) {
	probe, ps := badProbe()
	err := newVerifierError(probe, ps, &ebpf.VerifierError{Cause: errors.New("permission denied")}, true)
	want := "x.st:3:1: kprobe:ip_rcv: the kernel verifier rejected this probe: permission denied"
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
}

func TestProbeLabel(t *testing.T) {
	for _, tc := range []struct {
		probe spec.Probe
		want  string
	}{
		{spec.Probe{Name: "kprobe:ip_rcv", Kind: spec.AttachKprobe, Target: "ip_rcv"}, "kprobe:ip_rcv"},
		{spec.Probe{Name: "p0", Kind: spec.AttachKprobe, Target: "ip_output", Offset: 8}, "p0 (kprobe:ip_output+8)"},
		{spec.Probe{Name: "e1", Kind: spec.AttachTracepoint, Target: "skb:kfree_skb"}, "e1 (tracepoint:skb:kfree_skb)"},
		{spec.Probe{Name: "BEGIN", Kind: spec.AttachBegin}, "BEGIN"},
	} {
		if got := probeLabel(&tc.probe); got != tc.want {
			t.Errorf("probeLabel = %q, want %q", got, tc.want)
		}
	}
}
