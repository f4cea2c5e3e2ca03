package compiler

import (
	"encoding/binary"
	"net/netip"
	"os"
)

// The packets of the pcap-filter differential test, built byte by byte:
// Ethernet frames with IPv4 (with and without options, fragments), IPv6
// (with a fragment header), TCP with various flags and ports, UDP, SCTP,
// ICMP, ICMPv6, ARP, GRE and VLAN tags.

func ether(etype uint16, payload []byte) []byte {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, byte(etype >> 8), byte(etype)}
	return append(b, payload...)
}

func vlanFrame(id, etype uint16, payload []byte) []byte {
	tag := []byte{byte(id >> 8), byte(id), byte(etype >> 8), byte(etype)}
	return ether(0x8100, append(tag, payload...))
}

func addr(s string) []byte { return netip.MustParseAddr(s).AsSlice() }

// ipv4 builds an IPv4 packet with optsWords 32-bit words of NOP options
// and the fragment field frag (flags<<13 | offset in 8-byte units).
func ipv4(src, dst string, proto byte, payload []byte, optsWords int, frag uint16) []byte {
	ihl := 5 + optsWords
	h := make([]byte, 4*ihl)
	h[0] = 0x40 | byte(ihl)
	binary.BigEndian.PutUint16(h[2:], uint16(len(h)+len(payload)))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	binary.BigEndian.PutUint16(h[6:], frag)
	h[8], h[9] = 64, proto
	copy(h[12:], addr(src))
	copy(h[16:], addr(dst))
	for i := 20; i < len(h); i++ {
		h[i] = 1 // NOP
	}
	return ether(0x0800, append(h, payload...))
}

func ipv6(src, dst string, nh byte, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = nh, 64
	copy(h[8:], addr(src))
	copy(h[24:], addr(dst))
	return ether(0x86dd, append(h, payload...))
}

// frag6 is an IPv6 fragment header followed by payload.
func frag6(nh byte, off uint16, payload []byte) []byte {
	h := []byte{nh, 0, byte(off >> 5), byte(off<<3) | 1, 0, 0, 0, 7}
	return append(h, payload...)
}

func tcpSeg(sport, dport uint16, flags byte, payload string) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint32(h[4:], 1000)
	h[12], h[13] = 5<<4, flags
	binary.BigEndian.PutUint16(h[14:], 65535)
	return append(h, payload...)
}

func udpDgram(sport, dport uint16, payload string) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return append(h, payload...)
}

func sctpCommon(sport, dport uint16) []byte {
	h := make([]byte, 12)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	return h
}

func icmpMsg(typ, code byte) []byte { return []byte{typ, code, 0, 0, 0, 1, 0, 1} }

func arpPkt(op uint16, spa, tpa string) []byte {
	b := []byte{0, 1, 8, 0, 6, 4, 0, byte(op), 2, 0, 0, 0, 0, 1}
	b = append(b, addr(spa)...)
	b = append(b, 0, 0, 0, 0, 0, 0)
	return ether(0x0806, append(b, addr(tpa)...))
}

func arpBody(op uint16, spa, tpa string) []byte { return arpPkt(op, spa, tpa)[14:] }

func ipv4Body(src, dst string, proto byte, payload []byte) []byte {
	return ipv4(src, dst, proto, payload, 0, 0)[14:]
}

func ipv6Body(src, dst string, nh byte, payload []byte) []byte {
	return ipv6(src, dst, nh, payload)[14:]
}

// TCP flags.
const (
	fin = 0x01
	syn = 0x02
	rst = 0x04
	psh = 0x08
	ack = 0x10
	urg = 0x20
	ece = 0x40
	cwr = 0x80
)

