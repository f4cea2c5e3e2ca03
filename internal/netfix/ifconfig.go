package netfix

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// The helpers here configure interfaces of the calling thread's namespace
// with ioctls, in-process: exec'ing `ip` costs a good part of a second
// per call in the TCG VM.

// ifreq runs fn with an AF_INET datagram socket and an ifreq for dev.
func ifreq(dev string, fn func(fd int, ifr *unix.Ifreq) error) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(dev)
	if err != nil {
		return err
	}
	return fn(fd, ifr)
}

// setUp sets IFF_UP on dev.
func setUp(dev string) error {
	return ifreq(dev, func(fd int, ifr *unix.Ifreq) error {
		if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
			return fmt.Errorf("get flags of %s: %w", dev, err)
		}
		ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
		if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
			return fmt.Errorf("set %s up: %w", dev, err)
		}
		return nil
	})
}

// setAddr gives dev the IPv4 address and prefix length of p.
func setAddr(dev string, p netip.Prefix) error {
	return ifreq(dev, func(fd int, ifr *unix.Ifreq) error {
		addr := p.Addr().As4()
		if err := ifr.SetInet4Addr(addr[:]); err != nil {
			return err
		}
		if err := unix.IoctlIfreq(fd, unix.SIOCSIFADDR, ifr); err != nil {
			return fmt.Errorf("set address %v on %s: %w", p, dev, err)
		}
		mask := net.CIDRMask(p.Bits(), 32)
		if err := ifr.SetInet4Addr(mask); err != nil {
			return err
		}
		if err := unix.IoctlIfreq(fd, unix.SIOCSIFNETMASK, ifr); err != nil {
			return fmt.Errorf("set netmask %v on %s: %w", p, dev, err)
		}
		return nil
	})
}

// waitRunning waits until dev is running (operationally up). The kernel
// turns the carrier on asynchronously (linkwatch, up to a second later
// when links change in quick succession) and drops what is sent before.
// The flag and the qdisc that stops the dropping change together under
// the RTNL lock, which the query also takes.
func waitRunning(dev string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ifi, err := net.InterfaceByName(dev)
		if err != nil {
			return err
		}
		if ifi.Flags&net.FlagRunning != 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not running after %v", dev, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
