package netobj

import (
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/google/nftables"
)

// Packet is what nftrule() matches the rules against: an IPv4 or IPv6
// packet's L4 protocol, addresses and ports (for ICMP and ICMPv6, type
// and code in place of the ports).
type Packet struct {
	L4           uint8
	Src, Dst     netip.Addr
	Sport, Dport uint16
}

// family is the nftables table family for p besides inet: ip or ip6.
func (p Packet) family() nftables.TableFamily {
	if p.Src.Is4() {
		return nftables.TableFamilyIPv4
	}
	return nftables.TableFamilyIPv6
}

// NftRule lists the base chains of the namespace's nftables ruleset
// (families inet and ip for an IPv4 packet, inet and ip6 for IPv6) whose
// verdict for p would be to drop it: the
// first rule with a verdict that p matches, or the chain's policy when no
// rule does. It evaluates the common expressions (meta l4proto and
// nfproto, ip and transport header fields, bitwise masks, comparisons);
// a rule with another expression is skipped and counted. The answer is
// read from the ruleset now, so it says the rules match, not that the
// kernel's verdict came from them.
func NftRule(inode uint64, p Packet) string {
	path, err := nsPath(inode)
	if err != nil {
		return "nftables: " + err.Error()
	}
	f, err := os.Open(path)
	if err != nil {
		return "nftables: " + err.Error()
	}
	defer f.Close()
	c, err := nftables.New(nftables.WithNetNSFd(int(f.Fd())))
	if err != nil {
		return "nftables: " + err.Error()
	}
	defer c.CloseLasting()
	chains, err := c.ListChains()
	if err != nil {
		return "nftables: " + err.Error()
	}
	var found []string
	skipped := 0
	for _, ch := range chains {
		if ch.Hooknum == nil || ch.Table.Family != nftables.TableFamilyINet && ch.Table.Family != p.family() {
			continue
		}
		rules, err := c.GetRules(ch.Table, ch)
		if err != nil {
			return "nftables: " + err.Error()
		}
		verdict, rule, n := evalChain(rules, p)
		skipped += n
		where := fmt.Sprintf("table %s %s chain %s (hook %s)", family(ch.Table.Family), ch.Table.Name, ch.Name, hookName(*ch.Hooknum))
		switch {
		case verdict && rule != nil:
			found = append(found, fmt.Sprintf("%s rule handle %d `%s`", where, rule.Handle, ruleText(rule)))
		case rule == nil && ch.Policy != nil && *ch.Policy == nftables.ChainPolicyDrop && !verdict:
			found = append(found, where+" policy drop")
		}
	}
	out := "no nftables rule drops it"
	if len(found) > 0 {
		out = strings.Join(found, "; ") + " matches it (read from the ruleset now, not the kernel's verdict)"
	}
	if skipped > 0 {
		out += fmt.Sprintf(" [%d rules with expressions not evaluated]", skipped)
	}
	return out
}
