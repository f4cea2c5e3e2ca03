// Package netobj reads, from user space, the network objects that the
// script functions qdisc(), sysctl(), nftrule(), tcfilter(), xdp() and
// softnet() name: a device's qdisc tree with its counters (rtnetlink,
// github.com/vishvananda/netlink), a sysctl of a network namespace, the
// nftables rules of a namespace that match a packet
// (github.com/google/nftables), a device's tc filters and XDP program,
// and a CPU's softnet counters. A namespace is named by its inode, as the
// kernel's net->ns.inum and `readlink /proc/PID/ns/net` show it, and
// found among the names under /run/netns and the namespaces of running
// processes.
//
// Each function returns text for a printout, with the error in it when
// the object cannot be read (the namespace is gone, no permission): a
// diagnostic line is still worth printing.
package netobj

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/vishvananda/netns"
)

// nsPath finds a path that opens the network namespace of inode.
func nsPath(inode uint64) (string, error) {
	var candidates []string
	named, _ := filepath.Glob("/run/netns/*")
	candidates = append(candidates, named...)
	candidates = append(candidates, "/proc/self/ns/net")
	procs, _ := filepath.Glob("/proc/[0-9]*/ns/net")
	candidates = append(candidates, procs...)
	for _, p := range candidates {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err == nil && st.Ino == inode {
			return p, nil
		}
	}
	return "", fmt.Errorf("no process or /run/netns name holds network namespace %d", inode)
}

// in runs fn on an OS thread inside the network namespace of inode and
// returns the thread to the process's own namespace afterwards.
func in(inode uint64, fn func() error) error {
	path, err := nsPath(inode)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		target, err := netns.GetFromPath(path)
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			errc <- fmt.Errorf("enter network namespace %d: %w", inode, err)
			return
		}
		err = fn()
		if rerr := netns.Set(orig); rerr != nil {
			// The thread stays locked and dies with this goroutine.
			errc <- err
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}

// Sysctl reads a sysctl of the network namespace, key in dotted form with
// DEV standing for the name of device ifindex there
// ("net.ipv4.conf.DEV.rp_filter"). For a per-device key under
// net.ipv4.conf it also gives the value for "all", which the kernel
// combines with the device's (the larger wins for rp_filter). A
// net.core key the namespace lacks is system-wide on that kernel, and is
// read in surftrace's own namespace.
func Sysctl(inode uint64, ifindex int, key string) string {
	var out, k string
	global := false
	err := in(inode, func() error {
		dev, err := devName(ifindex)
		if err != nil {
			return err
		}
		k = replaceDev(key, dev)
		v, err := readSysctl(k)
		if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(k, "net.core.") {
			global = true
			return nil
		}
		if err != nil {
			return err
		}
		out = k + "=" + v
		if all := replaceDev(key, "all"); all != key && all != k {
			if av, err := readSysctl(all); err == nil {
				out += " (" + all + "=" + av + ")"
			}
		}
		return nil
	})
	if global {
		// Older kernels (6.1) keep net.core.rmem_max and others for the
		// whole system, in the initial namespace only: read them in
		// surftrace's own.
		var v string
		if v, err = readSysctl(k); err == nil {
			out = k + "=" + v + " (system-wide)"
		}
	}
	if err != nil {
		return fmt.Sprintf("%s: %v", key, err)
	}
	return out
}

// readSysctl reads a dotted sysctl key of the calling thread's namespace.
func readSysctl(key string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc/sys", dotsToSlashes(key)))
	if err != nil {
		return "", err
	}
	return string(trimNL(b)), nil
}
