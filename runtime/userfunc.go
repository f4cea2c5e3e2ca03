package runtime

import (
	"net/netip"

	"github.com/surftrace/surftrace/runtime/netobj"
	"github.com/surftrace/surftrace/runtime/render"
	"github.com/surftrace/surftrace/spec"
)

// userFunc computes a user-space function (qdisc(), sysctl(), nftrule())
// from the arguments its record carries, when the record prints.
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
	case spec.RenderNftRule:
		// Addresses are as the packet holds them, in network order, read
		// into a host-order integer.
		var src, dst [4]byte
		for i := range 4 {
			src[i], dst[i] = byte(n(2)>>(8*i)), byte(n(3)>>(8*i))
		}
		return netobj.NftRule(n(0), netobj.Packet{L4: uint8(n(1)), Src: netip.AddrFrom4(src), Dst: netip.AddrFrom4(dst),
			Sport: uint16(n(4)), Dport: uint16(n(5))})
	}
	return ""
}
