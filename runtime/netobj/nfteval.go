package netobj

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// evalChain runs p through a base chain's rules: drop reports whether the
// first rule with a drop, reject or accept verdict that p matches drops
// it (rule is that rule, nil when none matched); skipped counts the rules
// it could not evaluate. Jumps are not followed.
func evalChain(rules []*nftables.Rule, p Packet) (drop bool, rule *nftables.Rule, skipped int) {
	for _, r := range rules {
		v, ok := evalRule(r, p)
		if !ok {
			skipped++
			continue
		}
		switch v {
		case verdictDrop:
			return true, r, skipped
		case verdictAccept:
			return false, r, skipped
		}
	}
	return false, nil, skipped
}

type verdict int

const (
	verdictNone   verdict = iota // no match, or a match without a final verdict
	verdictDrop                  // drop or reject
	verdictAccept                // accept
)

// evalRule evaluates r's expressions on p; ok is false for an expression
// it does not know.
func evalRule(r *nftables.Rule, p Packet) (verdict, bool) {
	regs := map[uint32][]byte{}
	for _, e := range r.Exprs {
		switch x := e.(type) {
		case *expr.Meta:
			v, ok := meta(x.Key, p)
			if !ok {
				return verdictNone, false
			}
			regs[x.Register] = v
		case *expr.Payload:
			hdr := transportHeader(p)
			if x.Base == expr.PayloadBaseNetworkHeader {
				hdr = networkHeader(p)
			} else if x.Base != expr.PayloadBaseTransportHeader {
				return verdictNone, false
			}
			if int(x.Offset+x.Len) > len(hdr) {
				return verdictNone, false
			}
			regs[x.DestRegister] = hdr[x.Offset : x.Offset+x.Len]
		case *expr.Bitwise:
			src := regs[x.SourceRegister]
			out := make([]byte, len(src))
			for i := range src {
				if i < len(x.Mask) && i < len(x.Xor) {
					out[i] = src[i]&x.Mask[i] ^ x.Xor[i]
				}
			}
			regs[x.DestRegister] = out
		case *expr.Cmp:
			if !compare(x.Op, regs[x.Register], x.Data) {
				return verdictNone, true
			}
		case *expr.Counter, *expr.Log:
		case *expr.Reject:
			return verdictDrop, true
		case *expr.Verdict:
			switch x.Kind {
			case expr.VerdictDrop:
				return verdictDrop, true
			case expr.VerdictAccept:
				return verdictAccept, true
			}
			return verdictNone, true
		default:
			return verdictNone, false
		}
	}
	return verdictNone, true
}

func meta(key expr.MetaKey, p Packet) ([]byte, bool) {
	switch key {
	case expr.MetaKeyL4PROTO:
		return []byte{p.L4}, true
	case expr.MetaKeyNFPROTO:
		if p.Src.Is6() {
			return []byte{unix.NFPROTO_IPV6}, true
		}
		return []byte{unix.NFPROTO_IPV4}, true
	case expr.MetaKeyPROTOCOL:
		if p.Src.Is6() {
			return []byte{0x86, 0xdd}, true
		}
		return []byte{0x08, 0x00}, true
	}
	return nil, false
}

// networkHeader is p's IPv4 header (20 bytes) or IPv6 header (40), with
// the fields nft rules read.
func networkHeader(p Packet) []byte {
	if p.Src.Is6() {
		h := make([]byte, 40)
		h[0], h[6], h[7] = 0x60, p.L4, 64
		src, dst := p.Src.As16(), p.Dst.As16()
		copy(h[8:], src[:])
		copy(h[24:], dst[:])
		return h
	}
	h := make([]byte, 20)
	h[0], h[8], h[9] = 0x45, 64, p.L4
	src, dst := p.Src.As4(), p.Dst.As4()
	copy(h[12:], src[:])
	copy(h[16:], dst[:])
	return h
}

