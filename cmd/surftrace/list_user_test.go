package main

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestListUser lists the fixture's functions and USDT probes as
// bpftrace -l prints them.
func TestListUser(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	cases := []struct{ glob, want string }{
		{"uprobe:" + bin + ":surf_*", "uprobe:BIN:surf_add\nuprobe:BIN:surf_done\nuprobe:BIN:surf_name\n"},
		{"uretprobe:" + bin + ":surf_a*", "uretprobe:BIN:surf_add\n"},
		{"usdt:" + bin + ":*", "usdt:BIN:surf:args\nusdt:BIN:surf:strarg\nusdt:BIN:surf:withsem\n"},
		{"usdt:" + bin, "usdt:BIN:surf:args\nusdt:BIN:surf:strarg\nusdt:BIN:surf:withsem\n"},
		{"usdt:" + bin + ":surf:w*", "usdt:BIN:surf:withsem\n"},
		{"usdt:" + bin + ":nope:*", ""},
	}
	for _, c := range cases {
		var b strings.Builder
		ok, err := listUser(c.glob, 0, &b)
		if got := strings.ReplaceAll(b.String(), bin, "BIN"); !ok || err != nil || got != c.want {
			t.Errorf("-l %s: %v, %v,\n%s\nwant\n%s", c.glob, ok, err, got, c.want)
		}
	}
	if ok, _ := listUser("kprobe:vfs_*", 0, &strings.Builder{}); ok {
		t.Error("listUser took a kprobe pattern")
	}
	if ok, err := listUser("uprobe:/nonexistent/x:*", 0, &strings.Builder{}); !ok || err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("-l of a missing binary: %v, %v", ok, err)
	}
}
