package tracingdir_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel/tracingdir"
)

// TestMountWhenMissing unmounts tracefs in a mount namespace of its own and
// checks that Mount mounts it again, once, with one note.
func TestMountWhenMissing(t *testing.T) {
	ktest.RequireRoot(t)
	if ktest.ChildMode() == "" {
		ktest.RunChild(t, "mount")
		return
	}
	if err := ktest.UnmountTracing(); err != nil {
		t.Fatal(err)
	}
	if dir, err := tracingdir.Find(); !errors.Is(err, tracingdir.ErrNotMounted) {
		t.Fatalf("Find() after unmounting = %q, %v; want ErrNotMounted", dir, err)
	}
	var note bytes.Buffer
	dir, err := tracingdir.Mount(&note)
	if err != nil || dir != tracingdir.Path {
		t.Fatalf("Mount() = %q, %v; want %s", dir, err, tracingdir.Path)
	}
	if want := "surftrace: tracefs was not mounted; mounted it on /sys/kernel/tracing\n"; note.String() != want {
		t.Errorf("note = %q, want %q", note.String(), want)
	}
	if _, err := os.Stat(dir + "/events/skb/kfree_skb/format"); err != nil {
		t.Errorf("tracefs mounted, but: %v", err)
	}
	note.Reset()
	if again, err := tracingdir.Mount(&note); again != dir || err != nil || note.Len() != 0 {
		t.Errorf("second Mount() = %q, %v, note %q; want %s, no error, no note", again, err, note.String(), dir)
	}
}

// TestMountWithoutRootSaysWhatToMount drops root in a mount namespace
// where tracefs is not mounted: Mount mounts nothing and says what to
// mount.
func TestMountWithoutRootSaysWhatToMount(t *testing.T) {
	ktest.RequireRoot(t)
	if ktest.ChildMode() == "" {
		ktest.RunChild(t, "nobody")
		return
	}
	if err := ktest.UnmountTracing(); err != nil {
		t.Fatal(err)
	}
	ktest.AsNobody(t)
	var note bytes.Buffer
	dir, err := tracingdir.Mount(&note)
	if err == nil {
		t.Fatalf("Mount() as nobody = %q, want an error", dir)
	}
	want := "tracefs is not mounted at /sys/kernel/tracing, and mounting it needs root (CAP_SYS_ADMIN): as root, run: mount -t tracefs nodev /sys/kernel/tracing"
	if err.Error() != want {
		t.Errorf("Mount() error = %q\nwant %q", err, want)
	}
	if errors.Is(err, os.ErrNotExist) || !errors.Is(err, tracingdir.ErrNotMounted) {
		t.Errorf("Mount() error %v: want ErrNotMounted and not ErrNotExist", err)
	}
	if note.Len() != 0 {
		t.Errorf("note = %q, want none", note.String())
	}
}
