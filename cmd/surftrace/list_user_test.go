package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestListUser lists the fixture's functions and USDT probes as
// bpftrace -l prints them.
func TestListUser(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	cases := []struct{ glob, want string }{
		{"uprobe:" + bin + ":surf_*", "uprobe:BIN:surf_add\nuprobe:BIN:surf_done\nuprobe:BIN:surf_many\nuprobe:BIN:surf_name\n"},
		{"uretprobe:" + bin + ":surf_a*", "uretprobe:BIN:surf_add\n"},
		{"usdt:" + bin + ":*", "usdt:BIN:surf:args\nusdt:BIN:surf:global\nusdt:BIN:surf:strarg\nusdt:BIN:surf:withsem\n"},
		{"usdt:" + bin, "usdt:BIN:surf:args\nusdt:BIN:surf:global\nusdt:BIN:surf:strarg\nusdt:BIN:surf:withsem\n"},
		{"usdt:" + bin + ":surf:w*", "usdt:BIN:surf:withsem\n"},
		{"usdt:" + bin + ":nope:*", ""},
		{"*:" + bin + ":surf*", "uprobe:BIN:surf_add\nuprobe:BIN:surf_done\nuprobe:BIN:surf_many\nuprobe:BIN:surf_name\n"},
		{"usdt:" + bin + ":w*", "usdt:BIN:surf:withsem\n"},
	}
	for _, c := range cases {
		var b strings.Builder
		ok, err := listUser(c.glob, 0, false, &b)
		if got := strings.ReplaceAll(b.String(), bin, "BIN"); !ok || err != nil || got != c.want {
			t.Errorf("-l %s: %v, %v,\n%s\nwant\n%s", c.glob, ok, err, got, c.want)
		}
	}
	if ok, _ := listUser("kprobe:vfs_*", 0, false, &strings.Builder{}); ok {
		t.Error("listUser took a kprobe pattern")
	}
	if ok, err := listUser("uprobe:/nonexistent/x:*", 0, false, &strings.Builder{}); !ok || err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("-l of a missing binary: %v, %v", ok, err)
	}
}

// TestListUserPID lists a running process's functions and USDT probes
// (-l -p PID), named through /proc/PID/root as bpftrace names them.
func TestListUserPID(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	cmd := exec.Command(bin, "1", "0", "wait")
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { w.Close(); cmd.Wait() }()
	pid := cmd.Process.Pid
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var b strings.Builder
		if ok, err := listUser("usdt:*", pid, false, &b); !ok || err != nil {
			t.Fatalf("-l usdt:* -p %d: %v, %v", pid, ok, err)
		}
		if got = b.String(); got != "" {
			break
		}
	}
	prefix := "usdt:/proc/" + strconv.Itoa(pid) + "/root" + bin
	if want := prefix + ":surf:args\n" + prefix + ":surf:global\n" + prefix + ":surf:strarg\n" + prefix + ":surf:withsem\n"; got != want {
		t.Errorf("-l usdt:* -p %d printed\n%s\nwant\n%s", pid, got, want)
	}
	var b strings.Builder
	listUser("", pid, false, &b)
	if !strings.Contains(b.String(), "uprobe:/proc/"+strconv.Itoa(pid)+"/root"+bin+":surf_add\n") || strings.Contains(b.String(), "libc") {
		t.Errorf("-l -p %d printed\n%s\nwant the executable's functions only", pid, b.String())
	}
}

// A wildcarded file named from the working directory ("./bin*") keeps its
// "./" in the listing, as bpftrace names it.
func TestListFilesKeepsDotSlash(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"prog_a", "prog_b"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	files, err := listFiles("./prog_*", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"./prog_a", "./prog_b"}; !slices.Equal(files, want) {
		t.Errorf("listFiles = %q, want %q", files, want)
	}
}
