package runtime

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// mapEntry is one raw element of a map: its key and its value, one slice
// per possible CPU for per-CPU maps.
type mapEntry struct {
	key    []byte
	values [][]byte
}

// isPerCPU reports whether m holds one value per CPU.
func isPerCPU(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash:
		return true
	}
	return false
}

// readMap snapshots every element of m. Keys deleted while it iterates are
// skipped, as bpftrace does.
func readMap(m *ebpf.Map) ([]mapEntry, error) {
	var entries []mapEntry
	stride := int(m.ValueSize())
	if isPerCPU(m) {
		stride = (stride + 7) &^ 7
	}
	var key any // untyped nil asks for the first key
	for {
		next, err := m.NextKeyBytes(key)
		if err != nil {
			return nil, fmt.Errorf("map %s: next key: %w", m, err)
		}
		if next == nil {
			return entries, nil
		}
		key = next
		value, err := m.LookupBytes(next)
		if err != nil {
			return nil, fmt.Errorf("map %s: lookup: %w", m, err)
		}
		if value == nil {
			continue
		}
		entries = append(entries, mapEntry{key: next, values: splitValues(value, stride, int(m.ValueSize()))})
	}
}

// splitValues cuts a per-CPU value buffer into one value per CPU.
func splitValues(buf []byte, stride, size int) [][]byte {
	var out [][]byte
	for len(buf) >= size && stride > 0 {
		out = append(out, buf[:size])
		buf = buf[min(stride, len(buf)):]
	}
	return out
}

// clearMap deletes every element of m; array maps, whose elements cannot
// be deleted, are zeroed instead.
func clearMap(m *ebpf.Map) error {
	if m.Type() == ebpf.Array || m.Type() == ebpf.PerCPUArray {
		return zeroMap(m)
	}
	entries, err := readMap(m)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := m.Delete(e.key); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("map %s: delete: %w", m, err)
		}
	}
	return nil
}

// zeroMap sets every value of m to zero, keeping its keys.
func zeroMap(m *ebpf.Map) error {
	entries, err := readMap(m)
	if err != nil {
		return err
	}
	var zero any = make([]byte, m.ValueSize())
	if isPerCPU(m) {
		cpus, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		perCPU := make([][]byte, cpus)
		for i := range perCPU {
			perCPU[i] = make([]byte, m.ValueSize())
		}
		zero = perCPU
	}
	for _, e := range entries {
		if err := m.Update(e.key, zero, ebpf.UpdateExist); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("map %s: zero: %w", m, err)
		}
	}
	return nil
}
