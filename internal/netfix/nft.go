package netfix

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// NftDrop is one nftables drop rule a fixture installed.
type NftDrop struct {
	Family string // "inet", "ip" or "ip6", as nft spells the table's family
	Table  string
	Chain  string
	Hook   string // "input" or "forward"
	Handle uint64 // the rule's handle, as `nft -a list ruleset` shows it
}

// NftDrop installs, in the namespace, a table of family ("inet", "ip" or
// "ip6") with a filter chain on hook ("input" or "forward") holding one
// rule: drop proto (unix.IPPROTO_UDP or IPPROTO_TCP) to destination port
// dport. It talks netlink through github.com/google/nftables, so it needs
// no nft binary; the table goes away with the namespace.
func (ns *NS) NftDrop(t testing.TB, family, hook string, proto uint8, dport uint16) *NftDrop {
	t.Helper()
	fams := map[string]nftables.TableFamily{"inet": nftables.TableFamilyINet, "ip": nftables.TableFamilyIPv4,
		"ip6": nftables.TableFamilyIPv6}
	hooks := map[string]*nftables.ChainHook{"input": nftables.ChainHookInput, "forward": nftables.ChainHookForward}
	fam, ok1 := fams[family]
	hk, ok2 := hooks[hook]
	if !ok1 || !ok2 {
		t.Fatalf("NftDrop: family %q or hook %q not supported", family, hook)
	}
	d := &NftDrop{Family: family, Table: "surftrace_" + family, Chain: hook + "_drop", Hook: hook}
	err := ns.nft(func(c *nftables.Conn) error {
		table := c.AddTable(&nftables.Table{Family: fam, Name: d.Table})
		accept := nftables.ChainPolicyAccept
		chain := c.AddChain(&nftables.Chain{Name: d.Chain, Table: table, Type: nftables.ChainTypeFilter,
			Hooknum: hk, Priority: nftables.ChainPriorityFilter, Policy: &accept})
		c.AddRule(&nftables.Rule{Table: table, Chain: chain, Exprs: dportDrop(proto, dport)})
		if err := c.Flush(); err != nil {
			return err
		}
		rules, err := c.GetRules(table, chain)
		if err != nil || len(rules) != 1 {
			return fmt.Errorf("read back the rule: %v (%d rules)", err, len(rules))
		}
		d.Handle = rules[0].Handle
		return nil
	})
	if err != nil {
		t.Fatalf("nft %s %s drop in %q: %v", family, hook, ns.Name, err)
	}
	return d
}

// dportDrop is `meta l4proto PROTO th dport PORT drop`.
func dportDrop(proto uint8, dport uint16) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(dport)},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
}

// nft runs fn with an nftables connection to the namespace.
func (ns *NS) nft(fn func(*nftables.Conn) error) error {
	var opts []nftables.ConnOption
	if ns.Name != "" {
		f, err := os.Open(filepath.Join("/run/netns", ns.Name))
		if err != nil {
			return err
		}
		defer f.Close()
		opts = append(opts, nftables.WithNetNSFd(int(f.Fd())))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return err
	}
	defer c.CloseLasting()
	return fn(c)
}

// Protocol numbers for NftDrop.
const (
	TCP = unix.IPPROTO_TCP
	UDP = unix.IPPROTO_UDP
)
