package pcap

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime"
)

// TestBlocks checks the block sequence: SHB, then one IDB per link type
// before its first packet, EPBs with the comment, every length consistent.
func TestBlocks(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 128)
	if err != nil {
		t.Fatal(err)
	}
	probe := &spec.Probe{Name: "e0", Target: "net:netif_receive_skb"}
	at := time.Unix(1700000000, 123456789)
	w.Packet(runtime.Packet{Probe: probe, Time: at, Data: make([]byte, 61), Length: 61, Ethernet: true})
	w.Packet(runtime.Packet{Probe: probe, Time: at, Data: make([]byte, 20), Length: 1500})
	w.Packet(runtime.Packet{Probe: probe, Time: at, Data: make([]byte, 3), Length: 3, Ethernet: true})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var types []uint32
	b := buf.Bytes()
	for len(b) > 0 {
		typ, n := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
		if n%4 != 0 || int(n) > len(b) || binary.LittleEndian.Uint32(b[n-4:]) != n {
			t.Fatalf("block %#x: bad length %d", typ, n)
		}
		if typ == blockEPB {
			if !bytes.Contains(b[:n], []byte("e0 net:netif_receive_skb")) {
				t.Errorf("packet block without the comment")
			}
			ts := uint64(binary.LittleEndian.Uint32(b[12:]))<<32 | uint64(binary.LittleEndian.Uint32(b[16:]))
			if ts != uint64(at.UnixNano()) {
				t.Errorf("timestamp %d, want %d", ts, at.UnixNano())
			}
		}
		types = append(types, typ)
		b = b[n:]
	}
	want := []uint32{blockSHB, blockIDB, blockEPB, blockIDB, blockEPB, blockEPB}
	if !equal(types, want) {
		t.Errorf("blocks %#x, want %#x", types, want)
	}
}

func equal(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
