package difftest

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// childEnv names the environment variable that makes this test binary a
// trigger child: its value is the trigger, as in a case's "trigger:" line.
const childEnv = "DIFFTEST_CHILD"

// childComm is the name the child gives the thread that runs the trigger,
// so programs may key maps by comm.
const childComm = "difftrig"

// A trigger does a bounded, deterministic amount of kernel work in the
// child. Its arguments are integers from the case's "trigger:" line.
type trigger struct {
	nargs int
	run   func(a []int) error
}

// triggers are the child's possible jobs. Each uses raw system calls so
// that the syscalls a program sees are exactly the ones written here.
var triggers = map[string]trigger{
	// none: nothing; the child only waits for the go byte and exits.
	"none": {0, func([]int) error { return nil }},
	// getpid N: N getpid calls.
	"getpid": {1, func(a []int) error {
		for i := 0; i < a[0]; i++ {
			syscall.Getpid()
		}
		return nil
	}},
	// write N SIZE: N writes of SIZE bytes to /dev/null.
	"write": {2, func(a []int) error {
		fd, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		buf := make([]byte, a[1])
		for i := 0; i < a[0]; i++ {
			if _, err := unix.Write(fd, buf); err != nil {
				return err
			}
		}
		return nil
	}},
	// writeseq N: N writes to /dev/null of sizes 1, 2, ... N bytes.
	"writeseq": {1, func(a []int) error {
		fd, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		buf := make([]byte, a[0])
		for i := 1; i <= a[0]; i++ {
			if _, err := unix.Write(fd, buf[:i]); err != nil {
				return err
			}
		}
		return nil
	}},
	// open N: N failing opens of /nonexistent/difftest.
	"open": {1, func(a []int) error {
		for i := 0; i < a[0]; i++ {
			if fd, err := unix.Open("/nonexistent/difftest", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
				unix.Close(fd)
			}
		}
		return nil
	}},
	// udp N SIZE: N datagrams of SIZE bytes from one loopback socket to
	// another, each received.
	"udp": {2, func(a []int) error { return udpLoop(a[0], a[1], true) }},
	// udpclosed N SIZE: N datagrams of SIZE bytes to a loopback port
	// nobody listens on (the kernel drops them and answers ICMP).
	"udpclosed": {2, func(a []int) error { return udpLoop(a[0], a[1], false) }},
	// fault N: N page faults, touching N fresh anonymous pages.
	"fault": {1, func(a []int) error {
		size := a[0] * os.Getpagesize()
		m, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
		if err != nil {
			return err
		}
		defer unix.Munmap(m)
		for i := 0; i < size; i += os.Getpagesize() {
			m[i] = 1
		}
		return nil
	}},
	// exec N: N fork+exec of /bin/true, each waited for.
	"exec": {1, func(a []int) error {
		for i := 0; i < a[0]; i++ {
			pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
			if err != nil {
				return err
			}
			var ws syscall.WaitStatus
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
				return err
			}
		}
		return nil
	}},
}

// udpLoop sends n datagrams of size bytes over 127.0.0.1. With listen set
// the receiver is bound and reads each one; otherwise the receiver's port
// is closed before sending so every datagram is dropped.
func udpLoop(n, size int, listen bool) error {
	rx, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(rx)
	if err := unix.Bind(rx, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	sa, err := unix.Getsockname(rx)
	if err != nil {
		return err
	}
	if !listen {
		unix.Close(rx)
		rx = -1
	}
	tx, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(tx)
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = 'a' + byte(i%26)
	}
	rbuf := make([]byte, size+1)
	for i := 0; i < n; i++ {
		if err := unix.Sendto(tx, buf, 0, sa); err != nil && listen {
			return err
		}
		if listen {
			if _, _, err := unix.Recvfrom(rx, rbuf, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// runChild is the child's whole life: rename the trigger thread, wait for
// the parent's go byte on stdin, run the trigger and exit (exit_group,
// which most programs use as their end).
func runChild(spec string) {
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafePtr(childComm)), 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "difftest child: prctl:", err)
	}
	steps, err := parseTrigger(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "difftest child:", err)
		os.Exit(2)
	}
	var b [1]byte
	if n, _ := unix.Read(0, b[:]); n != 1 {
		os.Exit(3) // the parent gave up before starting us
	}
	for _, st := range steps {
		if err := st.run(st.args); err != nil {
			fmt.Fprintln(os.Stderr, "difftest child:", err)
			os.Exit(1)
		}
	}
	os.Exit(0)
}

// A step is one trigger with its arguments.
type step struct {
	trigger
	args []int
}

// parseTrigger parses a "trigger:" value: triggers with their integer
// arguments, separated by ";" and run in order.
func parseTrigger(spec string) ([]step, error) {
	var steps []step
	for _, part := range strings.Split(spec, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		tr, ok := triggers[f[0]]
		if !ok {
			return nil, fmt.Errorf("unknown trigger %q", f[0])
		}
		if len(f)-1 != tr.nargs {
			return nil, fmt.Errorf("trigger %q wants %d arguments", f[0], tr.nargs)
		}
		st := step{tr, make([]int, tr.nargs)}
		for i := range st.args {
			v, err := strconv.Atoi(f[i+1])
			if err != nil {
				return nil, fmt.Errorf("trigger %q: %v", part, err)
			}
			st.args[i] = v
		}
		steps = append(steps, st)
	}
	return steps, nil
}
