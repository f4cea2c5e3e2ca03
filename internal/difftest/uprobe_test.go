package difftest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// probesToken in a case's program stands for the path of the user-space
// probe fixture (kernel/uelf/testdata/probes.c), built once per run with
// gcc -O0 so that USDT arguments are in memory as well as in registers
// and constants.
const probesToken = "@PROBES@"

// probesEnv passes the fixture's path to the trigger child.
const probesEnv = "DIFFTEST_PROBES"

// dwarfToken stands for the DWARF fixture (kernel/uelf/testdata/dwarf.c,
// gcc -g -O0), dwarfEnv passes its path to the trigger child.
const (
	dwarfToken = "@DWARF@"
	dwarfEnv   = "DIFFTEST_DWARF"
)

func init() {
	// probes N MS: the child becomes the fixture (exec, so the pid stays
	// $1), runs N rounds of its functions and USDT probes, then lingers
	// MS milliseconds (so that its frames can still be named). It must be
	// the last trigger.
	triggers["probes"] = trigger{2, func(a []int) error {
		bin := os.Getenv(probesEnv)
		if bin == "" {
			return fmt.Errorf("probes: %s is not set", probesEnv)
		}
		return syscall.Exec(bin, []string{"surfprobes", strconv.Itoa(a[0]), strconv.Itoa(a[1])}, os.Environ())
	}}
	// dwarf MS: the child becomes the DWARF fixture, which sleeps MS
	// milliseconds and calls each of its functions once. It must be the
	// last trigger.
	triggers["dwarf"] = trigger{1, func(a []int) error {
		bin := os.Getenv(dwarfEnv)
		if bin == "" {
			return fmt.Errorf("dwarf: %s is not set", dwarfEnv)
		}
		return syscall.Exec(bin, []string{"surfdwarf", strconv.Itoa(a[0])}, os.Environ())
	}}
}

// prepareProbes builds the fixtures some case uses and puts their paths
// into those cases' programs and into the children's environment.
func prepareProbes(t *testing.T, cases []*testCase) {
	fixtures := []struct {
		token, env string
		build      func() string
		bin        string
	}{
		{token: probesToken, env: probesEnv, build: func() string { return ktest.BuildProbes(t, "-O0") }},
		{token: dwarfToken, env: dwarfEnv, build: func() string { return ktest.BuildDWARF(t, "-g") }},
	}
	for _, c := range cases {
		for i := range fixtures {
			fx := &fixtures[i]
			if !strings.Contains(c.Prog, fx.token) {
				continue
			}
			if fx.bin == "" {
				fx.bin = fx.build()
				t.Setenv(fx.env, fx.bin)
			}
			c.Prog = strings.ReplaceAll(c.Prog, fx.token, fx.bin)
			c.uprobes = true
		}
	}
}
