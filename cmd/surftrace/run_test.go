package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "surftrace: nothing to trace"},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--emit", "dot", "e a/b"}, `--emit takes ast, asm or ftrace, not "dot"`},
		{[]string{"--format", "xml", "e a/b"}, `--format takes text or json, not "xml"`},
		{[]string{"-f", "lines", "e a/b"}, "cannot be mixed"},
		{[]string{"--backend", "dtrace", "e a/b"}, `--backend takes auto, bpf or ftrace, not "dtrace"`},
		{[]string{"-S", "--emit", "asm", "e a/b"}, "cannot be combined"},
		{[]string{"-p", "1", "-c", "true", "e a/b"}, "cannot be combined"},
		{[]string{"--btf", "x", "e a/b"}, "use them with -S, -o or --emit"},
		{[]string{"-lv"}, "-lv takes one PROBE"},
		{[]string{"run"}, "run needs a script NAME"},
		{[]string{"run", "nosuch"}, `no stdlib script "nosuch"`},
		{[]string{"-f", "./json"}, "-f: open ./json: no such file"},
		{[]string{"-S", "--btf", "/nonexistent", "e a/b"}, "--btf /nonexistent: open /nonexistent"},
		{[]string{"-p", "2147483646", "e a/b"}, "-p 2147483646: no such process"},
		{[]string{"-c", "/nonexistent/cmd", "e syscalls/sys_enter_getpid"}, `-c "/nonexistent/cmd"`},
		{[]string{"q ip_rcv"}, "<line 1>:1:1: unknown probe kind q"},
		{[]string{"missing.st"}, "missing.st: no such file"},
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

// TestPositionalParameters: words after -e PROGRAM or a script are its
// positional parameters, flags may come among them, "--" ends the flags.
func TestPositionalParameters(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		want     []string
		duration time.Duration
	}{
		{[]string{"-e", "BEGIN {}", "7", "9"}, []string{"7", "9"}, 0},
		{[]string{"-e", "BEGIN {}", "7", "--duration", "1s", "9"}, []string{"7", "9"}, time.Second},
		{[]string{"x.st", "a", "--", "-1", "--duration"}, []string{"x.st", "a", "-1", "--duration"}, 0},
		{[]string{"--duration", "1s", "run", "pktpath", "192.0.2.2"}, []string{"pktpath", "192.0.2.2"}, time.Second},
		{[]string{"run", "pktpath", "--duration", "1s", "192.0.2.2"}, []string{"pktpath", "192.0.2.2"}, time.Second},
		{[]string{"-e", "BEGIN {}", "run"}, []string{"run"}, 0},
	} {
		c, err := parseFlags(tc.args, &bytes.Buffer{})
		if err != nil {
			t.Errorf("parseFlags(%q): %v", tc.args, err)
			continue
		}
		if !slices.Equal(c.args, tc.want) || c.duration != tc.duration {
			t.Errorf("parseFlags(%q): args %q, duration %v; want %q, %v", tc.args, c.args, c.duration, tc.want, tc.duration)
		}
	}
}

func TestFlagsBetweenLines(t *testing.T) {
	c, err := parseFlags([]string{"e a/b", "-s", "e c/d", "--max-events", "3"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.stack || c.maxEvents != 3 || len(c.args) != 2 || c.args[1] != "e c/d" {
		t.Errorf("parsed %+v", c)
	}
}

// TestTraceGetpid runs an expression line on the host kernel until
// --max-events stops it.
func TestTraceGetpid(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	ready := filepath.Join(t.TempDir(), "ready")
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(ready); err == nil {
				for range 3 {
					syscall.Getpid()
				}
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var stdout, stderr bytes.Buffer
	args := []string{"--ready-file", ready, "--max-events", "3", "--duration", "10s", "e syscalls/sys_enter_getpid nr=__syscall_nr"}
	if code := run(args, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	line := regexp.MustCompile(`^ *\S+-\d+ +\[\d{3}\] \d+\.\d{6}: e0: \(syscalls:sys_enter_getpid\) nr=39$`)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("unexpected line %q", l)
		}
	}
	if len(lines) != 3 {
		t.Errorf("got %d lines, want 3:\n%s", len(lines), stdout.String())
	}
}
