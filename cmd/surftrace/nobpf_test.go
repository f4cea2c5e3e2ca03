package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The test binary doubles as the CLI, for tests that must run surftrace
// as a process of its own: with roleEnv=cli it is surftrace, with
// roleEnv=nobpf it first installs a seccomp filter that makes bpf() fail
// with EPERM, then execs itself as surftrace.
const roleEnv = "SURFTRACE_TEST_ROLE"

// asCLI is called first in TestMain.
func asCLI() {
	switch os.Getenv(roleEnv) {
	case "cli":
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	case "nobpf":
		if err := execWithoutBPF(); err != nil {
			fmt.Fprintln(os.Stderr, "nobpf:", err)
			os.Exit(125)
		}
	}
}

// execWithoutBPF installs the filter on this thread and execs the binary
// again (the new image keeps the filter) as the CLI.
func execWithoutBPF() error {
	if goruntime.GOARCH != "amd64" {
		return fmt.Errorf("the bpf() filter is written for x86_64 only")
	}
	goruntime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	const (
		ldAbsW = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeqK   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		retK   = unix.BPF_RET | unix.BPF_K
	)
	// seccomp_data: nr at 0, arch at 4.
	filter := []unix.SockFilter{
		{Code: ldAbsW, K: 4},
		{Code: jeqK, Jt: 0, Jf: 3, K: unix.AUDIT_ARCH_X86_64},
		{Code: ldAbsW, K: 0},
		{Code: jeqK, Jt: 0, Jf: 1, K: unix.SYS_BPF},
		{Code: retK, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		{Code: retK, K: unix.SECCOMP_RET_ALLOW},
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if _, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); errno != 0 {
		return fmt.Errorf("seccomp: %w", errno)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(filterEnv(os.Environ(), roleEnv), roleEnv+"=cli")
	return unix.Exec(self, os.Args, env)
}

// cliCommand returns a command running this binary as surftrace with args,
// without bpf() when nobpf is set.
func cliCommand(nobpf bool, args ...string) *exec.Cmd {
	self, _ := os.Executable()
	cmd := exec.Command(self, args...)
	role := "cli"
	if nobpf {
		role = "nobpf"
	}
	cmd.Env = append(filterEnv(os.Environ(), roleEnv), roleEnv+"="+role)
	cmd.Args[0] = filepath.Base(self)
	return cmd
}

func filterEnv(env []string, drop string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, drop+"=") {
			out = append(out, kv)
		}
	}
	return out
}
