package kernel

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// A name is in the index exactly when SymbolIndex.ResolveFunc answers it
// with itself from vmlinux.
func TestVmlinuxFuncHashes(t *testing.T) {
	syms := []Symbol{
		{Name: "tcp_v4_rcv", Func: true},
		{Name: "jiffies"},                                    // data
		{Name: "dup", Func: false},                           // data first ...
		{Name: "dup", Func: true},                            // ... so "dup" is not a function
		{Name: "foo.isra.0", Func: true},                     // only the clone
		{Name: "nf_hook_slow_mod", Func: true, Module: "nf"}, // a module's
	}
	hs := vmlinuxFuncHashes(syms)
	ix := NewSymbolIndex(syms)
	for _, name := range []string{"tcp_v4_rcv", "jiffies", "dup", "foo", "foo.isra.0", "nf_hook_slow_mod", "none"} {
		_, in := slices.BinarySearch(hs, nameHash(name))
		target, ok := ix.ResolveFunc(name)
		if want := ok && target == name && name != "nf_hook_slow_mod"; in != want {
			t.Errorf("%s: in index %v, want %v (ResolveFunc %q %v)", name, in, want, target, ok)
		}
	}
}

func TestVmfuncsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vmfuncs.bin")
	hs := []uint64{1, 5, 1 << 60}
	writeVmfuncs(path, "key A", hs)
	if got, ok := readVmfuncs(path, "key A"); !ok || !slices.Equal(got, hs) {
		t.Fatalf("read %v %v, want %v", got, ok, hs)
	}
	if _, ok := readVmfuncs(path, "key B"); ok {
		t.Error("read with another kernel's key")
	}
	b, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)-3],
		"flipped":   append(slices.Clone(b[:len(b)-1]), b[len(b)-1]^1),
		"empty":     nil,
	} {
		os.WriteFile(path, bad, 0o644)
		if _, ok := readVmfuncs(path, "key A"); ok {
			t.Errorf("%s file read", name)
		}
	}
}

// On the running kernel Host.ResolveFunc answers as the kallsyms index
// does, and a second Host on the same cache answers a vmlinux function
// without reading kallsyms.
func TestHostResolveFuncCached(t *testing.T) {
	ktest.RequireBTF(t) // the cache's key
	dir := t.TempDir()
	k := &Host{CacheDir: dir}
	syms, err := k.Symbols()
	if err != nil || len(syms) == 0 {
		t.Fatalf("kallsyms: %d symbols, %v", len(syms), err)
	}
	ix := NewSymbolIndex(syms)
	names := []string{"vfs_read", "schedule", "no_such_function_here", "jiffies"}
	for _, s := range syms {
		if s.Module != "" && s.Func {
			names = append(names, s.Name)
			break
		}
	}
	for _, s := range syms {
		if i := strings.Index(s.Name, ".isra."); i > 0 && s.Func {
			names = append(names, s.Name[:i])
			break
		}
	}
	check := func(k *Host) {
		for _, n := range names {
			gt, gok := k.ResolveFunc(n)
			wt, wok := ix.ResolveFunc(n)
			if gt != wt || gok != wok {
				t.Errorf("ResolveFunc(%s) = %q %v, want %q %v", n, gt, gok, wt, wok)
			}
			ss := ix.Lookup(n)
			if got, want := k.VmlinuxFunc(n), len(ss) > 0 && ss[0].Func && ss[0].Module == ""; got != want {
				t.Errorf("VmlinuxFunc(%s) = %v, want %v", n, got, want)
			}
		}
	}
	check(k)
	k2 := &Host{CacheDir: dir}
	if target, ok := k2.ResolveFunc("vfs_read"); !ok || target != "vfs_read" {
		t.Fatalf("vfs_read = %q %v", target, ok)
	}
	if k2.syms != nil {
		t.Error("a vmlinux function read kallsyms with the index cached")
	}
	check(k2)
}
