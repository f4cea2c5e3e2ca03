// Package folded collects kernel stacks and writes them in the folded form
// flame graph tools read (Brendan Gregg's flamegraph.pl, inferno,
// speedscope): one line per distinct stack, frames root first separated by
// ";", then a space and how many times it was seen.
//
// Use Stacks.Add as runtime.Output.Stack, then write the result:
//
//	s := folded.New()
//	out.Stack = s.Add
//	...
//	err := s.WriteFile("out.folded")
package folded

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/surftrace/surftrace/spec"
)

// Stacks counts stacks. It is safe for concurrent use.
type Stacks struct {
	mu     sync.Mutex
	counts map[string]int
}

// New returns an empty Stacks.
func New() *Stacks { return &Stacks{counts: map[string]int{}} }

// Add counts one stack given leaf first as the runtime prints frames
// ("SYMBOL+0xOFF [module]"); its signature fits runtime.Output.Stack.
// The probe is not part of the stack.
func (s *Stacks) Add(_ *spec.Probe, frames []string) {
	if len(frames) == 0 {
		return
	}
	names := make([]string, len(frames))
	for i, f := range frames {
		names[len(frames)-1-i] = Frame(f)
	}
	s.mu.Lock()
	s.counts[strings.Join(names, ";")]++
	s.mu.Unlock()
}

// Frame turns a printed frame into a folded one: the symbol without its
// offset, "_[module]" appended for module code (as perf's stackcollapse
// does), and no blanks or semicolons.
func Frame(f string) string {
	sym, mod, _ := strings.Cut(f, " ")
	if i := strings.Index(sym, "+0x"); i > 0 {
		sym = sym[:i]
	}
	if mod != "" {
		sym += "_" + strings.TrimSpace(mod)
	}
	return strings.NewReplacer(";", ":", " ", "_").Replace(sym)
}

// WriteTo writes one "root;...;leaf COUNT" line per stack, sorted, so
// equal input gives equal output.
func (s *Stacks) WriteTo(w io.Writer) (int64, error) {
	s.mu.Lock()
	keys := make([]string, 0, len(s.counts))
	for k := range s.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %d\n", k, s.counts[k])
	}
	s.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// WriteFile writes the stacks to file path.
func (s *Stacks) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := s.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
