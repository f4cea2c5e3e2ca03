package kernel

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// The on-disk cache keeps what is slow to discover about the running
// kernel and never changes while it runs: the tracepoint list (a walk over
// events/*/*), the struct -> tracepoints index (a BTF lookup per
// tracepoint) and the lists of BTF functions (a walk over every kernel
// type). Each list is a file SECTION.json holding its key and its data;
// a file whose key differs from the running kernel's, or which does not
// decode, or whose data does not match its checksum, is ignored and
// rewritten. Files are written to a temporary name
// and renamed, so a reader sees a whole file or none; two processes
// writing at once only cost one of them its write.
//
// Keys. The BTF key is the SHA-256 of /sys/kernel/btf/vmlinux: the BTF
// describes every function and type of vmlinux, so any kernel that
// differs in them has another key, even one with the same release string
// (a rebuilt kernel, a distribution update keeping `uname -r`); hashing
// its 5 MB costs a few milliseconds, far less than what it saves, and
// unlike a build id or `uname -r` it cannot be equal for types that are
// not. It cannot change until the next boot either, so the hash is
// written down with the boot's id (/proc/sys/kernel/random/boot_id) and
// later runs of the same boot read it instead of hashing (section
// btfkey). The tracepoint key adds what changes the tracepoint list while the
// kernel runs: the loaded modules (/proc/modules, name and size) and the
// dynamic events (tracefs dynamic_events: kprobe, uprobe, synthetic, user
// events), and the tracefs root the list was read from.

// cacheVersion changes when a section's layout or meaning does.
const cacheVersion = "1"

// NoCacheEnv names the environment variable that, set to anything but
// "", turns the on-disk cache off for a whole process.
const NoCacheEnv = "SURFTRACE_NO_CACHE"

// DefaultCacheDir is where Host keeps its cache when CacheDir is
// "": $XDG_CACHE_HOME/surftrace when XDG_CACHE_HOME is set; else
// /var/cache/surftrace for root (sudo keeps the caller's HOME, and root's
// files in a user's home are a nuisance); else ~/.cache/surftrace. It
// returns "" when no place can be named.
func DefaultCacheDir() string {
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "surftrace")
	}
	if os.Geteuid() == 0 {
		return "/var/cache/surftrace"
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "surftrace")
	}
	return ""
}

// diskCache is one Host's view of the cache directory.
type diskCache struct {
	dir    string // "" when the cache is off
	vmlinx string // the BTF file the keys hash
	// bootID is a file naming this boot of the kernel
	// (/proc/sys/kernel/random/boot_id); "" hashes the BTF every run.
	bootID string

	btfOnce sync.Once
	btfKey  string // "" when the BTF cannot be read: nothing is cached
}

// cacheFile is the layout of every SECTION.json.
type cacheFile struct {
	Version string          `json:"version"`
	Key     string          `json:"key"`
	Sum     string          `json:"sum"` // SHA-256 of Data: damage is seen
	Data    json.RawMessage `json:"data"`
}

func dataSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (c *diskCache) keyBTF() string {
	c.btfOnce.Do(func() {
		fi, err := os.Stat(c.vmlinx)
		if err != nil {
			return
		}
		// vmlinux's BTF cannot change while the kernel runs: for the
		// same boot the hash an earlier run wrote down is the key,
		// without reading the file (5 MB, ~5 ms of SHA-256).
		boot := c.bootKey(fi.Size())
		if boot != "" && c.load("btfkey", boot, &c.btfKey) && strings.HasPrefix(c.btfKey, "btf-sha256:") {
			return
		}
		c.btfKey = ""
		f, err := os.Open(c.vmlinx)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return
		}
		c.btfKey = "btf-sha256:" + hex.EncodeToString(h.Sum(nil))
		c.store("btfkey", boot, c.btfKey)
	})
	return c.btfKey
}

// bootKey names this boot of the kernel and the BTF file read in it, ""
// when the boot cannot be told (no bootID file).
func (c *diskCache) bootKey(size int64) string {
	if c.bootID == "" {
		return ""
	}
	b, err := os.ReadFile(c.bootID)
	id := strings.TrimSpace(string(b))
	if err != nil || id == "" {
		return ""
	}
	return fmt.Sprintf("boot:%s %s %d", id, c.vmlinx, size)
}

// keyTracepoints is the key of what depends on the tracepoint list. It is
// computed on every call (a read of two small files) since modules and
// dynamic events come and go while a process runs.
func (c *diskCache) keyTracepoints() string {
	bk := c.keyBTF()
	if bk == "" {
		return ""
	}
	h := sha256.New()
	io.WriteString(h, bk+"\n")
	if f, err := os.Open("/proc/modules"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) >= 2 {
				io.WriteString(h, "module "+fs[0]+" "+fs[1]+"\n")
			}
		}
		f.Close()
	}
	if root, err := tracingdir.Find(); err == nil {
		io.WriteString(h, "tracefs "+root+"\n")
		for _, name := range []string{"dynamic_events", "kprobe_events", "uprobe_events"} {
			b, err := os.ReadFile(filepath.Join(root, name))
			if err != nil && !os.IsNotExist(err) {
				return "" // the list cannot be known unchanged
			}
			io.WriteString(h, name+"\n")
			h.Write(b)
		}
	}
	return "tp-sha256:" + hex.EncodeToString(h.Sum(nil))
}

