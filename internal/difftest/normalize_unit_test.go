package difftest

import (
	"errors"
	"testing"
)

// TestNormalize checks the banner is dropped and only ties are reordered.
func TestNormalize(t *testing.T) {
	in := "Attaching 2 probes...\nhello\n\n@a[x]: 3\n@a[c]: 2\n@a[b]: 2\n@a[a]: 1\n@b[z]: 1\n@b[y]: 1\n\n\n"
	want := "hello\n\n@a[x]: 3\n@a[b]: 2\n@a[c]: 2\n@a[a]: 1\n@b[y]: 1\n@b[z]: 1\n"
	if got := normalize(in); got != want {
		t.Errorf("normalize:\n%q\nwant\n%q", got, want)
	}
	// Different values are never reordered, so a wrong sort still shows.
	if normalize("@a[x]: 1\n@a[y]: 2\n") == normalize("@a[y]: 2\n@a[x]: 1\n") {
		t.Error("normalize hid a sort order difference")
	}
}

// TestJudge checks the known-gap bookkeeping cannot hide a regression or
// pass vacuously.
func TestJudge(t *testing.T) {
	boom := errors.New("compile: nope\nmore")
	for _, tc := range []struct {
		name       string
		gap        string
		err        error
		got, want  string
		haveOracle bool
		v          verdict
	}{
		{"equal", "", nil, "a\n", "a\n", true, verdictEqual},
		{"differs", "", nil, "a\n", "b\n", true, verdictFail},
		{"error", "", boom, "", "a\n", true, verdictFail},
		{"gap still fails", "why", boom, "", "a\n", true, verdictGap},
		{"gap differs", "why", nil, "a\n", "b\n", true, verdictGap},
		{"gap fixed", "why", nil, "a\n", "a\n", true, verdictFail},
		{"no oracle, runs", "", nil, "a\n", "", false, verdictSkip},
		{"no oracle, error", "", boom, "", "", false, verdictFail},
		{"no oracle, gap fails", "why", boom, "", "", false, verdictGap},
		{"no oracle, gap runs", "why", nil, "a\n", "", false, verdictSkip},
	} {
		if v, msg := judge(tc.gap, tc.err, tc.got, tc.want, tc.haveOracle); v != tc.v {
			t.Errorf("%s: verdict %d (%s), want %d", tc.name, v, msg, tc.v)
		}
	}
}

// withTrace puts the trace section right after the output's last line,
// whatever blank lines the tracer printed at exit.
func TestWithTrace(t *testing.T) {
	for _, tc := range []struct{ out, section, want string }{
		{"a\n\n\n", "-- trace --\nx\n", "a\n-- trace --\nx\n"},
		{"\n\n", "-- trace --\nx\n", "-- trace --\nx\n"},
		{"Attaching 1 probe...\n\n\n", "-- trace --\nx\n", "Attaching 1 probe...\n-- trace --\nx\n"},
		{"a\n\n", "", "a\n\n"},
	} {
		if got := withTrace(tc.out, tc.section); got != tc.want {
			t.Errorf("withTrace(%q, %q) = %q, want %q", tc.out, tc.section, got, tc.want)
		}
	}
}
