package pcapfilter

import (
	"net/netip"

	"github.com/surftrace/surftrace/lang"
)

// Expr is a filter: And, Or, Not, Prim or Rel.
type Expr interface{ Extent() lang.Span }

// And is X and Y.
type And struct {
	lang.Span
	X, Y Expr
}

// Or is X or Y.
type Or struct {
	lang.Span
	X, Y Expr
}

// Not is not X.
type Not struct {
	lang.Span
	X Expr
}

// Prim is one primitive with its qualifiers, after the implicit ones
// were filled in: `src host 192.0.2.1`, `tcp port 80`, `vlan 5`, `ip6`.
type Prim struct {
	lang.Span
	// Proto is the protocol qualifier: "", ip, ip6, arp, tcp, udp, sctp,
	// icmp, icmp6, vlan.
	Proto string
	// Dir is "", "src", "dst", "src or dst" or "src and dst".
	Dir string
	// Kind is "" (the protocol alone), host, net, port, portrange,
	// proto, vlan, less or greater.
	Kind string
	// Net is the address of host (full length) and net.
	Net netip.Prefix
	// Lo and Hi are the port or port range, the protocol number of
	// proto, the VLAN id of vlan (Lo < 0: any), the length of less and
	// greater.
	Lo, Hi int
}

// Rel compares two arithmetic expressions: `tcp[13] & 2 != 0`.
type Rel struct {
	lang.Span
	Op   string // == != < <= > >=
	X, Y Arith
}

// Arith is an arithmetic expression: Num, Len, Load, Bin or Neg.
type Arith interface{ Extent() lang.Span }

// Num is a constant (numbers and names such as tcp-syn).
type Num struct {
	lang.Span
	V uint32
}

// Len is the packet's length, counting a 14-byte Ethernet header before
// the network header as tcpdump counts it on an Ethernet capture.
type Len struct{ lang.Span }

// Load reads Size bytes (1, 2 or 4; big-endian) at Off from the header of
// Proto (ip, ip6, arp, tcp, udp, icmp).
type Load struct {
	lang.Span
	Proto string
	Off   Arith
	Size  int
}

// Bin is X Op Y, with Op one of + - * / % & | ^ << >>.
type Bin struct {
	lang.Span
	Op   string
	X, Y Arith
}

// Neg is -X.
type Neg struct {
	lang.Span
	X Arith
}