// transportHeader is the start of p's L4 header: the ports, or ICMP type
// and code.
func transportHeader(p Packet) []byte {
	h := make([]byte, 8)
	if p.L4 == unix.IPPROTO_ICMP || p.L4 == unix.IPPROTO_ICMPV6 {
		h[0], h[1] = byte(p.Sport), byte(p.Dport)
		return h
	}
	binary.BigEndian.PutUint16(h, p.Sport)
	binary.BigEndian.PutUint16(h[2:], p.Dport)
	return h
}

func compare(op expr.CmpOp, a, b []byte) bool {
	c := bytes.Compare(a, b)
	switch op {
	case expr.CmpOpEq:
		return c == 0
	case expr.CmpOpNeq:
		return c != 0
	case expr.CmpOpLt:
		return c < 0
	case expr.CmpOpLte:
		return c <= 0
	case expr.CmpOpGt:
		return c > 0
	case expr.CmpOpGte:
		return c >= 0
	}
	return false
}

// ruleText renders a rule's expressions about as nft lists them:
// "meta l4proto 17 th dport 5353 drop".
func ruleText(r *nftables.Rule) string {
	var words []string
	field := ""
	for _, e := range r.Exprs {
		switch x := e.(type) {
		case *expr.Meta:
			field = map[expr.MetaKey]string{expr.MetaKeyL4PROTO: "meta l4proto", expr.MetaKeyNFPROTO: "meta nfproto",
				expr.MetaKeyPROTOCOL: "meta protocol"}[x.Key]
		case *expr.Payload:
			field = payloadName(x)
		case *expr.Cmp:
			op := map[expr.CmpOp]string{expr.CmpOpEq: "", expr.CmpOpNeq: "!= ", expr.CmpOpLt: "< ",
				expr.CmpOpLte: "<= ", expr.CmpOpGt: "> ", expr.CmpOpGte: ">= "}[x.Op]
			words = append(words, field+" "+op+value(x.Data))
		case *expr.Counter:
			words = append(words, "counter")
		case *expr.Reject:
			words = append(words, "reject")
		case *expr.Verdict:
			words = append(words, verdictName(x.Kind))
		}
	}
	return strings.Join(words, " ")
}

func payloadName(p *expr.Payload) string {
	if p.Base == expr.PayloadBaseNetworkHeader {
		if n, ok := map[uint32]string{9: "ip protocol", 12: "ip saddr", 16: "ip daddr"}[p.Offset]; ok && p.Len != 16 {
			return n
		}
		if n, ok := map[uint32]string{6: "ip6 nexthdr", 8: "ip6 saddr", 24: "ip6 daddr"}[p.Offset]; ok {
			return n
		}
		return fmt.Sprintf("@nh,%d,%d", p.Offset*8, p.Len*8)
	}
	if n, ok := map[uint32]string{0: "th sport", 2: "th dport"}[p.Offset]; ok && p.Len == 2 {
		return n
	}
	return fmt.Sprintf("@th,%d,%d", p.Offset*8, p.Len*8)
}

// value prints compared data: 4 bytes as an address, 2 as a port, 1 as a
// number.
func value(b []byte) string {
	switch len(b) {
	case 1:
		return fmt.Sprint(b[0])
	case 2:
		return fmt.Sprint(binary.BigEndian.Uint16(b))
	case 4:
		return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3])
	case 16:
		return netip.AddrFrom16([16]byte(b)).String()
	}
	return fmt.Sprintf("0x%x", b)
}

func verdictName(k expr.VerdictKind) string {
	names := map[expr.VerdictKind]string{expr.VerdictDrop: "drop", expr.VerdictAccept: "accept",
		expr.VerdictReturn: "return", expr.VerdictJump: "jump", expr.VerdictGoto: "goto", expr.VerdictContinue: "continue"}
	if n, ok := names[k]; ok {
		return n
	}
	return fmt.Sprint(int64(k))
}

func family(f nftables.TableFamily) string {
	return map[nftables.TableFamily]string{nftables.TableFamilyINet: "inet", nftables.TableFamilyIPv4: "ip",
		nftables.TableFamilyIPv6: "ip6"}[f]
}

func hookName(h nftables.ChainHook) string {
	names := []string{"prerouting", "input", "forward", "output", "postrouting"}
	if int(h) < len(names) {
		return names[h]
	}
	return fmt.Sprint(uint32(h))
}
