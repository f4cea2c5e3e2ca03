package netfix

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// NewDelayedPair returns two namespaces, A (192.0.2.1/24) and B
// (192.0.2.2/24), whose packets from A to B are held for delay, as `tc
// qdisc add dev DEV root netem delay` on A's side holds them. Where the
// kernel has sch_netem (the 6.1 VM) that is what it does, on a veth
// pair. Where it has not (this host's 6.18 is built without it), A and B
// each get a TUN device and the test process copies the IP packets
// between the two, holding those from A to B: a delay line in user
// space, which adds its own copying to the round trip. Either way the
// kernels' TCP stacks see a real round trip of at least delay. The line
// stops when the test ends.
func NewDelayedPair(t testing.TB, delay time.Duration) *Pair {
	t.Helper()
	if hasNetem() {
		p := NewPair(t)
		p.A.Tc(t, "qdisc", "add", "dev", p.DevA, "root", "netem", "delay", fmt.Sprintf("%dus", delay.Microseconds()))
		return p
	}
	nss := newNamespaces(t, 2)
	p := &Pair{A: nss[0], B: nss[1], AddrA: netip.MustParseAddr("192.0.2.1"), AddrB: netip.MustParseAddr("192.0.2.2")}
	p.DevA, p.DevB = uniqueName("a"), uniqueName("b")
	tunA := openTun(t, p.A, p.DevA, netip.PrefixFrom(p.AddrA, 24))
	tunB := openTun(t, p.B, p.DevB, netip.PrefixFrom(p.AddrB, 24))
	var wg sync.WaitGroup
	wg.Go(func() { copyPackets(tunA, tunB, delay) })
	wg.Go(func() { copyPackets(tunB, tunA, 0) })
	t.Cleanup(func() {
		tunA.Close()
		tunB.Close()
		wg.Wait()
	})
	return p
}

// hasNetem reports whether the kernel has the netem qdisc, built in or
// loaded (the VM loads its modules at boot; nothing here loads one).
func hasNetem() bool {
	_, err := os.Stat("/sys/module/sch_netem")
	return err == nil
}

// openTun creates TUN device dev (IP packets, no packet-info header) in
// the namespace, gives it addr, brings it up and returns its file.
func openTun(t testing.TB, ns *NS, dev string, addr netip.Prefix) *os.File {
	t.Helper()
	var f *os.File
	err := ns.Do(func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(dev)
		if err != nil {
			unix.Close(fd)
			return err
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TUNSETIFF, uintptr(unsafe.Pointer(ifr))); errno != 0 {
			unix.Close(fd)
			return fmt.Errorf("TUNSETIFF %s: %w", dev, errno)
		}
		// A non-blocking descriptor goes to Go's poller, so Close ends a
		// pending Read.
		f = os.NewFile(uintptr(fd), dev)
		if err := setAddr(dev, addr); err != nil {
			return err
		}
		if err := setUp(dev); err != nil {
			return err
		}
		return waitRunning(dev, 5*time.Second)
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		t.Fatalf("tun %s in %s: %v", dev, ns.Name, err)
	}
	return f
}

// heldPacket is a packet on the delay line and when it leaves it.
type heldPacket struct {
	data []byte
	due  time.Time
}

// copyPackets copies packets read from in to out, each delay after it
// was read, until either file is closed. A packet the line has no room
// for (1024 in flight) is dropped, as a full queue would.
func copyPackets(in, out *os.File, delay time.Duration) {
	line := make(chan heldPacket, 1024)
	var wg sync.WaitGroup
	wg.Go(func() {
		for p := range line {
			time.Sleep(time.Until(p.due))
			if _, err := out.Write(p.data); errors.Is(err, os.ErrClosed) {
				return
			}
		}
	})
	buf := make([]byte, 65536)
	for {
		n, err := in.Read(buf)
		if err != nil {
			break
		}
		select {
		case line <- heldPacket{data: append([]byte(nil), buf[:n]...), due: time.Now().Add(delay)}:
		default:
		}
	}
	close(line)
	wg.Wait()
}
