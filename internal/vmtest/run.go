package vmtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

// Config describes one command to run in a freshly booted VM.
type Config struct {
	CacheDir string        // holds the kernel packages and per-run scratch; e.g. .cache/vm
	Kernel   string        // the kernel series to boot, e.g. "6.12"; empty means DefaultSeries
	Dir      string        // host directory the command runs in
	Env      []string      // the command's environment; ktest.VMEnv and TMPDIR are set on top
	Args     []string      // the command and its arguments, as host paths
	Timeout  time.Duration // for the whole boot, run and power-off
	Memory   string        // guest RAM, as qemu -m takes it
	CPUs     int           // guest CPUs
	Console  io.Writer     // receives the guest console: kernel, init and command output
	Log      io.Writer     // receives the harness's own progress lines
}

// Run boots the newest Debian kernel of series c.Kernel under qemu (TCG),
// runs c.Args in a read-only chroot of the host root and returns the
// command's exit status. The error is non-nil only when the harness itself
// fails: no kernel, qemu failing, a timeout, or a guest that never
// reported a status.
func Run(ctx context.Context, c Config) (int, error) {
	if c.Kernel == "" {
		c.Kernel = DefaultSeries
	}
	series, err := LookupSeries(c.Kernel)
	if err != nil {
		return 0, err
	}
	k, err := FetchKernel(ctx, c.CacheDir, series, c.Log)
	if err != nil {
		return 0, err
	}
	work, err := os.MkdirTemp(c.CacheDir, "run-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(work)
	share := filepath.Join(work, "share")
	if err := os.Mkdir(share, 0o755); err != nil {
		return 0, err
	}
	initrd := filepath.Join(work, "initrd.cpio")
	if err := BuildInitramfs(ctx, k, initrd); err != nil {
		return 0, err
	}
	env := append(c.Env, ktest.VMEnv+"="+k.Release, "TMPDIR=/tmp")
	if err := os.WriteFile(filepath.Join(share, "cmd.sh"), commandScript(c.Dir, env, c.Args), 0o644); err != nil {
		return 0, err
	}

	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	qemu := exec.CommandContext(ctx, "qemu-system-x86_64", qemuArgs(k, initrd, share, c)...)
	qemu.Stdout = c.Console
	qemu.Stderr = c.Console
	start := time.Now()
	fmt.Fprintf(c.Log, "vmtest: booting %s (timeout %v): %s\n", k.Release, c.Timeout, strings.Join(c.Args, " "))
	err = qemu.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return 0, fmt.Errorf("vmtest: timed out after %v; killed qemu", c.Timeout)
	}
	if err != nil {
		return 0, fmt.Errorf("vmtest: qemu: %w", err)
	}
	status, err := os.ReadFile(filepath.Join(share, "status"))
	if err != nil {
		return 0, errors.New("vmtest: the guest stopped without reporting an exit status: it panicked, hung or init failed (see the console output above)")
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(status)))
	if err != nil {
		return 0, fmt.Errorf("vmtest: bad exit status %q from the guest", status)
	}
	fmt.Fprintf(c.Log, "vmtest: command exited with status %d; VM ran %.1fs\n", code, time.Since(start).Seconds())
	return code, nil
}

// qemuArgs returns qemu's command line: TCG, serial console on stdout, no
// NIC, the host root shared read-only and the results share writable.
func qemuArgs(k *Kernel, initrd, share string, c Config) []string {
	return []string{
		"-accel", "tcg", "-cpu", "max",
		"-m", c.Memory, "-smp", strconv.Itoa(c.CPUs),
		"-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
		"-no-reboot",
		"-kernel", k.Vmlinuz(), "-initrd", initrd,
		// Under TCG on a busy host the vCPUs can stall for many seconds
		// while guest time runs on, so the soft lockup and RCU stall
		// detectors would fire (and panic) without anything being wrong;
		// they are off, and a guest that truly hangs ends at the timeout.
		// A real panic still ends qemu at once (-no-reboot).
		"-append", "console=ttyS0 quiet panic=-1 nowatchdog nosoftlockup rcupdate.rcu_cpu_stall_suppress=1 mitigations=off",
		"-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
		"-virtfs", "local,path=" + share + ",mount_tag=results,security_model=none",
	}
}

// commandScript returns the shell script the guest runs in the chroot: it
// enters dir and execs args with exactly env.
func commandScript(dir string, env, args []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "cd %s || exit 125\nexec /usr/bin/env -i", shellQuote(dir))
	for _, kv := range env {
		b.WriteString(" " + shellQuote(kv))
	}
	for _, a := range args {
		b.WriteString(" " + shellQuote(a))
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
