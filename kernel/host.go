package kernel

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// Host is the Kernel this process runs on. It reads
// /sys/kernel/btf, tracefs and /proc/kallsyms on first use of each and
// keeps what it read. What is slow to discover and fixed for a given
// kernel (the tracepoint list, the struct -> tracepoints index, the BTF
// function lists) it also keeps on disk, under CacheDir, keyed by the
// kernel's BTF (see cache.go). The zero value is ready to use.
type Host struct {
	// Machine, when set ("x86_64" or "arm64"), is the architecture to
	// compile for (--arch) instead of this process's: the registers
	// change, every other answer is the running kernel's.
	Machine string
	// CacheDir is the on-disk cache's directory; "" is DefaultCacheDir().
	CacheDir string
	// NoCache turns the on-disk cache off, as SURFTRACE_NO_CACHE does.
	NoCache bool
	// Note receives the line saying that a tracepoint lookup mounted
	// tracefs, which it does when tracefs is missing (see
	// kernel/tracingdir); nil says nothing.
	Note io.Writer

	diskOnce sync.Once
	dc       *diskCache
	tpKey    string // the key tps and tpIndex were found for
	tps      []string
	tpIndex  map[string][]string
	fnOnce   sync.Once
	fns, skb []string // BTF functions, those taking struct sk_buff *
	fnErr    error

	cache     *btf.Cache
	cacheOnce sync.Once
	symsOnce  sync.Once
	syms      []Symbol
	symsErr   error
	ixOnce    sync.Once
	symIx     *SymbolIndex
	enums     map[string]cachedEnum // the enums section, for enumKey
	vmfOnce   sync.Once
	vmfuncs   []uint64 // sorted nameHash of vmlinux's functions
	enumKey   string
}

// Arch returns Machine, else maps GOARCH to the kernel's name for it.
func (k *Host) Arch() string {
	if k.Machine != "" {
		return k.Machine
	}
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

func (k *Host) btfCache() *btf.Cache {
	k.cacheOnce.Do(func() { k.cache = btf.NewCache() })
	return k.cache
}

// BTF loads /sys/kernel/btf/vmlinux once.
func (k *Host) BTF() (*btf.Spec, error) { return k.btfCache().Kernel() }

// ModuleBTF loads /sys/kernel/btf/MODULE once.
func (k *Host) ModuleBTF(module string) (*btf.Spec, error) {
	return k.btfCache().Module(module)
}

// TracepointFormat reads events/SUBSYS/EVENT/format under tracefs,
// mounting tracefs first when it is missing.
func (k *Host) TracepointFormat(subsys, event string) (string, error) {
	if strings.ContainsAny(subsys+event, "/.") {
		return "", fmt.Errorf("bad tracepoint name %s:%s", subsys, event)
	}
	root, err := tracingdir.Mount(k.Note)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "events", subsys, event, "format"))
	return string(b), err
}

// Symbols reads /proc/kallsyms once. Addresses are zero unless the process
// may see them (root, kptr_restrict permitting).
func (k *Host) Symbols() ([]Symbol, error) {
	k.symsOnce.Do(func() {
		b, err := os.ReadFile("/proc/kallsyms")
		if err != nil {
			k.symsErr = err
			return
		}
		k.syms = ParseKallsyms(string(b))
	})
	return k.syms, k.symsErr
}

// SymbolIndex returns the index of Symbols, one for every compilation to
// share.
func (k *Host) SymbolIndex() *SymbolIndex {
	k.ixOnce.Do(func() {
		syms, _ := k.Symbols()
		k.symIx = NewSymbolIndex(syms)
	})
	return k.symIx
}

// readTracepoints lists events/*/* under the tracefs at root, sorted.
func readTracepoints(root string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "events", "*", "*", "format"))
	if err != nil || len(dirs) == 0 {
		_, err = os.Stat(filepath.Join(root, "events"))
		return nil, err
	}
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		ev := filepath.Dir(d)
		out = append(out, filepath.Base(filepath.Dir(ev))+":"+filepath.Base(ev))
	}
	return out, nil
}
