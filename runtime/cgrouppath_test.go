package runtime

import (
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// The cgroup hierarchies come from mountinfo, cgroup2 first ("unified"),
// then v1 ones by controller or name=.
func TestCgroupHierarchies(t *testing.T) {
	mi := filepath.Join(t.TempDir(), "mountinfo")
	if err := os.WriteFile(mi, []byte(`31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
35 31 0:32 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
`), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []cgroupHierarchy{{"unified", "/sys/fs/cgroup/unified"}, {"blkio", "/sys/fs/cgroup/blkio"},
		{"cpu", "/sys/fs/cgroup/cpu"}, {"systemd", "/sys/fs/cgroup/systemd"}}
	if got := cgroupHierarchies(mi); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// A cgroup is found by the inode of its directory.
func TestFindCgroup(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	if p, ok := findCgroup(root, st.Ino); !ok || p != "/a/b" {
		t.Errorf("findCgroup = %q, %v; want /a/b", p, ok)
	}
	if err := syscall.Stat(root, &st); err != nil {
		t.Fatal(err)
	}
	if p, ok := findCgroup(root, st.Ino); !ok || p != "/" {
		t.Errorf("findCgroup of the root = %q, %v; want /", p, ok)
	}
}