// load decodes section into v when its file is there, whole, and has key.
func (c *diskCache) load(section, key string, v any) bool {
	if c == nil || c.dir == "" || key == "" {
		return false
	}
	b, err := os.ReadFile(filepath.Join(c.dir, section+".json"))
	if err != nil {
		return false
	}
	var f cacheFile
	if json.Unmarshal(b, &f) != nil || f.Version != cacheVersion || f.Key != key || f.Sum != dataSum(f.Data) {
		return false
	}
	return json.Unmarshal(f.Data, v) == nil
}

// store writes section atomically; failures only cost the next run time.
func (c *diskCache) store(section, key string, v any) {
	if c == nil || c.dir == "" || key == "" {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	b, err := json.Marshal(cacheFile{Version: cacheVersion, Key: key, Sum: dataSum(data), Data: data})
	if err != nil {
		return
	}
	if os.MkdirAll(c.dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, "."+section+".*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Chmod(tmp.Name(), 0o644) != nil ||
		os.Rename(tmp.Name(), filepath.Join(c.dir, section+".json")) != nil {
		os.Remove(tmp.Name())
	}
}

// disk returns k's cache, off (dir "") when NoCache or SURFTRACE_NO_CACHE.
func (k *Host) disk() *diskCache {
	k.diskOnce.Do(func() {
		k.dc = &diskCache{vmlinx: "/sys/kernel/btf/vmlinux", bootID: "/proc/sys/kernel/random/boot_id"}
		if !k.NoCache && os.Getenv(NoCacheEnv) == "" {
			k.dc.dir = k.CacheDir
			if k.dc.dir == "" {
				k.dc.dir = DefaultCacheDir()
			}
		}
	})
	return k.dc
}

// Tracepoints lists events/*/* under tracefs ("subsys:event", sorted),
// from the cache when the kernel, its modules and dynamic events are
// those it was written for. It mounts tracefs first when it is missing.
// The slice is shared: do not change it.
func (k *Host) Tracepoints() ([]string, error) {
	root, err := tracingdir.Mount(k.Note)
	if err != nil {
		return nil, err
	}
	dc := k.disk()
	key := dc.keyTracepoints()
	if key != "" && key == k.tpKey && k.tps != nil {
		return k.tps, nil
	}
	var tps []string
	if !dc.load("tracepoints", key, &tps) || tps == nil {
		if tps, err = readTracepoints(root); err != nil {
			return nil, err
		}
		dc.store("tracepoints", key, tps)
	}
	if key != k.tpKey || key == "" {
		k.tpIndex = nil
	}
	k.tpKey, k.tps = key, tps
	return tps, nil
}

// TracepointIndex returns the struct -> tracepoints index (see
// StructIndex) of spec, the kernel's BTF, from the cache when it can. The
// map is shared: do not change it.
func (k *Host) TracepointIndex(spec *btf.Spec) map[string][]string {
	events, err := k.Tracepoints()
	if err != nil {
		return map[string][]string{}
	}
	if k.tpIndex != nil {
		return k.tpIndex
	}
	dc, key := k.disk(), k.tpKey
	var ix map[string][]string
	if !dc.load("bystruct", key, &ix) || ix == nil {
		ix = StructIndex(spec, events)
		dc.store("bystruct", key, ix)
	}
	k.tpIndex = ix
	return ix
}

// Functions lists the functions vmlinux's BTF describes (the fentry
// targets), sorted, each once. The slice is shared: do not change it.
func (k *Host) Functions() ([]string, error) {
	k.loadFuncs()
	return k.fns, k.fnErr
}

// SkbFunctions lists the functions of Functions that take a struct
// sk_buff * (or a const one) parameter. The slice is shared.
func (k *Host) SkbFunctions() ([]string, error) {
	k.loadFuncs()
	return k.skb, k.fnErr
}

// loadFuncs fills fns and skb from the cache, or by walking every type of
// the BTF (what the cache spares) and then caches them.
func (k *Host) loadFuncs() {
	k.fnOnce.Do(func() {
		dc := k.disk()
		key := dc.keyBTF()
		var fns, skb []string
		if dc.load("btffuncs", key, &fns) && dc.load("skbfuncs", key, &skb) && fns != nil && skb != nil {
			k.fns, k.skb = fns, skb
			return
		}
		spec, err := k.BTF()
		if err != nil {
			k.fnErr = err
			return
		}
		k.fns, k.skb = btfFunctions(spec)
		dc.store("btffuncs", key, k.fns)
		dc.store("skbfuncs", key, k.skb)
	})
}

// btfFunctions returns the names of spec's functions and of those among
// them with a struct sk_buff * parameter, each sorted, each name once.
func btfFunctions(spec *btf.Spec) (fns, skb []string) {
	fns, skb = []string{}, []string{}
	for t, err := range spec.All() {
		if err != nil {
			break
		}
		fn, ok := t.(*btf.Func)
		if !ok {
			continue
		}
		fns = append(fns, fn.Name)
		if proto, ok := fn.Type.(*btf.FuncProto); ok {
			for _, p := range proto.Params {
				if name, ok := StructPtrName(p.Type); ok && name == "sk_buff" {
					skb = append(skb, fn.Name)
					break
				}
			}
		}
	}
	slices.Sort(fns)
	slices.Sort(skb)
	return slices.Compact(fns), slices.Compact(skb)
}
