package kernel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
)

// FuncResolver is a Kernel that resolves a kprobe's function without
// reading all of /proc/kallsyms when it can; its answers are those of
// SymbolIndex.ResolveFunc.
type FuncResolver interface {
	ResolveFunc(name string) (target string, ok bool)
	// VmlinuxFunc reports whether the first symbol named name (in
	// kallsyms' order) is a function of vmlinux.
	VmlinuxFunc(name string) bool
}

// ResolveFunc finds the symbol a kprobe on function name attaches to, as
// SymbolIndex.ResolveFunc does. A name that is itself a function of
// vmlinux (the common case) is answered from the on-disk index of
// vmlinux's function names (vmfuncs.bin) without reading kallsyms, which
// takes seconds in an emulated machine; anything else (module functions,
// NAME.isra.0, unknown names) reads and indexes kallsyms as before.
func (k *Host) ResolveFunc(name string) (string, bool) {
	k.vmfOnce.Do(k.loadVmlinuxFuncs)
	if _, found := slices.BinarySearch(k.vmfuncs, nameHash(name)); found {
		return name, true
	}
	return k.SymbolIndex().ResolveFunc(name)
}

// VmlinuxFunc reports whether the first symbol named name is a function of
// vmlinux: from the index when there is one, else from kallsyms.
func (k *Host) VmlinuxFunc(name string) bool {
	k.vmfOnce.Do(k.loadVmlinuxFuncs)
	if k.vmfuncs != nil {
		_, found := slices.BinarySearch(k.vmfuncs, nameHash(name))
		return found
	}
	ss := k.SymbolIndex().Lookup(name)
	return len(ss) > 0 && ss[0].Func && ss[0].Module == ""
}

// nameHash is the 64-bit FNV-1a of a symbol name. The index keeps hashes,
// not names (8 bytes a name instead of ~25); a name that is no function
// of vmlinux matches one of its ~120k hashes with odds of about 1 in
// 10^14, and then the attach fails instead of the compile.
func nameHash(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// vmlinuxFuncHashes returns the sorted hashes of the names for which
// SymbolIndex.ResolveFunc answers the name itself from vmlinux: the
// first symbol (in file order, where vmlinux comes before modules) of
// that name is a vmlinux function.
func vmlinuxFuncHashes(syms []Symbol) []uint64 {
	seen := make(map[string]bool, len(syms))
	var out []uint64
	for _, s := range syms {
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		if s.Func && s.Module == "" {
			out = append(out, nameHash(s.Name))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// vmfuncsMagic starts vmfuncs.bin; then the key line, then a CRC-32 and
// the count as little-endian uint32s, then the hashes as uint64s.
const vmfuncsMagic = "surftrace vmfuncs 1\n"

// loadVmlinuxFuncs fills vmfuncs from the cache when it was written for
// this kernel build, else from kallsyms (then caches it).
func (k *Host) loadVmlinuxFuncs() {
	dc := k.disk()
	if dc.dir == "" {
		return // no cache: kallsyms answers
	}
	key := dc.keyBTF()
	if key == "" {
		return // no BTF to key the cache with
	}
	if v, err := os.ReadFile("/proc/version"); err == nil {
		key += " " + string(bytes.TrimSpace(v))
	}
	path := filepath.Join(dc.dir, "vmfuncs.bin")
	if hs, ok := readVmfuncs(path, key); ok {
		k.vmfuncs = hs
		return
	}
	syms, err := k.Symbols()
	if err != nil || len(syms) == 0 {
		return
	}
	k.vmfuncs = vmlinuxFuncHashes(syms)
	writeVmfuncs(path, key, k.vmfuncs)
}

// readVmfuncs reads the index at path when it is whole and has key.
func readVmfuncs(path, key string) ([]uint64, bool) {
	b, err := os.ReadFile(path)
	head := vmfuncsMagic + key + "\n"
	if err != nil || !bytes.HasPrefix(b, []byte(head)) || len(b) < len(head)+8 {
		return nil, false
	}
	b = b[len(head):]
	sum, n, data := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), b[8:]
	if uint64(len(data)) != 8*uint64(n) || crc32.ChecksumIEEE(data) != sum {
		return nil, false
	}
	hs := make([]uint64, n)
	for i := range hs {
		hs[i] = binary.LittleEndian.Uint64(data[8*i:])
	}
	return hs, true
}

// writeVmfuncs writes the index atomically, as diskCache.store does;
// failures only cost the next run the kallsyms read.
func writeVmfuncs(path, key string, hs []uint64) {
	data := make([]byte, 8*len(hs))
	for i, h := range hs {
		binary.LittleEndian.PutUint64(data[8*i:], h)
	}
	b := fmt.Appendf(nil, "%s%s\n", vmfuncsMagic, key)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(data))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(hs)))
	b = append(b, data...)
	dir := filepath.Dir(path)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".vmfuncs.*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Chmod(tmp.Name(), 0o644) != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}
