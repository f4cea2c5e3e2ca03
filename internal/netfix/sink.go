package netfix

import (
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Sink receives traffic in a namespace and counts it: datagrams for UDP,
// connections read to EOF for TCP. It stops when the test ends.
type Sink struct {
	Addr  netip.AddrPort // where it listens; the port is filled in if 0 was asked
	count atomic.Int64
	wg    sync.WaitGroup
}

// Count returns how many datagrams or connections the sink has received.
func (s *Sink) Count() int { return int(s.count.Load()) }

// Wait waits until the sink has received n, or timeout passes, and
// returns the count.
func (s *Sink) Wait(n int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for s.Count() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return s.Count()
}

// ListenUDP starts a UDP sink on addr in the namespace.
func (ns *NS) ListenUDP(t testing.TB, addr netip.AddrPort) *Sink {
	t.Helper()
	var conn *net.UDPConn
	err := ns.Do(func() (err error) {
		conn, err = net.ListenUDP(network("udp", addr.Addr()), net.UDPAddrFromAddrPort(addr))
		return err
	})
	if err != nil {
		t.Fatalf("udp sink on %v: %v", addr, err)
	}
	s := &Sink{Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()}
	s.wg.Go(func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := conn.ReadFromUDP(buf); err != nil {
				return
			}
			s.count.Add(1)
		}
	})
	t.Cleanup(func() { conn.Close(); s.wg.Wait() })
	return s
}

// ListenTCP starts a TCP sink on addr in the namespace; it counts every
// connection it has read to EOF.
func (ns *NS) ListenTCP(t testing.TB, addr netip.AddrPort) *Sink {
	t.Helper()
	var ln *net.TCPListener
	err := ns.Do(func() (err error) {
		ln, err = net.ListenTCP(network("tcp", addr.Addr()), net.TCPAddrFromAddrPort(addr))
		return err
	})
	if err != nil {
		t.Fatalf("tcp sink on %v: %v", addr, err)
	}
	s := &Sink{Addr: ln.Addr().(*net.TCPAddr).AddrPort()}
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.Copy(io.Discard, conn); err == nil {
					s.count.Add(1)
				}
			})
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}
