package runtime

import (
	"errors"
	"os"
	"os/exec"
)

// system runs command for system() as bpftrace does (popen): through
// /bin/sh, its stderr shared with surftrace's, and prints what it wrote to
// stdout. A command that fails or cannot start does not end the run; its
// output so far is printed all the same. Past drainBudget at exit, the
// command is not run (skipSystem).
func (p *printer) system(command string) error {
	if p.skipSystem {
		p.skippedSystem++
		return nil
	}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.warn("system(%q): %v", command, err)
	}
	return p.message("syscall", string(out))
}
