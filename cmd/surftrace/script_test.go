package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/surftrace/surftrace/internal/ktest"
)

var update = flag.Bool("update", false, "rewrite the golden files that testscript's cmp compares")

func TestMain(m *testing.M) {
	asCLI()
	testscript.Main(m, map[string]func(){
		"surftrace": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
		"bpftrace":  func() { os.Exit(runBpftrace(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
		"pokeaddr":  pokeAddr,
	})
}

// TestScripts runs the transcripts in testdata/script. Conditions:
// [root] (root, and not a unit-test run), [vm] (inside the vmtest VM),
// [kernelbtf] (/sys/kernel/btf/vmlinux exists, readable without root), and
// one per kernel feature, e.g. [kprobes] [tracepoints] [fentry], true
// when ktest finds the feature on the running kernel (and root).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			for _, k := range []string{ktest.VMEnv, ktest.NoKernelEnv} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			return nil
		},
		Condition: condition,
	})
}

// features maps condition names to kernel features.
var features = map[string]ktest.Feature{
	"tracepoints":  ktest.Tracepoints,
	"kprobes":      ktest.Kprobes,
	"kretprobes":   ktest.Kretprobes,
	"kprobeevents": ktest.KprobeEvents,
	"ringbuf":      ktest.Ringbuf,
	"btf":          ktest.BTF,
	"fentry":       ktest.Fentry,
}

func condition(cond string) (bool, error) {
	kernelOK := os.Geteuid() == 0 && (os.Getenv(ktest.NoKernelEnv) == "" || ktest.InVM())
	switch cond {
	case "root":
		return kernelOK, nil
	case "vm":
		return ktest.InVM(), nil
	case "kernelbtf": // reading the BTF needs no root
		err := ktest.Check(ktest.BTF)
		if err != nil && (ktest.InVM() || !ktest.IsAbsent(err)) {
			return false, err
		}
		return err == nil, nil
	}
	f, ok := features[cond]
	if !ok {
		return false, &unknownCondition{cond}
	}
	if !kernelOK {
		return false, nil
	}
	err := ktest.Check(f)
	if err != nil && (ktest.InVM() || !ktest.IsAbsent(err)) {
		return false, err // the VM has every feature; other probes must tell
	}
	return err == nil, nil
}

type unknownCondition struct{ name string }

func (e *unknownCondition) Error() string { return "unknown condition " + e.name }
