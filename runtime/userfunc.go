package runtime

import (
	"net/netip"

	"github.com/surftrace/surftrace/runtime/netobj"
	"github.com/surftrace/surftrace/runtime/render"
	"github.com/surftrace/surftrace/spec"
)

// userFunc computes a user-space function (qdisc(), sysctl(), nftrule(),
// tcfilter(), xdp(), softnet()) from the arguments its record carries,
// when the record prints.
func userFunc(b []byte, f *spec.Field) string {
	args := make([][]byte, len(f.Elems))
	for i, e := range f.Elems {
		args[i] = fieldOf(b, e)
	}
	n := func(i int) uint64 { return render.Uint(args[i]) }
	switch f.Render {
	case spec.RenderQdisc:
		return netobj.Qdisc(n(0), int(n(1)))
	case spec.RenderSysctl:
		return netobj.Sysctl(n(0), int(n(1)), render.CString(args[2]))
	case spec.RenderTcFilter:
		return netobj.TcFilter(n(0), int(n(1)), render.CString(args[2]))
	case spec.RenderXdp:
		return netobj.Xdp(n(0), int(n(1)))
	case spec.RenderSoftnet:
		return netobj.Softnet(int(n(0)))
	case spec.RenderNftRule:
		return netobj.NftRule(n(0), netobj.Packet{L4: uint8(n(1)), Src: addr(args[2]), Dst: addr(args[3]),
			Sport: uint16(n(4)), Dport: uint16(n(5))})
	}
	return ""
}

// addr is an address argument: 16 bytes of an IPv6 address, or an IPv4
// address as the packet holds it, in network order, read into a
// host-order integer.
func addr(b []byte) netip.Addr {
	if len(b) == 16 {
		return netip.AddrFrom16([16]byte(b))
	}
	var a [4]byte
	n := render.Uint(b)
	for i := range 4 {
		a[i] = byte(n >> (8 * i))
	}
	return netip.AddrFrom4(a)
}
