package kernel

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fieldsKallsyms is the plain parse parseKallsyms must agree with.
func fieldsKallsyms(text string) []Symbol {
	syms := []Symbol{}
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			continue
		}
		s := Symbol{Name: f[2], Addr: addr, Func: f[1] == "t" || f[1] == "T"}
		if len(f) > 3 {
			s.Module = strings.Trim(f[3], "[]")
		}
		syms = append(syms, s)
	}
	return syms
}

func TestParseKallsyms(t *testing.T) {
	text := "ffffffff81000000 T _stext\n" +
		"0000000000000000 D jiffies\n" +
		"ffffffffc0a01000 t nf_hook\t[nf_tables]\n" +
		"  ffffffffc0a02000  T  spaced \t [mod] \n" +
		"bad line\n" +
		"zz T notanaddr\n" +
		"\n" +
		"ffffffff81000010 t no_newline_at_end"
	got := ParseKallsyms(text)
	if want := fieldsKallsyms(text); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if len(got) != 5 || got[2].Module != "nf_tables" || !got[2].Func || got[1].Func {
		t.Errorf("parsed %+v", got)
	}
	if b, err := os.ReadFile("/proc/kallsyms"); err == nil {
		if got, want := ParseKallsyms(string(b)), fieldsKallsyms(string(b)); !reflect.DeepEqual(got, want) {
			t.Errorf("/proc/kallsyms: %d symbols, plain parse %d", len(got), len(want))
		}
	}
}

func BenchmarkKallsymsParse(b *testing.B) {
	data, err := os.ReadFile("/proc/kallsyms")
	if err != nil || len(data) == 0 {
		b.Skip("no /proc/kallsyms")
	}
	text := string(data)
	b.Run("fields", func(b *testing.B) {
		for b.Loop() {
			fieldsKallsyms(text)
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			ParseKallsyms(text)
		}
	})
}

// SymbolIndex answers the same by scanning (the first lookups) as from its
// index (after scanLimit), and ResolveFunc the same either way.
func TestSymbolIndexScanEqualsIndex(t *testing.T) {
	syms := ParseKallsyms("1 T a\n2 t b.isra.0\n3 t b.constprop.1\n4 t b.constprop.0\n5 d c\n6 t c [m]\n7 t e.cold\n8 t e.part.2\n")
	names := []string{"a", "b", "c", "e", "zz", "b.isra.0"}
	scan := NewSymbolIndex(syms)
	indexed := &SymbolIndex{all: syms, scans: scanLimit}
	for _, n := range names {
		if a, b := scan.Lookup(n), indexed.Lookup(n); !reflect.DeepEqual(a, b) {
			t.Errorf("Lookup(%s): scan %v, index %v", n, a, b)
		}
	}
	if indexed.byName == nil || scan.byName != nil {
		t.Fatal("index built at the wrong time")
	}
	for _, n := range names {
		scan.scans = 0
		ta, oka := scan.ResolveFunc(n)
		tb, okb := indexed.ResolveFunc(n)
		if ta != tb || oka != okb {
			t.Errorf("ResolveFunc(%s): scan %q %v, index %q %v", n, ta, oka, tb, okb)
		}
	}
	if got, _ := scan.ResolveFunc("b"); got != "b.isra.0" {
		t.Errorf("ResolveFunc(b) = %q", got)
	}
	if got, _ := scan.ResolveFunc("e"); got != "e.part.2" {
		t.Errorf("ResolveFunc(e) = %q", got)
	}
}
