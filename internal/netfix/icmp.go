package netfix

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"time"
)

var echoID atomic.Uint32

// Ping sends count ICMP echo requests from the namespace to dst, one at a
// time, waiting up to the remaining time for each reply. It returns how
// many requests it sent and how many replies came back. It uses a raw
// socket, so it needs root but no ping binary.
func (ns *NS) Ping(dst netip.Addr, count int, timeout time.Duration) (sent, replies int, err error) {
	var conn net.PacketConn
	err = ns.Do(func() (err error) {
		conn, err = net.ListenPacket("ip4:icmp", "0.0.0.0")
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	deadline := time.Now().Add(timeout)
	conn.SetDeadline(deadline)
	id := uint16(os.Getpid()) ^ uint16(echoID.Add(1)<<10)
	to := &net.IPAddr{IP: dst.AsSlice()}
	buf := make([]byte, 1500)
	for seq := 0; seq < count && time.Now().Before(deadline); seq++ {
		if _, err := conn.WriteTo(echoRequest(id, uint16(seq)), to); err != nil {
			return sent, replies, fmt.Errorf("icmp echo to %v: %w", dst, err)
		}
		sent++
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				break // the deadline passed; report what we have
			}
			if isEchoReply(buf[:n], id, uint16(seq)) {
				replies++
				break
			}
		}
	}
	return sent, replies, short("icmp echo requests", sent, count)
}

// echoRequest builds an ICMP echo request with a 32-byte payload.
func echoRequest(id, seq uint16) []byte { return echoRequestSize(id, seq, 32) }

// echoRequestSize builds an ICMP echo request with size bytes of payload.
func echoRequestSize(id, seq uint16, size int) []byte {
	b := make([]byte, 8+size)
	b[0] = 8 // echo request
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	for i := 8; i < len(b); i += 32 {
		copy(b[i:], "surftrace netfix echo payload...")
	}
	binary.BigEndian.PutUint16(b[2:], checksum(b))
	return b
}

// isEchoReply reports whether b, an ICMP message, is the reply to id/seq.
func isEchoReply(b []byte, id, seq uint16) bool {
	return len(b) >= 8 && b[0] == 0 &&
		binary.BigEndian.Uint16(b[4:]) == id && binary.BigEndian.Uint16(b[6:]) == seq
}

// checksum is the Internet checksum (RFC 1071).
func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
