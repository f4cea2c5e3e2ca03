package kernel

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// testCache is a cache in a temporary directory whose BTF key hashes a
// file the test writes: a new kernel is new contents.
func testCache(t *testing.T) (*diskCache, string) {
	t.Helper()
	dir := t.TempDir()
	btfFile := filepath.Join(t.TempDir(), "vmlinux")
	if err := os.WriteFile(btfFile, []byte("kernel A"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &diskCache{dir: dir, vmlinx: btfFile}, btfFile
}

func TestDiskCacheRoundTrip(t *testing.T) {
	c, _ := testCache(t)
	want := map[string][]string{"sk_buff": {"net:b", "net:a"}}
	c.store("bystruct", c.keyBTF(), want)
	var got map[string][]string
	if !c.load("bystruct", c.keyBTF(), &got) || !reflect.DeepEqual(got, want) {
		t.Fatalf("load = %v, want %v", got, want)
	}
	left, _ := filepath.Glob(filepath.Join(c.dir, "*tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A cache written for another kernel (another BTF) is not used.
func TestDiskCacheStaleKey(t *testing.T) {
	c, btfFile := testCache(t)
	c.store("tracepoints", c.keyBTF(), []string{"old:event"})
	if err := os.WriteFile(btfFile, []byte("kernel B"), 0o644); err != nil {
		t.Fatal(err)
	}
	c2 := &diskCache{dir: c.dir, vmlinx: btfFile}
	if c2.keyBTF() == c.keyBTF() {
		t.Fatal("the key did not change with the BTF")
	}
	var got []string
	if c2.load("tracepoints", c2.keyBTF(), &got) {
		t.Fatalf("stale cache used: %v", got)
	}
	// Nor is a file of another layout version.
	c.store("tracepoints", c.keyBTF(), []string{"x:y"})
	b, _ := os.ReadFile(filepath.Join(c.dir, "tracepoints.json"))
	b = []byte(string(b[:len(`{"version":"`)]) + "0" + string(b[len(`{"version":"`)+1:]))
	os.WriteFile(filepath.Join(c.dir, "tracepoints.json"), b, 0o644)
	if c.load("tracepoints", c.keyBTF(), &got) {
		t.Fatalf("cache of another version used: %v", got)
	}
	// A BTF that cannot be read gives no key: nothing is read or written.
	c3 := &diskCache{dir: c.dir, vmlinx: filepath.Join(t.TempDir(), "none")}
	if k := c3.keyBTF(); k != "" {
		t.Fatalf("key %q without a BTF file", k)
	}
}

// A corrupt file (truncated, garbage, wrong data type) is ignored.
func TestDiskCacheCorrupt(t *testing.T) {
	c, _ := testCache(t)
	key := c.keyBTF()
	c.store("tracepoints", key, []string{"net:net_dev_queue"})
	path := filepath.Join(c.dir, "tracepoints.json")
	whole, _ := os.ReadFile(path)
	for name, b := range map[string][]byte{
		"truncated": whole[:len(whole)/2],
		"garbage":   []byte("\x00\xff not json"),
		"empty":     nil,
		"wrongtype": []byte(`{"version":"1","key":"` + key + `","data":{"a":1}}`),
		"nodata":    []byte(`{"version":"1","key":"` + key + `"}`),
		"flipped":   []byte(strings.Replace(string(whole), "net_dev_queue", "net_dev_qveue", 1)),
	} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var got []string
		if c.load("tracepoints", key, &got) {
			t.Errorf("%s: corrupt cache used: %v", name, got)
		}
	}
	// And it is rewritten whole on the next store.
	c.store("tracepoints", key, []string{"a:b"})
	var got []string
	if !c.load("tracepoints", key, &got) || !slices.Equal(got, []string{"a:b"}) {
		t.Errorf("after rewrite: %v", got)
	}
}

// On the running kernel, what Host serves from its cache equals what it
// finds without one, cold and warm (compiler/hostcache_kernel_test.go checks that
// compiles are the same).
func TestHostCacheSameAnswers(t *testing.T) {
	ktest.RequireBTF(t)
	plain := &Host{NoCache: true}
	wantTPs, err := plain.Tracepoints()
	if err != nil || len(wantTPs) == 0 {
		t.Skip("no tracepoints to list:", err)
	}
	spec, err := plain.BTF()
	if err != nil {
		t.Fatal(err)
	}
	wantIx := StructIndex(spec, wantTPs)
	wantFns, wantSkb := btfFunctions(spec)
	dir := t.TempDir()
	for _, pass := range []string{"cold", "warm"} {
		k := &Host{CacheDir: dir}
		tps, err := k.Tracepoints()
		if err != nil || !slices.Equal(tps, wantTPs) {
			t.Errorf("%s: Tracepoints differ (%v)", pass, err)
		}
		if ix := k.TracepointIndex(spec); !reflect.DeepEqual(ix, wantIx) {
			t.Errorf("%s: struct index differs", pass)
		}
		fns, _ := k.Functions()
		skb, _ := k.SkbFunctions()
		if !slices.Equal(fns, wantFns) || !slices.Equal(skb, wantSkb) {
			t.Errorf("%s: function lists differ", pass)
		}
		if !slices.Contains(skb, "ip_output") || slices.Contains(skb, "schedule") {
			t.Errorf("%s: SkbFunctions is wrong about ip_output or schedule", pass)
		}
	}
	for _, s := range []string{"tracepoints", "bystruct", "btffuncs", "skbfuncs"} {
		if _, err := os.Stat(filepath.Join(dir, s+".json")); err != nil {
			t.Errorf("section %s not written: %v", s, err)
		}
	}
	// NoCache writes nothing.
	off := t.TempDir()
	k := &Host{CacheDir: off, NoCache: true}
	k.Tracepoints()
	k.Functions()
	if ents, _ := os.ReadDir(off); len(ents) != 0 {
		t.Errorf("NoCache wrote %d files", len(ents))
	}
}

// Within one boot the BTF key is read back, not hashed again; another
// boot hashes the BTF anew.
func TestDiskCacheBootKey(t *testing.T) {
	c, btfFile := testCache(t)
	boot := filepath.Join(t.TempDir(), "boot_id")
	os.WriteFile(boot, []byte("boot-1\n"), 0o644)
	c.bootID = boot
	first := c.keyBTF()
	if first == "" {
		t.Fatal("no key")
	}
	// The same size and boot: the key written down is used, so a
	// changed file (impossible for a real vmlinux) keeps it.
	os.WriteFile(btfFile, []byte("kernel B"), 0o644)
	same := &diskCache{dir: c.dir, vmlinx: btfFile, bootID: boot}
	if k := same.keyBTF(); k != first {
		t.Fatalf("same boot: key %q, want %q", k, first)
	}
	os.WriteFile(boot, []byte("boot-2\n"), 0o644)
	next := &diskCache{dir: c.dir, vmlinx: btfFile, bootID: boot}
	if k := next.keyBTF(); k == first || k == "" {
		t.Fatalf("another boot kept the key %q", k)
	}
}
