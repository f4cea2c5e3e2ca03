package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// Every builtin function refuses one argument more than its table entry
// allows (and one fewer, where it needs any) with the arity message.
func TestScriptFuncArity(t *testing.T) {
	for _, name := range scriptFuncNames {
		f := scriptFuncs[name]
		if f.max > 100 {
			continue // system: any arguments
		}
		counts := []int{f.max + 1}
		if f.min > 0 {
			counts = append(counts, f.min-1)
		}
		for _, n := range counts {
			args := strings.TrimSuffix(strings.Repeat("1, ", n), ", ")
			call := fmt.Sprintf("%s(%s)", name, args)
			src := "BEGIN { " + call + "; }"
			if f.agg != 0 {
				src = "BEGIN { @m = " + call + "; }"
			} else if !f.void {
				src = "BEGIN { $x = " + call + "; }"
			}
			prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
			if err != nil && name == "sizeof" {
				continue // sizeof(x) is syntax: the parser counts its argument
			}
			if err != nil {
				t.Fatalf("%s: parse: %v", src, err)
			}
			_, err = Compile(prog, fakeKernel(t), Options{Unsafe: true})
			if want := name + " takes "; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", src, err, want)
			}
		}
	}
}
