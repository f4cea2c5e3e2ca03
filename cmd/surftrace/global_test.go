package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// Kernel globals in expression lines (issue 15): @name and @0xADDR are
// the value stored at the global, as surftrace and kprobe_events' @SYM
// fetch define them, and a cast applies to that value.

// kallsymsAddr returns the address /proc/kallsyms gives the one symbol
// named name; it fails the test when the kernel lists none or several.
func kallsymsAddr(t *testing.T, name string) uint64 {
	t.Helper()
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var addrs []uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 3 && fs[2] == name {
			a, err := strconv.ParseUint(fs[0], 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			addrs = append(addrs, a)
		}
	}
	if len(addrs) != 1 || addrs[0] == 0 {
		t.Fatalf("/proc/kallsyms lists %s at %#x, want one nonzero address", name, addrs)
	}
	return addrs[0]
}

// execTrue runs /bin/true: a fork, an exec and a wakeup of a new task.
func execTrue(t *testing.T) func() {
	return func() {
		if err := exec.Command("/bin/true").Run(); err != nil {
			t.Error(err)
		}
	}
}

// TestGlobalOnTracepoint (host and 6.1 VM): an e line reads the global
// __start_BTF, where the kernel keeps the BTF that /sys/kernel/btf/vmlinux
// serves, by name and by the address kallsyms gives, and narrowed by a
// cast to its first two bytes, the BTF magic 0xeb9f.
func TestGlobalOnTracepoint(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	addr := kallsymsAddr(t, "__start_BTF")
	head := make([]byte, 8)
	f, err := os.Open("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	word := binary.LittleEndian.Uint64(head)
	line := fmt.Sprintf("e sched/sched_process_exec w=@__start_BTF a=@%#x magic=!(unsigned short)@__start_BTF", addr)
	r := traceWhile(t, []string{"--backend", "bpf", "--max-events", "1", line}, execTrue(t))
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	wantFields(t, r, "e0", 1, fmt.Sprintf("w=%#x a=%#x magic=%d", word, word, 0xeb9f))

	// A script has no @name (its @ is a map): kaddr and a cast, as in
	// bpftrace.
	script := `tracepoint:sched:sched_process_exec { printf("%lx %d\n", *(uint64 *)kaddr("__start_BTF"), *(uint16 *)kaddr("__start_BTF")); exit(); }`
	r = runWhile(t, []string{"--backend", "bpf", "-e", script}, execTrue(t))
	if want := fmt.Sprintf("%x %d", word, 0xeb9f); r.code != exitOK || firstLine(r.stdout) != want {
		t.Errorf("script: exit %d, printed %q, want %q first", r.code, r.stdout, want)
	}
}

// kmemCacheLine reads the struct kmem_cache * global task_group_cache by
// name and at its address: the pointer, the cache's name (a char *), its
// object size and its (signed) refcount.
func kmemCacheLine(addr uint64) string {
	cast := func(at string) string { return "!(struct kmem_cache *)" + at }
	a := fmt.Sprintf("@%#x", addr)
	return "p wake_up_new_task point=@task_group_cache name=" + cast("@task_group_cache") + "->name size=" +
		cast("@task_group_cache") + "->size ref=S" + cast("@task_group_cache") + "->refcount apoint=" + a +
		" aname=" + cast(a) + "->name asize=" + cast(a) + "->size"
}

// slabObjSize returns the object size /proc/slabinfo lists for cache name.
func slabObjSize(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/slabinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if fs := strings.Fields(l); len(fs) > 3 && fs[0] == name {
			n, err := strconv.Atoi(fs[3])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("/proc/slabinfo has no cache %s", name)
	return 0
}

// TestGlobalKmemCacheBothBackends (6.1 VM): the struct kmem_cache * global
// task_group_cache, read through a cast by name and by address, prints the
// cache's name and object size as /proc/slabinfo lists them, and the bpf
// and ftrace backends print the same line. -S prints surftrace's form.
func TestGlobalKmemCacheBothBackends(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.KprobeEvents, ktest.Ringbuf)
	addr := kallsymsAddr(t, "task_group_cache")
	line := kmemCacheLine(addr)

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-S", line}, &stdout, &stderr); code != exitOK {
		t.Fatalf("-S: exit %d: %s", code, stderr.String())
	}
	a := regexp.QuoteMeta(fmt.Sprintf("@%#x", addr))
	def := regexp.MustCompile(` point=@task_group_cache name=\+0x0\(\+0x([0-9a-f]+)\(@task_group_cache\)\):string ` +
		`size=\+0x18\(@task_group_cache\):u32 ref=\+0x([0-9a-f]+)\(@task_group_cache\):s32 ` +
		`apoint=` + a + ` aname=\+0x0\(\+0x([0-9a-f]+)\(` + a + `\)\):string asize=\+0x18\(` + a + `\):u32'`)
	t.Logf("-S:\n%s", stdout.String())
	if !def.MatchString(stdout.String()) {
		t.Errorf("-S printed\n%s\nwant a definition matching\n%s", stdout.String(), def)
	}

	got := map[string]string{}
	for _, backend := range []string{"bpf", "ftrace"} {
		r := traceWhile(t, []string{"--backend", backend, "--max-events", "1", line}, execTrue(t))
		if r.code != exitOK {
			t.Fatalf("%s: exit %d", backend, r.code)
		}
		f := fieldsOf(r.lines, "p0")
		if len(f) != 1 {
			t.Fatalf("%s: p0 printed %d lines, want 1", backend, len(f))
		}
		got[backend] = f[0]
	}
	if got["bpf"] != got["ftrace"] {
		t.Errorf("the backends disagree:\n bpf:    %s\n ftrace: %s", got["bpf"], got["ftrace"])
	}
	re := regexp.MustCompile(`^point=(0x[0-9a-f]+) name="([a-z_0-9-]+)" size=(\d+) ref=(-?\d+) apoint=(0x[0-9a-f]+) aname="([a-z_0-9-]+)" asize=(\d+)$`)
	m := re.FindStringSubmatch(got["bpf"])
	if m == nil {
		t.Fatalf("bpf printed %q, want it to match %s", got["bpf"], re)
	}
	if m[1] != m[5] || m[2] != m[6] || m[3] != m[7] {
		t.Errorf("@task_group_cache and @%#x read different values: %s", addr, got["bpf"])
	}
	if m[1] == "0x0" {
		t.Errorf("task_group_cache holds a null pointer: %s", got["bpf"])
	}
	if size, _ := strconv.Atoi(m[3]); size != slabObjSize(t, m[2]) {
		t.Errorf("size=%d, but /proc/slabinfo lists %s with objsize %d", size, m[2], slabObjSize(t, m[2]))
	}
	if ref, _ := strconv.Atoi(m[4]); ref < 1 {
		t.Errorf("refcount %d of a live cache, want >= 1", ref)
	}

	// The script form: kaddr gives the global's address, a cast reads it.
	script := `kprobe:wake_up_new_task { $c = *(struct kmem_cache **)kaddr("task_group_cache"); ` +
		`printf("0x%lx %s %u\n", $c, str($c->name), $c->size); exit(); }`
	r := runWhile(t, []string{"--backend", "bpf", "-e", script}, execTrue(t))
	if want := m[1] + " " + m[2] + " " + m[3]; r.code != exitOK || firstLine(r.stdout) != want {
		t.Errorf("script: exit %d, printed %q, want %q first", r.code, r.stdout, want)
	}
}

// firstLine is s up to its first newline: a script's exit() lets events
// already in flight print too.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
