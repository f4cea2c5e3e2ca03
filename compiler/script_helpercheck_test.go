package compiler

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// Helpers are named as bpftrace's -k warnings name them.
func TestHelperName(t *testing.T) {
	for fn, want := range map[asm.BuiltinFunc]string{
		asm.FnMapDeleteElem:      "map_delete_elem",
		asm.FnMapLookupElem:      "map_lookup_elem",
		asm.FnSendSignal:         "send_signal",
		asm.FnProbeReadUser:      "probe_read",
		asm.FnProbeReadKernelStr: "probe_read_str",
	} {
		if got := helperName(fn); got != want {
			t.Errorf("helperName(%v) = %q, want %q", fn, got, want)
		}
	}
}

// -k checks updates and deletes but not lookups; -kk checks all three;
// without either no helper-error event exists.
func TestHelperCheckLevels(t *testing.T) {
	src := `BEGIN { @[1] = 1; delete(@[2]); printf("%d\n", @[3]); }`
	for level, want := range []string{"", "map_update_elem map_delete_elem", "map_update_elem map_delete_elem map_lookup_elem"} {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, fakeKernel(t), Options{HelperCheck: level})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range p.Events {
			if ev.Kind == spec.EventHelperError {
				got = append(got, ev.Format)
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("-k level %d checks %q, want %q", level, got, want)
		}
	}
}

// Probes whose pointers belong to no address space (BEGIN, interval, ...)
// read with the legacy bpf_probe_read(_str), as bpftrace 0.17 does, so
// that a NULL read fails with -EFAULT as there; kprobes read kernel
// memory with bpf_probe_read_kernel(_str).
func TestReadHelperByAddrSpace(t *testing.T) {
	body := `{ $p = (struct foo *)0; @a = $p->a; @s = str($p->s); }`
	for kind, want := range map[string][]asm.BuiltinFunc{
		"BEGIN":            {asm.FnProbeRead, asm.FnProbeReadStr},
		"interval:s:1":     {asm.FnProbeRead, asm.FnProbeReadStr},
		"kprobe:ip_output": {asm.FnProbeReadKernel, asm.FnProbeReadKernelStr},
	} {
		src := "struct foo { int a; char s[8]; } " + kind + " " + body
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, fakeKernel(t), Options{})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		calls := map[asm.BuiltinFunc]bool{}
		for _, ins := range p.Probes[0].Spec.Instructions {
			if ins.IsBuiltinCall() {
				calls[asm.BuiltinFunc(ins.Constant)] = true
			}
		}
		for _, fn := range want {
			if !calls[fn] {
				t.Errorf("%s: no call of %v in %v", kind, fn, p.Probes[0].Spec.Instructions)
			}
		}
		if len(calls) > 0 && calls[asm.FnProbeRead] && calls[asm.FnProbeReadKernel] {
			t.Errorf("%s: both probe_read and probe_read_kernel", kind)
		}
	}
}
