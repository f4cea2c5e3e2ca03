package tracefs

import (
	"os"
	"path/filepath"
	"strings"
)

// fsys is a tracefs mount: small helpers that write and read its files.
type fsys string

// path joins parts under the mount.
func (t fsys) path(parts ...string) string {
	return filepath.Join(append([]string{string(t)}, parts...)...)
}

// write writes s to the file rel with O_TRUNC, as `echo s > rel` does.
func (t fsys) write(rel, s string) error {
	return t.writeFlags(rel, s, os.O_WRONLY|os.O_TRUNC)
}

// appendLine appends line to rel with O_APPEND, as `echo line >> rel`.
func (t fsys) appendLine(rel, line string) error {
	return t.writeFlags(rel, line+"\n", os.O_WRONLY|os.O_APPEND)
}

func (t fsys) writeFlags(rel, s string, flags int) error {
	f, err := os.OpenFile(t.path(rel), flags, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// read returns the text of rel.
func (t fsys) read(rel string) (string, error) {
	b, err := os.ReadFile(t.path(rel))
	return string(b), err
}

// exists reports whether rel exists.
func (t fsys) exists(rel string) bool {
	_, err := os.Stat(t.path(rel))
	return err == nil
}

// kprobeEvents returns the lines of kprobe_events, or nil when the kernel
// has none.
func (t fsys) kprobeEvents() []string {
	s, err := t.read("kprobe_events")
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(s), "\n")
}
