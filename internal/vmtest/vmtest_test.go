package vmtest

import (
	"reflect"
	"strings"
	"testing"
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
	for name, want := range map[string]bool{
		"linux-image-6.1.0-56-amd64":          true,
		"linux-image-6.1.0-56-cloud-amd64":    false,
		"linux-image-6.1.0-56-amd64-unsigned": false,
		"linux-image-6.1.0-56-amd64-dbg":      false,
		"linux-image-6.1.0-56-rt-amd64":       false,
	} {
		if got := kernelPackage.MatchString(name); got != want {
			t.Errorf("%s: match = %v, want %v", name, got, want)
		}
	}
}
