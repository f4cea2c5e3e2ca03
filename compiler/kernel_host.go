package compiler

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// HostKernel is the Kernel this process runs on. It reads
// /sys/kernel/btf, tracefs and /proc/kallsyms on first use of each and
// keeps what it read. What is slow to discover and fixed for a given
// kernel (the tracepoint list, the struct -> tracepoints index, the BTF
// function lists) it also keeps on disk, under CacheDir, keyed by the
// kernel's BTF (see kernel_cache.go). The zero value is ready to use.
type HostKernel struct {
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
	symIx     *symIndex
}

// Arch maps GOARCH to the kernel's name for it.
func (k *HostKernel) Arch() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

func (k *HostKernel) btfCache() *btf.Cache {
	k.cacheOnce.Do(func() { k.cache = btf.NewCache() })
	return k.cache
}

// BTF loads /sys/kernel/btf/vmlinux once.
func (k *HostKernel) BTF() (*btf.Spec, error) { return k.btfCache().Kernel() }

// ModuleBTF loads /sys/kernel/btf/MODULE once.
func (k *HostKernel) ModuleBTF(module string) (*btf.Spec, error) {
	return k.btfCache().Module(module)
}

// TracepointFormat reads events/SUBSYS/EVENT/format under tracefs,
// mounting tracefs first when it is missing.
func (k *HostKernel) TracepointFormat(subsys, event string) (string, error) {
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
func (k *HostKernel) Symbols() ([]Symbol, error) {
	k.symsOnce.Do(func() {
		b, err := os.ReadFile("/proc/kallsyms")
		if err != nil {
			k.symsErr = err
			return
		}
		k.syms = parseKallsyms(string(b))
	})
	return k.syms, k.symsErr
}

// symbolIndex returns the index of Symbols, one for every compilation to
// share.
func (k *HostKernel) symbolIndex() *symIndex {
	k.ixOnce.Do(func() {
		syms, _ := k.Symbols()
		k.symIx = &symIndex{all: syms}
	})
	return k.symIx
}

// parseKallsyms parses lines "ADDR TYPE NAME [MODULE]", skipping others.
// The names are substrings of text: one allocation for the ~100k symbols
// of a kernel, not one per line (the parse is on every compile's path).
func parseKallsyms(text string) []Symbol {
	syms := make([]Symbol, 0, strings.Count(text, "\n")+1)
	var f [4]string
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		n := 0
		for n < len(f) {
			line = strings.TrimLeft(line, " \t")
			if line == "" {
				break
			}
			end := strings.IndexAny(line, " \t")
			if end < 0 {
				end = len(line)
			}
			f[n], line = line[:end], line[end:]
			n++
		}
		if n < 3 {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			continue
		}
		s := Symbol{Name: f[2], Addr: addr, Func: f[1] == "t" || f[1] == "T"}
		if n > 3 {
			s.Module = strings.Trim(f[3], "[]")
		}
		syms = append(syms, s)
	}
	return syms
}
