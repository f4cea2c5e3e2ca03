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
}

// prepareProbes builds the fixture when some case uses it and puts its
// path into those cases' programs and into the children's environment.
func prepareProbes(t *testing.T, cases []*testCase) {
	var bin string
	for _, c := range cases {
		if !strings.Contains(c.Prog, probesToken) {
			continue
		}
		if bin == "" {
			bin = ktest.BuildProbes(t, "-O0")
			t.Setenv(probesEnv, bin)
		}
		c.Prog = strings.ReplaceAll(c.Prog, probesToken, bin)
		c.uprobes = true
	}
}
