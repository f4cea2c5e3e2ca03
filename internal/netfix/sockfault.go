package netfix

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Sockets that fail on purpose: one whose receive queue fills because
// nobody reads it, and a listener whose accept queue fills because
// nobody accepts.

// sockaddr is addr as a unix.Sockaddr and its address family.
func sockaddr(addr netip.AddrPort) (unix.Sockaddr, int) {
	if addr.Addr().Is4() {
		return &unix.SockaddrInet4{Addr: addr.Addr().As4(), Port: int(addr.Port())}, unix.AF_INET
	}
	return &unix.SockaddrInet6{Addr: addr.Addr().As16(), Port: int(addr.Port())}, unix.AF_INET6
}

// socketAt opens a socket of type typ bound to addr in the namespace, with
// SO_RCVBUF set first when rcvbuf > 0, and closes it when the test ends.
func (ns *NS) socketAt(t testing.TB, typ int, addr netip.AddrPort, rcvbuf int) int {
	t.Helper()
	sa, family := sockaddr(addr)
	fd := -1
	err := ns.Do(func() (err error) {
		if fd, err = unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		if rcvbuf > 0 {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvbuf); err != nil {
				return err
			}
		}
		return unix.Bind(fd, sa)
	})
	if fd >= 0 {
		t.Cleanup(func() { unix.Close(fd) })
	}
	if err != nil {
		t.Fatalf("socket on %v in %q: %v", addr, ns.Name, err)
	}
	return fd
}

// UnreadUDP opens a UDP socket on addr in the namespace with a receive
// buffer of rcvbuf bytes (SO_RCVBUF; the kernel doubles it and keeps a
// minimum) that nothing ever reads, so datagrams sent to it beyond that
// are dropped: the kernel's SOCKET_RCVBUFF.
func (ns *NS) UnreadUDP(t testing.TB, addr netip.AddrPort, rcvbuf int) {
	t.Helper()
	ns.socketAt(t, unix.SOCK_DGRAM, addr, rcvbuf)
}

// UnacceptedTCP opens a TCP listener on addr in the namespace with the
// given backlog that never accepts: once its accept queue holds backlog+1
// connections, the kernel refuses further handshakes (a listen overflow).
func (ns *NS) UnacceptedTCP(t testing.TB, addr netip.AddrPort, backlog int) {
	t.Helper()
	fd := ns.socketAt(t, unix.SOCK_STREAM, addr, 0)
	if err := unix.Listen(fd, backlog); err != nil {
		t.Fatalf("listen on %v: %v", addr, err)
	}
}

// ConnectBurst starts count TCP connections from the namespace to dst at
// once, without waiting for one before the next (non-blocking connects),
// holds them open for hold and closes them. It returns how many had
// completed their handshake, as the client sees it, by then.
func (ns *NS) ConnectBurst(dst netip.AddrPort, count int, hold time.Duration) (int, error) {
	sa, family := sockaddr(dst)
	fds := make([]int, 0, count)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	err := ns.Do(func() error {
		for range count {
			fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
			if err != nil {
				return err
			}
			fds = append(fds, fd)
			if err := unix.Connect(fd, sa); err != nil && !errors.Is(err, unix.EINPROGRESS) {
				return fmt.Errorf("connect to %v: %w", dst, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	time.Sleep(hold)
	done := 0
	for _, fd := range fds {
		if _, err := unix.Getpeername(fd); err == nil {
			done++
		}
	}
	return done, nil
}

// SendBadChecksumUDP sends count UDP datagrams carrying payload from src
// (an IPv4 address of the namespace) to dst through a raw socket, each
// with a checksum that is wrong (the right one plus one, never 0, which
// would mean "none"), so the receiver drops them: the kernel's UDP_CSUM.
func (ns *NS) SendBadChecksumUDP(src netip.Addr, dst netip.AddrPort, payload []byte, count int) (int, error) {
	if !src.Is4() || !dst.Addr().Is4() {
		return 0, fmt.Errorf("SendBadChecksumUDP: %v > %v: IPv4 only", src, dst)
	}
	dgram := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(dgram[0:], 40000)
	binary.BigEndian.PutUint16(dgram[2:], dst.Port())
	binary.BigEndian.PutUint16(dgram[4:], uint16(len(dgram)))
	copy(dgram[8:], payload)
	// The pseudo-header: addresses, protocol, UDP length.
	pseudo := append(append(src.AsSlice(), dst.Addr().AsSlice()...), 0, unix.IPPROTO_UDP, dgram[4], dgram[5])
	bad := checksum(append(pseudo, dgram...)) + 1
	if bad == 0 {
		bad = 1
	}
	binary.BigEndian.PutUint16(dgram[6:], bad)
	sent := 0
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: src.As4()}); err != nil {
			return err
		}
		to := &unix.SockaddrInet4{Addr: dst.Addr().As4()}
		for ; sent < count; sent++ {
			if err := unix.Sendto(fd, dgram, 0, to); err != nil {
				return fmt.Errorf("raw udp to %v: %w", dst, err)
			}
		}
		return nil
	})
	return sent, err
}
