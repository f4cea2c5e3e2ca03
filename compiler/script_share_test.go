package compiler

import (
	"slices"
	"strings"
	"testing"
)

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

// An attach point may make at most Options.MaxPrograms programs
// (bpftrace's BPFTRACE_MAX_BPF_PROGS), 512 by default; the error is
// bpftrace's and names the variable.
func TestMaxPrograms(t *testing.T) {
	_, err := compileWith(t, "BEGIN { } kprobe:*_* { @[probe] = count(); }", Options{MaxPrograms: 1})
	if err == nil || !strings.Contains(err.Error(), "1:11: failed to compile: Your program is trying to generate more than 5 BPF programs, which exceeds the current limit of 1.\nYou can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable.") {
		t.Errorf("a wildcard reading probe with a limit of 1: %v", err)
	}
	for _, src := range []string{
		"BEGIN { } END { } kprobe:ip_output { }",     // one each
		"kprobe:*_* { @[func] = count(); }",          // shared
		"kprobe:*_* { @[probe] = count(); } END { }", // 5 programs
	} {
		limit := 1
		if strings.Contains(src, "probe]") {
			limit = 5
		}
		if _, err := compileWith(t, src, Options{MaxPrograms: limit}); err != nil {
			t.Errorf("%s with a limit of %d: %v", src, limit, err)
		}
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
