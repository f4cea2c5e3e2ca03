package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestSmoke runs the harness once, small: the start program and the
// printf program, one run each, on the host's tracepoints, and checks
// the table and the JSON hold every figure, nonzero where it must be.
func TestSmoke(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.BTF, ktest.Ringbuf)
	if ktest.InVM() {
		t.Skip("host-only smoke run; `make bench` runs the harness in the VM")
	}
	bpftrace, err := exec.LookPath("bpftrace")
	if err != nil {
		t.Fatalf("bpftrace is not installed (make deps installs it): %v", err)
	}
	dir := t.TempDir()
	surftrace := filepath.Join(dir, "surftrace")
	gobin := os.Getenv("GO")
	if gobin == "" {
		gobin = "go"
	}
	if out, err := exec.Command(gobin, "build", "-o", surftrace, "github.com/surftrace/surftrace/cmd/surftrace").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var log bytes.Buffer
	r, err := Run(Config{Surftrace: surftrace, Bpftrace: bpftrace, Runs: 1, DDCount: 2000, UDPCount: 100, Smoke: true, Log: &log})
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	t.Log(md.String())
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`(?m)^\| [^|]+ \| [^|]+ \| [0-9.]+ \| [0-9.]+ \| ([0-9.]+|–) \|$`).FindAllString(md.String(), -1)
	if len(back.Figures) != 4+6 || len(rows) != len(back.Figures) {
		t.Fatalf("%d figures, %d table rows, want 10 of each:\n%s", len(back.Figures), len(rows), md.String())
	}
	for _, f := range back.Figures {
		zeroOK := f.Unit == "events" // nothing lost
		if !zeroOK && (f.Surftrace <= 0 || f.Bpftrace <= 0) {
			t.Errorf("%s: surftrace %v, bpftrace %v; want both > 0", f.Name, f.Surftrace, f.Bpftrace)
		}
	}
}
