package spec

// MaxCapture caps compiler.Options.Capture: the packet bytes a record may carry.
const MaxCapture = 256

// Capture says where a trace record carries the packet behind its skb
// (compiler.Options.Capture). At Offset in the payload:
//
//	+0  u32 the packet's length from its first header (skb->len plus the
//	        bytes between that header and skb->data)
//	+4  u32 how many bytes follow at +16 (at most Snap)
//	+8  u16 the first header's offset from skb->head
//	+10 u8  CaptureEthernet or CaptureIP: what the first header is
//	+16 the bytes
//
// The record is the packet from skb->head + skb->mac_header, or from the
// network header when the skb has no mac header (mac_header == 0xffff).
// Only the linear part of the skb is read.
type Capture struct {
	Offset int
	Snap   int
}

// What a captured packet starts with.
const (
	CaptureIP       = 0 // the network header (IPv4 or IPv6)
	CaptureEthernet = 1 // an Ethernet header
)
