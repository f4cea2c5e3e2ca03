package difftest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

// A testCase is one bpftrace program and how to drive it.
type testCase struct {
	Name string // file name without .txtar
	File string
	// Prog is the bpftrace program text, the same for both tracers.
	Prog string
	// Trigger is the child's work: triggers with integer arguments
	// separated by ";", or "" for none (the child only starts and exits).
	Trigger string
	// Args are positional parameters after $1 (which is always the
	// child's pid).
	Args []string
	// Requires lists the kernel features the case needs; a case with any
	// runs only in the VM.
	Requires []ktest.Feature
	// Timeout bounds each tracer's run.
	Timeout time.Duration
	// Inline runs the program as "-e PROGRAM" ("form: -e") instead of
	// from a file, under both tracers.
	Inline bool
	// uprobes is set when the program probes the user-space fixture
	// (probesToken): the case needs the kernel's uprobes.
	uprobes bool
}

// source returns the words that give both tracers the program: the file,
// or -e and the program text.
func (c *testCase) source(file string) []string {
	if c.Inline {
		return []string{"-e", c.Prog}
	}
	return []string{file}
}

// argv returns the positional parameters to run c with: the trigger
// child's pid as $1, then c.Args, or none when the program uses no
// positional parameter, as a user would run it.
func (c *testCase) argv(pid int) []string {
	if !positional.MatchString(c.Prog) {
		return nil
	}
	return append([]string{strconv.Itoa(pid)}, c.Args...)
}

// features maps the names a case's "requires:" line may use.
var features = map[string]ktest.Feature{
	"kprobes":    ktest.Kprobes,
	"kretprobes": ktest.Kretprobes,
	"fentry":     ktest.Fentry,
	"fexit":      ktest.Fexit,
	"tp_btf":     ktest.TpBTF,
}

// loadCases reads every testdata/cases/*.txtar, sorted by name.
func loadCases(dir string) ([]*testCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var cases []*testCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c, err := parseCase(f, string(data))
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// parseCase parses one txtar case: "key: value" header lines (trigger,
// args, requires, timeout, form; "#" starts a comment) and a "prog.bt"
// section.
func parseCase(file, data string) (*testCase, error) {
	c := &testCase{
		Name:    strings.TrimSuffix(filepath.Base(file), ".txtar"),
		File:    file,
		Timeout: 20 * time.Second,
	}
	header, sections, err := parseTxtar(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	for i, line := range strings.Split(header, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want \"key: value\"", file, i+1)
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "trigger":
			if _, err := parseTrigger(val); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
			}
			c.Trigger = val
		case "args":
			c.Args = strings.Fields(val)
		case "requires":
			for _, name := range strings.Fields(val) {
				f, ok := features[name]
				if !ok {
					return nil, fmt.Errorf("%s:%d: unknown feature %q", file, i+1, name)
				}
				c.Requires = append(c.Requires, f)
			}
		case "form":
			if val != "-e" && val != "file" {
				return nil, fmt.Errorf("%s:%d: form is -e or file, not %q", file, i+1, val)
			}
			c.Inline = val == "-e"
		case "timeout":
			d, err := time.ParseDuration(val)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
			}
			c.Timeout = d
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", file, i+1, key)
		}
	}
	c.Prog = sections["prog.bt"]
	if strings.TrimSpace(c.Prog) == "" {
		return nil, fmt.Errorf("%s: no prog.bt section", file)
	}
	return c, nil
}

// parseTxtar splits a txtar archive into its leading comment and its
// "-- name --" sections.
func parseTxtar(data string) (header string, sections map[string]string, err error) {
	sections = map[string]string{}
	var name string
	var b strings.Builder
	flush := func() {
		if name == "" {
			header = b.String()
		} else {
			sections[name] = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		t := strings.TrimRight(line, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			flush()
			name = strings.TrimSpace(t[3 : len(t)-3])
			if _, dup := sections[name]; dup {
				return "", nil, fmt.Errorf("section %q twice", name)
			}
			continue
		}
		b.WriteString(line)
	}
	flush()
	return header, sections, nil
}
