package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestFleetUsageErrors: --metrics and --sink refuse what they cannot mean.
func TestFleetUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sink", "-", "e a/b"}, "--sink sends JSON lines: add --format json"},
		{[]string{"--metrics", ":0", "-S", "e a/b"}, "--metrics and --sink run a program"},
		{[]string{"--sink", "-", "--format", "json", "--emit", "asm", "e a/b"}, "--metrics and --sink run a program"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code != exitUsage {
			t.Errorf("run(%q) = %d, want %d", tc.args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("run(%q) stderr\n%s\nwant it to contain %q", tc.args, stderr.String(), tc.want)
		}
	}
}
