package ktest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

// Feature is a kernel capability a test may need.
type Feature int

// The kernel features tests can require. Each is probed for real by
// loading and attaching a tiny program (or the equivalent), not guessed
// from the kernel version or config.
const (
	BTF          Feature = iota // kernel BTF at /sys/kernel/btf/vmlinux
	Tracepoints                 // perf-event tracepoint programs
	TpBTF                       // BTF-typed raw tracepoints (tp_btf)
	Ringbuf                     // BPF_MAP_TYPE_RINGBUF
	Kprobes                     // kprobe programs
	Kretprobes                  // kretprobe programs
	KprobeEvents                // dynamic probes through tracefs kprobe_events
	Fentry                      // fentry tracing programs
	Fexit                       // fexit tracing programs
	KprobeMulti                 // kprobe.multi links: one program on many functions (5.18+, CONFIG_FPROBE)
	numFeatures
)

var featureNames = [numFeatures]string{
	BTF:          "BTF",
	Tracepoints:  "tracepoints",
	TpBTF:        "tp_btf",
	Ringbuf:      "ringbuf",
	Kprobes:      "kprobes",
	Kretprobes:   "kretprobes",
	KprobeEvents: "kprobe_events",
	Fentry:       "fentry",
	Fexit:        "fexit",
	KprobeMulti:  "kprobe.multi",
}

// String returns the feature's usual name, such as "kprobes".
func (f Feature) String() string {
	if f < 0 || f >= numFeatures {
		return fmt.Sprintf("Feature(%d)", int(f))
	}
	return featureNames[f]
}

// absenceError marks probe errors that mean the kernel lacks the feature,
// as opposed to the probe itself going wrong.
type absenceError struct{ error }

func (e absenceError) Unwrap() error { return e.error }

// classify marks err as an absence when it says the kernel lacks something.
func classify(err error) error {
	if err != nil && isAbsence(err) {
		return absenceError{err}
	}
	return err
}

type probeResult struct {
	once sync.Once
	err  error
}

var probed [numFeatures]probeResult

// Check probes the running kernel for f, once per process. It returns nil
// if the kernel has f. An error for which IsAbsent is true says the kernel
// lacks it; any other error says the probe could not tell.
func Check(f Feature) error {
	if f < 0 || f >= numFeatures {
		return fmt.Errorf("unknown %v", f)
	}
	r := &probed[f]
	r.once.Do(func() { r.err = classify(probes[f]()) })
	return r.err
}

// IsAbsent reports whether err, from Check, says the feature is absent.
func IsAbsent(err error) bool { return errors.As(err, new(absenceError)) }

// RequireFeature skips the test unless the running kernel has every
// feature in fs, naming the missing feature and the kernel. Inside the VM,
// a feature its kernel series is known to have (VMExpects) fails the test
// when missing.
// A probe that cannot tell (not an absence) always fails the test.
func RequireFeature(t testing.TB, fs ...Feature) {
	t.Helper()
	RequireRoot(t)
	for _, f := range fs {
		require(t, f)
	}
}

// RequireBTF skips the test unless the running kernel's BTF can be read,
// as RequireFeature(t, BTF) does, but without root: tests that only read
// kernel metadata (compiling against kernel.Host) run as any user. It
// skips when NoKernelEnv is set, and fails inside the VM.
func RequireBTF(t testing.TB) {
	t.Helper()
	if os.Getenv(NoKernelEnv) != "" && !InVM() {
		t.Skipf("kernel test skipped: %s is set (unit-test run)", NoKernelEnv)
	}
	require(t, BTF)
}

// require skips the test when the kernel lacks f, and fails it when the
// probe cannot tell or when a VM kernel known to have f lacks it.
func require(t testing.TB, f Feature) {
	t.Helper()
	err := Check(f)
	switch {
	case err == nil:
	case !IsAbsent(err):
		t.Fatalf("probing kernel %s for %v: %v", Release(), f, err)
	case VMExpects(f):
		t.Fatalf("%v missing on VM kernel %s, which is known to have it (broken harness?): %v", f, Release(), err)
	case InVM():
		t.Skipf("%v absent on VM kernel %s, as expected for the %s series: %v", f, Release(), VMSeries(), err)
	default:
		t.Skipf("%v absent on this kernel (%s): %v", f, Release(), err)
	}
}

// exists returns nil if path exists, and an error naming it otherwise.
func exists(path string) error {
	_, err := os.Stat(path)
	return err
}
