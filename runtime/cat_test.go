package runtime

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"
)

// cat() prints a file's bytes as they are, at most BPFTRACE_CAT_BYTES_MAX
// of them, and warns (without failing) about a file it cannot open, in
// the words of C's strerror.
func TestCat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("0.12 0.34\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, warn bytes.Buffer
	p := &printer{out: Output{W: &out, Warn: &warn}, w: bufio.NewWriter(&out), r: testRenderer()}
	cat := func(path string) error {
		if err := p.cat(path); err != nil {
			return err
		}
		return p.flush()
	}
	if err := cat(path); err != nil || out.String() != "0.12 0.34\n" {
		t.Errorf("cat = %q, %v", out.String(), err)
	}
	out.Reset()
	t.Setenv("BPFTRACE_CAT_BYTES_MAX", "1")
	if err := cat(path); err != nil || out.String() != "0" {
		t.Errorf("cat limited to 1 byte = %q, %v", out.String(), err)
	}
	if err := cat("/does/not/exist/file"); err != nil {
		t.Error(err)
	}
	if want := "surftrace: failed to open file '/does/not/exist/file': No such file or directory\n"; warn.String() != want {
		t.Errorf("warning %q, want %q", warn.String(), want)
	}
	warn.Reset()
	p.out.Levels = true
	if err := cat("/does/not/exist/file"); err != nil {
		t.Error(err)
	}
	if want := "ERROR: failed to open file '/does/not/exist/file': No such file or directory\n"; warn.String() != want {
		t.Errorf("bpftrace's error %q, want %q", warn.String(), want)
	}
}

// strftime() values print as wall-clock time in their format; %f is
// microseconds.
func TestStrftimeField(t *testing.T) {
	r := testRenderer()
	r.wallNS = time.Date(2024, 3, 5, 6, 7, 8, 0, time.Local).UnixNano()
	f := &spec.Field{Size: 8, Render: spec.RenderStrftime, Format: "%Y-%m-%d %H:%M:%S.%f"}
	if got, want := r.field(s64(1000123000), f), "2024-03-05 06:07:09.000123"; got != want {
		t.Errorf("strftime = %q, want %q", got, want)
	}
}
