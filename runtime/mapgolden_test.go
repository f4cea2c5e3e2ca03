package runtime

import (
	"slices"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// The expected output of these tests is what bpftrace 0.17 printed for
// the programs in testdata/bpftrace/*.bt (see capture.sh there). Each case
// builds the map elements those programs leave in the kernel and checks
// that the exit dump prints the same bytes, as text and as JSON.

type goldenMaps struct {
	infos   []*spec.MapInfo
	entries map[string][]mapEntry
}

func (g *goldenMaps) add(info *spec.MapInfo, entries ...mapEntry) {
	if !slices.Contains(g.infos, info) {
		g.infos = append(g.infos, info)
	}
	if g.entries == nil {
		g.entries = map[string][]mapEntry{}
	}
	g.entries[info.Name] = append(g.entries[info.Name], entries...)
}

func hist(name string, key ...*spec.Field) *spec.MapInfo {
	return &spec.MapInfo{Name: name, Kind: spec.MapHist, Key: key, PerCPU: true}
}

func lhist(name string, lo, hi, step int64, key ...*spec.Field) *spec.MapInfo {
	return &spec.MapInfo{Name: name, Kind: spec.MapLhist, Key: key, Min: lo, Max: hi, Step: step, PerCPU: true}
}

func lin(lo, hi, step int64) func(int64) uint32 {
	return func(v int64) uint32 { return lhistIndex(v, lo, hi, step) }
}

func agg(name string, kind spec.MapKind, key ...*spec.Field) *spec.MapInfo {
	return &spec.MapInfo{Name: name, Kind: kind, Key: key, PerCPU: true}
}

func scalar(name string, value *spec.Field, key ...*spec.Field) *spec.MapInfo {
	return &spec.MapInfo{Name: name, Kind: spec.MapScalar, Key: key, Value: value}
}

func one(key []byte, value []byte) mapEntry { return mapEntry{key: key, values: [][]byte{value}} }

func count(key []byte, n int64) mapEntry { return mapEntry{key: key, values: twoCPUs(n)} }

// extreme is a min()/max() element set on CPU 1 only.
// extreme is a min or max entry {value, set} on two CPUs, the first of
// which never saw a value.
func extreme(key []byte, v int64) mapEntry {
	set := append(s64(v), s64(1)...)
	return mapEntry{key: key, values: [][]byte{make([]byte, 16), set}}
}

const strSize = 16

func skey(s string) []byte { return str(s, strSize) }

func goldenBrief() *goldenMaps {
	var g goldenMaps
	g.add(hist("@h"), histEntries(nil, histIndex, 1, 5, 1000)...)
	g.add(lhist("@l", 0, 10, 2), histEntries(nil, lin(0, 10, 2), 3)...)
	g.add(agg("@c", spec.MapCount, strField(0, strSize)), count(skey("a"), 1), count(skey("b"), 2))
	g.add(agg("@s", spec.MapStats), statsEntry(nil, 5))
	return &g
}

func goldenHist() *goldenMaps {
	var g goldenMaps
	g.add(hist("@h"), histEntries(nil, histIndex, -5, 0, 1, 2, 3, 3, 1024, 3145728, 3145728, 3145728)...)
	by := hist("@bykey", strField(0, strSize))
	g.add(by, histEntries(skey("x"), histIndex, 100, 100)...)
	g.add(by, histEntries(skey("y"), histIndex, 7)...)
	g.add(by, histEntries(skey("z"), histIndex, 2000, 2000, 1)...)
	return &g
}

func goldenLhist() *goldenMaps {
	var g goldenMaps
	g.add(lhist("@l", 0, 100, 10), histEntries(nil, lin(0, 100, 10), -1, 5, 55, 55, 100, 1000)...)
	g.add(lhist("@k", 0, 4096, 1024), histEntries(nil, lin(0, 4096, 1024), 1500, 3000, 3001)...)
	g.add(lhist("@odd", 0, 10, 3), histEntries(nil, lin(0, 10, 3), 7, 9, 10)...)
	g.add(lhist("@mid", 0, 100, 10), histEntries(nil, lin(0, 100, 10), 30)...)
	byk := lhist("@byk", 0, 10, 1, intField(0))
	g.add(byk, histEntries(s64(1), lin(0, 10, 1), 3)...)
	g.add(byk, histEntries(s64(2), lin(0, 10, 1), 4, 9)...)
	return &g
}

func goldenMapKinds() *goldenMaps {
	var g goldenMaps
	g.add(scalar("@x", intField(0)), one(nil, s64(5)))
	g.add(scalar("@neg", intField(0)), one(nil, s64(-7)))
	g.add(scalar("@", intField(0)), one(nil, s64(42)))
	g.add(agg("@c", spec.MapCount, strField(0, strSize)),
		count(skey("b"), 2), count(skey("a"), 1), count(skey("c"), 3))
	g.add(agg("@k", spec.MapCount, intField(0), strField(8, strSize)),
		count(cat(s64(2), skey("cd")), 2), count(cat(s64(1), skey("ab")), 1))
	g.add(scalar("@n", intField(0), intField(0)),
		one(s64(5), s64(3)), one(s64(1), s64(10)), one(s64(9), s64(1)), one(s64(3), s64(-4)))
	g.add(agg("@sum", spec.MapSum), count(nil, -20))
	g.add(agg("@sums", spec.MapSum, strField(0, strSize)), count(skey("p"), 5), count(skey("q"), 2))
	g.add(agg("@avg", spec.MapAvg), statsEntry(nil, 3, 4))
	g.add(agg("@avgs", spec.MapAvg, intField(0)), statsEntry(s64(1), 10), statsEntry(s64(2), 1, 2))
	g.add(agg("@mn", spec.MapMin), extreme(nil, 3))
	g.add(agg("@mx", spec.MapMax), extreme(nil, 9))
	g.add(agg("@st", spec.MapStats), statsEntry(nil, 10, 20, 3))
	g.add(agg("@sts", spec.MapStats, strField(0, strSize)), statsEntry(skey("u"), 100), statsEntry(skey("v"), 1))
	g.add(scalar("@str", strField(0, strSize), strField(0, strSize)), one(skey("x"), skey("hello")), one(skey("a"), skey("world")))
	return &g
}

// goldenUntouched has maps without elements: a keyless count prints 0,
// every other map nothing but its newlines.
func goldenUntouched() *goldenMaps {
	var g goldenMaps
	for _, info := range []*spec.MapInfo{
		agg("@c", spec.MapCount), agg("@cleared", spec.MapCount), agg("@s", spec.MapSum),
		agg("@mn", spec.MapMin), agg("@mx", spec.MapMax), agg("@a", spec.MapAvg),
		hist("@h"), lhist("@l", 0, 10, 1), agg("@st", spec.MapStats),
		agg("@k", spec.MapCount, intField(0)), scalar("@x", intField(0)),
	} {
		g.add(info)
	}
	return &g
}

func TestMapsMatchBpftrace(t *testing.T) {
	for _, tc := range []struct {
		name string
		maps *goldenMaps
	}{
		{"brief", goldenBrief()},
		{"hist", goldenHist()},
		{"lhist", goldenLhist()},
		{"maps", goldenMapKinds()},
		{"untouched", goldenUntouched()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRenderer()
			if got, want := exitDump(Text, tc.maps.infos, tc.maps.entries, r), golden(t, "bpftrace/"+tc.name+".txt"); got != want {
				t.Errorf("text differs from bpftrace\n--- got\n%s--- want\n%s", got, want)
			}
			if got, want := exitDump(JSON, tc.maps.infos, tc.maps.entries, r), golden(t, "bpftrace/"+tc.name+".json"); got != want {
				t.Errorf("JSON differs from bpftrace\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}
