package runtime

import (
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// compileHostScript compiles a script against the running kernel.
func compileHostScript(t *testing.T, src string) *spec.Program {
	t.Helper()
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(prog, &kernel.Host{}, compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// profile samples every CPU and software counts page faults on every
// CPU; closing the tracer closes every perf event it opened.
func TestProfileAndSoftware(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	cpus, err := onlineCPUs()
	if err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	p := compileHostScript(t, `profile:hz:997 { @p[cpu] = count(); }
software:faults:1 { @f[pid] = count(); }
interval:ms:300 { exit(); }`)
	tr, err := Load(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Attach(); err != nil {
		tr.Close()
		t.Fatal(err)
	}
	// Touch fresh pages so this process faults while profile samples.
	for range 64 {
		m, err := unix.Mmap(-1, 0, 1<<16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(m); i += 4096 {
			m[i] = 1
		}
		unix.Munmap(m)
	}
	out := run(t, tr, Text)
	t.Logf("output:\n%s", out)
	if err := tr.Close(); err != nil {
		t.Error(err)
	}
	if !strings.Contains(out, fmt.Sprintf("@f[%d]: ", os.Getpid())) {
		t.Errorf("no page faults counted for pid %d", os.Getpid())
	}
	if !strings.Contains(out, "@p[") {
		t.Error("profile took no sample")
	}
	if n := strings.Count(out, "@p["); n > len(cpus) {
		t.Errorf("%d profile keys, more than the %d CPUs", n, len(cpus))
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d file descriptors open after Close, %d before", after, before)
	}
}

// watched is the word TestUserWatchpoint writes.
var watched uint64

// A watchpoint on a user address with Options.PID fires once per write
// by that thread.
func TestUserWatchpoint(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	addr := uintptr(unsafe.Pointer(&watched))
	p := compileHostScript(t, fmt.Sprintf("watchpoint:0x%x:8:w { @w = count(); @probe[probe] = 1; }\ninterval:ms:200 { exit(); }", addr))
	tr := loadAndAttach(t, p, Options{PID: unix.Gettid()})
	for i := range 3 {
		watched = uint64(i) + 1
	}
	out := run(t, tr, Text)
	t.Logf("output:\n%s", out)
	if !strings.Contains(out, "@w: 3\n") {
		t.Errorf("want @w: 3")
	}
	if !strings.Contains(out, fmt.Sprintf("@probe[watchpoint:0x%x:8:w]: 1", addr)) {
		t.Errorf("want the probe name")
	}
}

// hardware:cycles counts CPU cycles where the machine has a PMU; where
// perf_event_open says it has none (ENOENT), the test skips, and the
// error says the machine lacks the event.
func TestHardwareEvent(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	p := compileHostScript(t, "hardware:cpu-cycles:100000 { @c = count(); }\ninterval:ms:200 { exit(); }")
	tr, err := Load(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Attach(); err != nil {
		if errors.Is(err, unix.ENOENT) && strings.Contains(err.Error(), "lacks the event") {
			t.Skipf("no PMU: %v", err)
		}
		t.Fatal(err)
	}
	for i := 0; i < 1e8; i++ {
		watched += uint64(i)
	}
	if out := run(t, tr, Text); !strings.Contains(out, "@c: ") {
		t.Errorf("no cycles counted:\n%s", out)
	}
}

// A watchpoint on a kernel address (jiffies, written every tick) fires on
// every CPU's timer. Kernels without data symbols in /proc/kallsyms
// (CONFIG_KALLSYMS_ALL off) give no address to watch: the test skips.
func TestKernelWatchpoint(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Ringbuf)
	b, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	var addr string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[2] == "jiffies" {
			addr = f[0]
		}
	}
	if addr == "" || strings.Trim(addr, "0") == "" {
		t.Skip("no address of jiffies in /proc/kallsyms (CONFIG_KALLSYMS_ALL off)")
	}
	p := compileHostScript(t, "watchpoint:0x"+addr+":4:w { @hit = 1; exit(); }")
	tr := loadAndAttach(t, p, Options{})
	if out := run(t, tr, Text); !strings.Contains(out, "@hit: 1") {
		t.Errorf("jiffies was not written within 5 s:\n%s", out)
	}
}
