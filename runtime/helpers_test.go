package runtime

import (
	"encoding/binary"
	"math/bits"
	"os"
	"path/filepath"
	"testing"

	"github.com/surftrace/surftrace/runtime/ksym"
	"github.com/surftrace/surftrace/spec"
)

// Encoders for hand-built keys, values and payloads.

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func s64(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }

// str is s NUL-padded to n bytes, as strings sit in maps and records.
func str(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// twoCPUs splits an s64 total over two per-CPU slots, to exercise merging.
func twoCPUs(total int64) [][]byte { return [][]byte{s64(total / 2), s64(total - total/2)} }

// histIndex is bpftrace's hist() bucket of v.
func histIndex(v int64) uint32 {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return 1
	}
	return uint32(2 + 63 - bits.LeadingZeros64(uint64(v)))
}

// lhistIndex is bpftrace's lhist() bucket of v.
func lhistIndex(v, lo, hi, step int64) uint32 {
	switch {
	case v < lo:
		return 0
	case v > hi:
		return uint32(1 + (hi-lo)/step)
	}
	return uint32(1 + (v-lo)/step)
}

// histEntries counts values into per-bucket entries under key, as the
// kernel side of hist()/lhist() would.
func histEntries(key []byte, index func(int64) uint32, values ...int64) []mapEntry {
	counts := map[uint32]int64{}
	var order []uint32
	for _, v := range values {
		i := index(v)
		if counts[i] == 0 {
			order = append(order, i)
		}
		counts[i]++
	}
	var out []mapEntry
	for _, i := range order {
		out = append(out, mapEntry{key: cat(key, u32(i)), values: twoCPUs(counts[i])})
	}
	return out
}

// statsEntry is one avg()/stats() element fed with values.
func statsEntry(key []byte, values ...int64) mapEntry {
	var sum int64
	for _, v := range values {
		sum += v
	}
	return mapEntry{key: key, values: [][]byte{cat(s64(int64(len(values))), s64(sum)), cat(s64(0), s64(0))}}
}

// Field shorthands.
func intField(off int) *spec.Field {
	return &spec.Field{Offset: off, Size: 8, Render: spec.RenderSigned}
}

func strField(off, size int) *spec.Field {
	return &spec.Field{Offset: off, Size: size, Render: spec.RenderString}
}

// golden reads testdata/NAME.
func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testRenderer renders without a symbol table or stacks map.
func testRenderer() *renderer {
	return &renderer{syms: ksym.NewLazy(filepath.Join("testdata", "kallsyms"))}
}
