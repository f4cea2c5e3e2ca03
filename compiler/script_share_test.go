package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

func compileWith(t *testing.T, src string, opts Options) (*spec.Program, error) {
	t.Helper()
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Compile(prog, fakeKernel(t), opts)
}

// A kprobe or kretprobe wildcard makes one program for every function it
// matches, as bpftrace does, unless the block reads probe, which names
// each function: then one program per function.
func TestWildcardSharesProgram(t *testing.T) {
	for _, kind := range []string{"kprobe", "kretprobe"} {
		each, err := compileWith(t, kind+`:*_* { @[probe] = count(); }`, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var fns []string
		for _, pr := range each.Probes {
			fns = append(fns, strings.TrimPrefix(pr.Name, kind+":"))
			if pr.Targets != nil {
				t.Errorf("%s: a block reading probe shares a program: targets %q", pr.Name, pr.Targets)
			}
		}
		if len(fns) < 2 {
			t.Fatalf("%s:*_* matches %q in the fake kernel; the test needs two", kind, fns)
		}
		one, err := compileWith(t, kind+`:*_* /pid > 1/ { @[func] = count(); printf("%s\n", func); }`, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(one.Probes) != 1 {
			t.Fatalf("%s:*_* without probe made %d programs, want 1", kind, len(one.Probes))
		}
		pr := one.Probes[0]
		if pr.Name != kind+":*_*" || !slices.Equal(pr.Targets, fns) || pr.Target != fns[0] || pr.Kind.String() != kind {
			t.Errorf("shared probe %s (%v) targets %q, target %s; want targets %q", pr.Name, pr.Kind, pr.Targets, pr.Target, fns)
		}
		if !strings.Contains(pr.Spec.Instructions.String(), "FnGetFuncIp") {
			t.Errorf("func in a shared program does not ask the kernel")
		}
	}
}

// A script may make at most Options.MaxPrograms programs (bpftrace's
// BPFTRACE_MAX_BPF_PROGS), 512 by default; the error names the variable.
func TestMaxPrograms(t *testing.T) {
	_, err := compileWith(t, "BEGIN { } END { }", Options{MaxPrograms: 1})
	if err == nil || !strings.Contains(err.Error(), "1:11: this program needs 2 BPF programs, more than the limit of 1 (BPFTRACE_MAX_BPF_PROGS") {
		t.Errorf("BEGIN and END with a limit of 1: %v", err)
	}
	if _, err := compileWith(t, "BEGIN { } END { }", Options{MaxPrograms: 2}); err != nil {
		t.Errorf("BEGIN and END with a limit of 2: %v", err)
	}
	if _, err := compileWith(t, "kprobe:*_* { @[probe] = count(); }", Options{MaxPrograms: 1}); err == nil {
		t.Errorf("a wildcard reading probe made one program")
	}
	if _, err := compileWith(t, "kprobe:*_* { @[func] = count(); }", Options{MaxPrograms: 1}); err != nil {
		t.Errorf("a shared wildcard needs one program: %v", err)
	}
}

// A kprobe offset past the function's end (the next symbol's address) is
// bpftrace's error: the kernel would probe whatever follows.
func TestKprobeOffsetBounds(t *testing.T) {
	_, err := compileWith(t, "kprobe:ip_output+65536 { }", Options{})
	if err == nil || !strings.Contains(err.Error(), "1:1: Offset outside the function bounds ('ip_output' size is 65536)") {
		t.Errorf("ip_output+65536: %v", err)
	}
	if _, err := compileWith(t, "kprobe:ip_output+65535 { }", Options{}); err != nil {
		t.Errorf("ip_output+65535: %v", err)
	}
}
