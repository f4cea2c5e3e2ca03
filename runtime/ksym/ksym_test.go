package ksym

import (
	"strings"
	"testing"
)

func TestKallsymsLookup(t *testing.T) {
	tab := NewLazy("testdata/kallsyms").Table()
	for _, tc := range []struct {
		addr       uint64
		sym, frame string
	}{
		{0xffffffff81a2c3d0, "ip_output+0x0", "ip_output+0x0"},
		{0xffffffff81a2c3e5, "ip_output+0x15", "ip_output+0x15"},
		{0xffffffff81a2c210, "ip_rcv_core.isra.0+0x10", "ip_rcv_core.isra.0+0x10"},
		{0xffffffffc0201010, "veth_xmit+0x10", "veth_xmit+0x10 [veth]"},
		{0xffffffffc0201400, "veth_poll+0x0", "veth_poll+0x0 [veth]"},
		{0x1000, "0x1000", "0x1000"},
	} {
		if got := tab.Symbolize(tc.addr); got != tc.sym {
			t.Errorf("symbolize(%#x) = %q, want %q", tc.addr, got, tc.sym)
		}
		if got := tab.Frame(tc.addr); got != tc.frame {
			t.Errorf("frame(%#x) = %q, want %q", tc.addr, got, tc.frame)
		}
	}
}

func TestKallsymsDropsHiddenAddresses(t *testing.T) {
	tab := New("0000000000000000 T a\n0000000000000000 T b\n")
	if got := tab.Symbolize(0x10); got != "0x10" {
		t.Errorf("symbolize with hidden addresses = %q, want 0x10", got)
	}
}

// A line that does not parse costs its symbol, not the table (the
// compiler's reading of kallsyms, kernel.ParseKallsyms, is the same).
func TestKallsymsBadAddress(t *testing.T) {
	tab := New("zzzz T a\nffffffff81000000 T b\n")
	if got := tab.Symbolize(0xffffffff81000010); got != "b+0x10" {
		t.Errorf("symbolize after a bad line = %q, want b+0x10", got)
	}
}

func TestSymbolsMissingFileIsEmpty(t *testing.T) {
	s := NewLazy("testdata/no-such-file")
	if got := s.Table().Symbolize(0x10); got != "0x10" {
		t.Errorf("symbolize = %q", got)
	}
	if s.Err() == nil {
		t.Error("missing table not reported")
	}
}

// TestHostKallsyms checks the real table parses and resolves a symbol to
// itself, where the kernel shows addresses.
func TestHostKallsyms(t *testing.T) {
	s := NewLazy("/proc/kallsyms")
	tab := s.Table()
	if s.Err() != nil || tab.Len() == 0 {
		t.Skipf("no readable kallsyms with addresses (err %v)", s.err)
	}
	sym := tab.syms[len(tab.syms)/2]
	if got := tab.Symbolize(sym.Addr); !strings.HasSuffix(got, "+0x0") {
		t.Errorf("symbolize(%#x) = %q, want a +0x0 symbol", sym.Addr, got)
	}
}
