package difftest

import (
	"fmt"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// minCases is the least number of cases the suite accepts, so that it
// cannot pass by losing its testdata.
const minCases = 40

// tally counts outcomes for the summary line.
type tally struct {
	cases, equal, gaps, skipped atomic.Int32
}

// TestDiff runs every case under bpftrace and surftrace and compares the
// outputs. Cases that need kprobes or fentry run only in the VM (they skip
// on a host kernel without them); the others run only outside the VM,
// where they are cheaper, so each case runs in exactly one of
// `make test-kernel` and `make vmtest`.
func TestDiff(t *testing.T) {
	cases, err := loadCases("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < minCases {
		t.Fatalf("only %d cases in testdata/cases, want at least %d", len(cases), minCases)
	}
	gaps, err := loadGaps("testdata/known_gaps.txt", cases)
	if err != nil {
		t.Fatal(err)
	}
	ktest.RequireRoot(t)
	prepareProbes(t, cases)
	bin, err := exec.LookPath("bpftrace")
	if err != nil {
		t.Logf("bpftrace is not installed (apt-get install bpftrace): surftrace still runs every case, but nothing is compared")
		bin = ""
	}
	dir := t.TempDir()
	cli, err := surftraceCLI(ktest.InVM())
	if err != nil {
		t.Fatal(err)
	}
	if cli != "" {
		t.Logf("surftrace runs as the CLI %s", cli)
	} else {
		t.Logf("surftrace runs through the library pipeline (lang/script, compiler, runtime)")
	}
	var n tally
	t.Cleanup(func() {
		fmt.Printf("difftest: %d cases, %d equal, %d known gaps (%d skipped here)\n",
			n.cases.Load(), n.equal.Load(), n.gaps.Load(), n.skipped.Load())
	})
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			n.cases.Add(1)
			switch {
			case ktest.InVM() && len(c.Requires) == 0:
				n.skipped.Add(1)
				t.Skip("host case: runs in make test-kernel, not in the VM")
			case len(c.Requires) > 0:
				n.skipped.Add(1) // undone below once the features are there
				ktest.RequireFeature(t, c.Requires...)
				n.skipped.Add(-1)
			case c.uprobes:
				n.skipped.Add(1)
				ktest.RequireUprobes(t)
				n.skipped.Add(-1)
			}
			runCase(t, c, bin, cli, dir, gaps[c.Name], &n)
		})
	}
}

// runCase runs one case and checks the outcome against the known gaps.
func runCase(t *testing.T, c *testCase, bin, cli, dir, gap string, n *tally) {
	var want string
	if bin != "" {
		out, err := runBpftrace(bin, dir, c)
		if err != nil {
			t.Fatalf("bpftrace (the oracle) failed; fix the case:\n%v\noutput:\n%s", err, out)
		}
		want = normalize(out)
		t.Logf("bpftrace printed:\n%s", want)
		if strings.TrimSpace(want) == "" {
			t.Fatalf("bpftrace printed nothing; a case must print something to compare")
		}
	}
	var out string
	var err error
	if cli != "" {
		out, err = runCLI(cli, dir, c)
	} else {
		out, err = runSurftrace(c)
	}
	v, msg := judge(gap, err, normalize(out), want, bin != "")
	switch v {
	case verdictEqual:
		n.equal.Add(1)
	case verdictGap:
		n.gaps.Add(1)
		t.Log(msg)
	case verdictSkip:
		n.skipped.Add(1)
		t.Skip(msg)
	default:
		t.Fatal(msg)
	}
}

// A verdict is the outcome of one case.
type verdict int

// The verdicts.
const (
	verdictFail  verdict = iota // a regression, or a listed gap that now passes
	verdictEqual                // surftrace printed what bpftrace printed
	verdictGap                  // a listed gap that still fails
	verdictSkip                 // no oracle, and surftrace ran without error
)

// judge decides a case from surftrace's error and normalized output, the
// oracle's normalized output (haveOracle false when bpftrace is missing)
// and the case's known-gap reason ("" when it is not listed). A listed
// case must fail and an unlisted one must match; neither can pass by
// skipping unless bpftrace is missing.
func judge(gap string, err error, got, want string, haveOracle bool) (verdict, string) {
	var why string
	switch {
	case err != nil:
		why = firstLine(err.Error())
	case haveOracle && got != want:
		why = "output differs"
	}
	switch {
	case gap != "" && why != "":
		return verdictGap, fmt.Sprintf("known gap (%s); fails now with: %s", gap, why)
	case gap != "" && !haveOracle:
		return verdictSkip, "known gap ran without error, but without bpftrace it cannot be compared"
	case gap != "":
		return verdictFail, fmt.Sprintf("listed in testdata/known_gaps.txt (%s) but surftrace now matches bpftrace: remove it from the list", gap)
	case err != nil:
		return verdictFail, fmt.Sprintf("surftrace: %v\noutput so far:\n%s", err, got)
	case !haveOracle:
		return verdictSkip, "bpftrace is not installed: surftrace ran, but there is no oracle to compare with"
	case got != want:
		return verdictFail, fmt.Sprintf("outputs differ\n--- bpftrace\n%s--- surftrace\n%s", want, got)
	}
	return verdictEqual, ""
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
