// Package pcap writes the packets behind skb events as pcapng, the format
// Wireshark and tshark open: one section header, one interface per link
// type (Ethernet, or raw IP when the skb had no mac header), and one
// enhanced packet block per event with nanosecond timestamps and a comment
// naming the probe and where it fired.
//
// Use it as runtime.Output.Packet with a program compiled with
// compiler.Options.Capture set:
//
//	w, err := pcap.Create("out.pcapng", spec.MaxCapture)
//	out.Packet = w.Packet
//	...
//	err = w.Close()
package pcap

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"

	"github.com/surftrace/surftrace/runtime"
)

// Block types and options (draft-ietf-opsawg-pcapng).
const (
	blockSHB = 0x0A0D0D0A
	blockIDB = 0x00000001
	blockEPB = 0x00000006

	optEnd       = 0
	optComment   = 1
	optUserAppl  = 4 // shb_userappl
	optTSResol   = 9 // if_tsresol
	byteOrderMag = 0x1A2B3C4D

	// LinkEthernet and LinkRaw are the link types of the two interfaces.
	LinkEthernet = 1
	LinkRaw      = 101 // raw IPv4 or IPv6, told apart by the version nibble
)

// Writer writes one pcapng section. Packet records the first error it
// meets; Close returns it.
type Writer struct {
	w      *bufio.Writer
	c      io.Closer
	snap   int
	ifaces map[uint16]uint32 // link type to interface id
	err    error
}

// Create makes file path and writes its section header. snap is the
// largest packet length recorded (the capture's snap length).
func Create(path string, snap int) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, snap)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.c = f
	return w, nil
}

// NewWriter writes a section header to out and returns a Writer for it.
func NewWriter(out io.Writer, snap int) (*Writer, error) {
	w := &Writer{w: bufio.NewWriter(out), snap: snap, ifaces: map[uint16]uint32{}}
	var body []byte
	body = binary.LittleEndian.AppendUint32(body, byteOrderMag)
	body = binary.LittleEndian.AppendUint16(body, 1) // major
	body = binary.LittleEndian.AppendUint16(body, 0) // minor
	body = binary.LittleEndian.AppendUint64(body, ^uint64(0))
	body = option(body, optUserAppl, []byte("surftrace"))
	body = option(body, optEnd, nil)
	w.block(blockSHB, body)
	return w, w.err
}

// Packet writes one packet; its signature fits runtime.Output.Packet.
func (w *Writer) Packet(p runtime.Packet) {
	link := uint16(LinkRaw)
	if p.Ethernet {
		link = LinkEthernet
	}
	id := w.iface(link)
	ts := uint64(p.Time.UnixNano())
	var body []byte
	body = binary.LittleEndian.AppendUint32(body, id)
	body = binary.LittleEndian.AppendUint32(body, uint32(ts>>32))
	body = binary.LittleEndian.AppendUint32(body, uint32(ts))
	body = binary.LittleEndian.AppendUint32(body, uint32(len(p.Data)))
	body = binary.LittleEndian.AppendUint32(body, uint32(max(p.Length, len(p.Data))))
	body = append(body, pad(p.Data)...)
	if c := Comment(p); c != "" {
		body = option(body, optComment, []byte(c))
		body = option(body, optEnd, nil)
	}
	w.block(blockEPB, body)
}

// Comment is the packet comment naming where p was seen: the probe's
// name and its target, e.g. "p0 net:netif_receive_skb".
func Comment(p runtime.Packet) string {
	if p.Probe == nil {
		return ""
	}
	if p.Probe.Target == "" || p.Probe.Target == p.Probe.Name {
		return p.Probe.Name
	}
	return p.Probe.Name + " " + p.Probe.Target
}

// iface returns the id of the interface of link type link, describing it
// first when it is new.
func (w *Writer) iface(link uint16) uint32 {
	if id, ok := w.ifaces[link]; ok {
		return id
	}
	id := uint32(len(w.ifaces))
	w.ifaces[link] = id
	var body []byte
	body = binary.LittleEndian.AppendUint16(body, link)
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = binary.LittleEndian.AppendUint32(body, uint32(w.snap))
	body = option(body, optTSResol, []byte{9}) // nanoseconds
	body = option(body, optEnd, nil)
	w.block(blockIDB, body)
	return id
}

// Close flushes what is buffered, closes the file Create made, and
// returns the first error met while writing.
func (w *Writer) Close() error {
	if err := w.w.Flush(); err != nil && w.err == nil {
		w.err = err
	}
	if w.c != nil {
		if err := w.c.Close(); err != nil && w.err == nil {
			w.err = err
		}
		w.c = nil
	}
	return w.err
}

// block writes type, total length, body (a multiple of 4 bytes) and the
// total length again.
func (w *Writer) block(typ uint32, body []byte) {
	if w.err != nil {
		return
	}
	total := uint32(12 + len(body))
	b := binary.LittleEndian.AppendUint32(nil, typ)
	b = binary.LittleEndian.AppendUint32(b, total)
	b = append(b, body...)
	b = binary.LittleEndian.AppendUint32(b, total)
	_, w.err = w.w.Write(b)
}

// option appends one option: code, length, value padded to 4 bytes.
func option(b []byte, code uint16, v []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
	return append(b, pad(v)...)
}

// pad returns v followed by zeros up to a multiple of 4 bytes.
func pad(v []byte) []byte {
	n := (len(v) + 3) &^ 3
	return append(append([]byte(nil), v...), make([]byte, n-len(v))...)
}
