package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/lang/script"
)

// renamedKernel lists the functions of a 6.1 kernel that took over from
// functions surftrace's examples name.
func renamedKernel() *kernel.Static {
	return &kernel.Static{Syms: []kernel.Symbol{
		{Name: "kernel_clone", Addr: 0xffffffff81080000, Func: true},
		{Name: "kfree_skb_reason", Addr: 0xffffffff81a00000, Func: true},
		{Name: "__netif_receive_skb_core.constprop.0", Addr: 0xffffffff81b00000, Func: true},
		{Name: "__x64_sys_openat", Addr: 0xffffffff81c00000, Func: true},
		{Name: "ip_output", Addr: 0xffffffff81d00000, Func: true},
	}}
}

// TestRenameHints checks that a function renamed since an example was
// written gets an error naming its successor, positioned like any other.
func TestRenameHints(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"p _do_fork c=$comm", "<line>:1:3: unknown kernel function _do_fork\n" +
			"    p _do_fork c=$comm\n" +
			"      ^~~~~~~~\n" +
			"    (did you mean kernel_clone? it took over from _do_fork in Linux 5.10)"},
		{"r do_fork r=$retval", "<line>:1:3: unknown kernel function do_fork\n" +
			"    r do_fork r=$retval\n" +
			"      ^~~~~~~\n" +
			"    (did you mean kernel_clone? it took over from do_fork in Linux 5.10)"},
		// The newest successor this kernel has, not one it lacks
		// (sk_skb_reason_drop, 6.11).
		{"p kfree_skb", "(did you mean kfree_skb_reason? it took over from kfree_skb in Linux 5.17)"},
		{"p sys_openat", "(did you mean __x64_sys_openat? it took over from sys_openat in Linux 4.17)"},
		// No successor here: the spelling hint.
		{"p generic_make_request", "unknown kernel function generic_make_request"},
		{"p ip_outptu", "(did you mean ip_output?)"},
	} {
		prog, err := line.Parse(&lang.Source{Name: "<line>", Text: tc.line}, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(prog, renamedKernel(), Options{})
		if err == nil {
			t.Errorf("%s: compiled", tc.line)
			continue
		}
		if got := err.Error(); !strings.Contains(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.line, got, tc.want)
		}
	}
}

// TestRenameHintScript checks the same hint in a script's probe.
func TestRenameHintScript(t *testing.T) {
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: "kprobe:_do_fork { @n = count(); }"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(prog, renamedKernel(), Options{})
	want := "t.st:1:1: unknown kernel function _do_fork\n" +
		"    kprobe:_do_fork { @n = count(); }\n" +
		"    ^~~~~~~~~~~~~~~\n" +
		"    (did you mean kernel_clone? it took over from _do_fork in Linux 5.10)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestCloneNeedsNoRename checks that a function the compiler cloned
// attaches under its plain name, so the renames table needs no entry.
func TestCloneNeedsNoRename(t *testing.T) {
	prog, err := line.Parse(&lang.Source{Name: "<line>", Text: "p __netif_receive_skb_core c=$comm"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(prog, renamedKernel(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Probes[0].Target; got != "__netif_receive_skb_core.constprop.0" {
		t.Errorf("target %s, want __netif_receive_skb_core.constprop.0", got)
	}
}
