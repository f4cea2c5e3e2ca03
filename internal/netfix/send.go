package netfix

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"
)

// Every sender is bounded twice: it sends at most count packets (or makes
// at most count connections) and stops at the timeout. It returns how
// many it sent, and an error if it sent fewer than count.

// SendUDP sends count datagrams carrying payload from the namespace to dst.
// The socket is unconnected, so ICMP errors from dst do not stop it.
func (ns *NS) SendUDP(dst netip.AddrPort, payload []byte, count int, timeout time.Duration) (int, error) {
	return ns.sendUDP(nil, dst, payload, count, timeout)
}

// sendUDP sends from local (nil: an address the kernel picks).
func (ns *NS) sendUDP(local *net.UDPAddr, dst netip.AddrPort, payload []byte, count int, timeout time.Duration) (int, error) {
	var conn *net.UDPConn
	err := ns.Do(func() (err error) {
		conn, err = net.ListenUDP(network("udp", dst.Addr()), local)
		return err
	})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	deadline := time.Now().Add(timeout)
	conn.SetWriteDeadline(deadline)
	to := net.UDPAddrFromAddrPort(dst)
	sent := 0
	for sent < count && time.Now().Before(deadline) {
		if _, err := conn.WriteToUDP(payload, to); err != nil {
			return sent, fmt.Errorf("udp from %v to %v after %d datagrams: %w", conn.LocalAddr(), dst, sent, err)
		}
		sent++
	}
	return sent, short("udp datagrams", sent, count)
}

// SendTCP makes count connections from the namespace to dst, each sending
// payload and closing. It returns the number of connections that
// completed.
func (ns *NS) SendTCP(dst netip.AddrPort, payload []byte, count int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	sent := 0
	for sent < count && time.Now().Before(deadline) {
		var conn net.Conn
		err := ns.Do(func() (err error) {
			d := net.Dialer{Deadline: deadline}
			conn, err = d.Dial(network("tcp", dst.Addr()), dst.String())
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("tcp to %v after %d connections: %w", dst, sent, err)
		}
		conn.SetDeadline(deadline)
		_, err = conn.Write(payload)
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return sent, fmt.Errorf("tcp to %v after %d connections: %w", dst, sent, err)
		}
		sent++
	}
	return sent, short("tcp connections", sent, count)
}

// TransferTCP makes one TCP connection from the namespace to dst, sends
// payload, and keeps the connection open for hold before it closes, so
// that the acknowledgements reach a socket still established (a sender
// that closes at once takes them in FIN_WAIT1). It stops at the timeout.
func (ns *NS) TransferTCP(dst netip.AddrPort, payload []byte, hold, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var conn net.Conn
	err := ns.Do(func() (err error) {
		d := net.Dialer{Deadline: deadline}
		conn, err = d.Dial(network("tcp", dst.Addr()), dst.String())
		return err
	})
	if err != nil {
		return fmt.Errorf("tcp to %v: %w", dst, err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	if _, err := conn.Write(payload); err != nil {
		return fmt.Errorf("tcp to %v: %w", dst, err)
	}
	time.Sleep(min(hold, time.Until(deadline)))
	return nil
}

// network is "tcp4" or "tcp6" (proto "tcp"), "udp4" or "udp6", after
// addr's family.
func network(proto string, addr netip.Addr) string {
	if addr.Is4() {
		return proto + "4"
	}
	return proto + "6"
}

// short returns an error if fewer than count were sent (time ran out).
func short(what string, sent, count int) error {
	if sent < count {
		return fmt.Errorf("sent %d of %d %s before the deadline: %w", sent, count, what, os.ErrDeadlineExceeded)
	}
	return nil
}