// pcapCorpus is the packets, in file order.
func pcapCorpus() [][]byte {
	big := string(make([]byte, 1200))
	// A later fragment whose data would read as ports 53 and 53.
	fragData := []byte{0, 53, 0, 53, 0, 8, 0, 0, 0x12, 0x34}
	return [][]byte{
		ipv4("192.0.2.1", "192.0.2.2", 6, tcpSeg(40000, 80, syn, ""), 0, 0),
		ipv4("192.0.2.2", "192.0.2.1", 6, tcpSeg(80, 40000, syn|ack, ""), 0, 0x4000),
		ipv4("192.0.2.1", "192.0.2.2", 6, tcpSeg(40000, 80, ack|psh, "GET / HTTP/1.0\r\n\r\n"), 0, 0x4000),
		ipv4("192.0.2.1", "192.0.2.2", 6, tcpSeg(40001, 443, fin|ack, ""), 0, 0),
		ipv4("192.0.2.2", "198.51.100.7", 6, tcpSeg(22, 5555, rst, ""), 0, 0),
		ipv4("192.0.2.1", "192.0.2.2", 6, tcpSeg(1234, 80, syn, ""), 1, 0),
		ipv4("203.0.113.9", "192.0.2.1", 6, tcpSeg(8080, 1500, psh|ack, "data"), 3, 0),
		ipv4("192.0.2.1", "192.0.2.2", 17, udpDgram(5353, 53, "query"), 0, 0),
		ipv4("192.0.2.2", "192.0.2.1", 17, udpDgram(53, 5353, "answer"), 0, 0),
		ipv4("198.51.100.1", "203.0.113.5", 17, udpDgram(1024, 2048, "x"), 0, 0),
		ipv4("192.0.2.3", "192.0.2.4", 17, udpDgram(9, 7, "echo"), 2, 0),
		ipv4("192.0.2.1", "192.0.2.2", 1, icmpMsg(8, 0), 0, 0),
		ipv4("192.0.2.2", "192.0.2.1", 1, icmpMsg(0, 0), 0, 0),
		ipv4("198.51.100.1", "192.0.2.1", 1, icmpMsg(3, 3), 0, 0),
		ipv4("192.0.2.1", "192.0.2.2", 17, udpDgram(4000, 53, "first fragment"), 0, 0x2000),
		ipv4("192.0.2.1", "192.0.2.2", 17, fragData, 0, 185),
		ipv4("192.0.2.1", "192.0.2.2", 6, append([]byte{0, 80, 0, 80}, make([]byte, 16)...), 0, 100),
		ipv6("2001:db8::1", "2001:db8::2", 6, tcpSeg(40000, 80, syn, "")),
		ipv6("2001:db8::2", "2001:db8::1", 6, tcpSeg(80, 40000, syn|ack, "")),
		ipv6("2001:db8:1::5", "2001:db8::1", 17, udpDgram(53, 33000, "answer6")),
		ipv6("2001:db8::1", "2001:db8::2", 58, icmpMsg(128, 0)),
		ipv6("fe80::1", "ff02::1:ff00:2", 58, icmpMsg(135, 0)),
		ipv6("2001:db8::1", "2001:db8::2", 44, frag6(6, 0, tcpSeg(40002, 80, syn, ""))),
		ipv6("2001:db8::1", "2001:db8::3", 44, frag6(17, 0, udpDgram(5000, 53, "q6"))),
		arpPkt(1, "192.0.2.1", "192.0.2.2"),
		arpPkt(2, "192.0.2.2", "192.0.2.1"),
		vlanFrame(5, 0x0800, ipv4Body("192.0.2.1", "192.0.2.2", 6, tcpSeg(40003, 80, syn, ""))),
		vlanFrame(7, 0x0800, ipv4Body("192.0.2.1", "192.0.2.2", 17, udpDgram(53, 1053, "v"))),
		vlanFrame(5, 0x86dd, ipv6Body("2001:db8::1", "2001:db8::2", 17, udpDgram(1000, 53, "v6"))),
		vlanFrame(5, 0x0806, arpBody(1, "192.0.2.1", "192.0.2.9")),
		ipv4("192.0.2.1", "192.0.2.2", 6, tcpSeg(40000, 80, ack, big), 0, 0x4000),
		ipv4("192.0.2.1", "192.0.2.2", 47, []byte{0, 0, 0x08, 0}, 0, 0),
		ipv4("192.0.2.1", "192.0.2.2", 132, sctpCommon(3868, 3868), 0, 0),
		ipv4("192.0.2.5", "192.0.2.6", 6, tcpSeg(1999, 2000, ece|cwr|urg|ack, ""), 0, 0),
		ether(0x88cc, []byte{2, 7, 4, 2, 0, 0, 0, 0, 0, 1, 0, 0}),
		ipv4("192.0.2.1", "192.0.2.2", 6, tcpSeg(40010, 53, syn, ""), 0, 0),
		ipv4("192.0.2.1", "192.0.2.1", 17, udpDgram(7, 7, "self"), 0, 0),
	}
}

// pcapEpoch is the time stamp, in seconds, of the first packet.
const pcapEpoch = 1700000000

// writePcap writes frames as a classic pcap file of Ethernet frames.
func writePcap(path string, frames [][]byte) error {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(b[4:], 2)
	binary.LittleEndian.PutUint16(b[6:], 4)
	binary.LittleEndian.PutUint32(b[16:], 65535)
	binary.LittleEndian.PutUint32(b[20:], 1) // LINKTYPE_ETHERNET
	for i, f := range frames {
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[0:], uint32(pcapEpoch+i))
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(f)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(f)))
		b = append(append(b, rec...), f...)
	}
	return os.WriteFile(path, b, 0o644)
}
