package vmtest

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"
)

func TestOrderModules(t *testing.T) {
	files := map[string]string{"9p": "9p.ko", "9pnet": "9pnet.ko", "netfs": "netfs.ko", "fscache": "fscache.ko"}
	deps := map[string][]string{"9p.ko": {"netfs", "9pnet", "fscache"}, "fscache.ko": {"netfs"}}
	got, err := orderModules([]string{"9p", "netfs", "virtio"}, files, map[string]bool{"virtio": true},
		func(p string) ([]string, error) { return deps[p], nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"netfs.ko", "9pnet.ko", "fscache.ko", "9p.ko"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestOrderModulesErrors(t *testing.T) {
	files := map[string]string{"a": "a.ko", "b": "b.ko"}
	deps := map[string][]string{"a.ko": {"b"}, "b.ko": {"a"}}
	dep := func(p string) ([]string, error) { return deps[p], nil }
	if _, err := orderModules([]string{"a"}, files, nil, dep); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: err = %v", err)
	}
	if _, err := orderModules([]string{"missing"}, files, nil, dep); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing: err = %v", err)
	}
}

func TestParsePolicy(t *testing.T) {
	out := []byte(`linux-image-6.1.0-55-amd64:
  Installed: (none)
  Candidate: 6.1.192-1
  Version table:
     6.1.192-1 500
linux-image-6.1.0-9-amd64:
  Installed: (none)
  Candidate: (none)
`)
	got := parsePolicy(out)
	want := map[string]string{"linux-image-6.1.0-55-amd64": "6.1.192-1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsePolicy = %v, want %v", got, want)
	}
}

func TestCommandScript(t *testing.T) {
	got := string(commandScript("/w d", []string{"A=it's"}, []string{"go", "x y"}))
	want := "cd '/w d' || exit 125\nexec /usr/bin/env -i 'A=it'\\''s' 'go' 'x y'\n"
	if got != want {
		t.Errorf("script:\n%s\nwant:\n%s", got, want)
	}
}

func TestKernelPackagePattern(t *testing.T) {
	for name, want := range map[string]string{
		"linux-image-6.1.0-56-amd64":                "6.1",
		"linux-image-6.1.0-56-cloud-amd64":          "",
		"linux-image-6.1.0-56-amd64-unsigned":       "",
		"linux-image-6.1.0-56-amd64-dbg":            "",
		"linux-image-6.1.0-56-rt-amd64":             "",
		"linux-image-6.12.117+deb12-amd64":          "6.12",
		"linux-image-6.12-amd64":                    "",
		"linux-image-6.12.117+deb12-amd64-unsigned": "",
		"linux-image-6.12.117+deb12-cloud-amd64":    "",
		"linux-image-6.12.117+deb12-rt-amd64":       "",
		"linux-image-6.12.117+deb12-amd64-dbg":      "",
	} {
		got := ""
		for _, s := range AllSeries {
			if s.Package.MatchString(name) {
				if got != "" {
					t.Errorf("%s matches both %s and %s", name, got, s.Name)
				}
				got = s.Name
			}
		}
		if got != want {
			t.Errorf("%s: series = %q, want %q", name, got, want)
		}
	}
}

func TestLookupSeries(t *testing.T) {
	if s, err := LookupSeries("6.12"); err != nil || s.Name != "6.12" {
		t.Errorf("LookupSeries(6.12) = %v, %v", s.Name, err)
	}
	if _, err := LookupSeries("5.10"); err == nil || !strings.Contains(err.Error(), "6.1, 6.12") {
		t.Errorf("LookupSeries(5.10): err = %v", err)
	}
}

func TestModuleFileName(t *testing.T) {
	for file, want := range map[string]string{"veth.ko": "veth", "veth.ko.xz": "veth", "veth.ko.zst": "", "modules.dep": ""} {
		got, ok := moduleFileName(file)
		if ok != (want != "") || got != want && ok {
			t.Errorf("moduleFileName(%q) = %q, %v; want %q", file, got, ok, want)
		}
	}
}

// TestReadModuleXZ checks that a .ko.xz reads back as the object it
// compresses, and a .ko as itself.
func TestReadModuleXZ(t *testing.T) {
	dir := t.TempDir()
	obj := []byte("\x7fELF pretend module object, long enough to compress: " + strings.Repeat("modinfo ", 64))
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(obj); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"m.ko.xz": buf.Bytes(), "m.ko": obj} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readModule(path)
		if err != nil || !bytes.Equal(got, obj) {
			t.Errorf("readModule(%s) = %d bytes, %v; want the %d-byte object", name, len(got), err, len(obj))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.ko.xz"), obj, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readModule(filepath.Join(dir, "bad.ko.xz")); err == nil {
		t.Error("readModule of a .ko.xz that is not xz: no error")
	}
}
