package main

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// The diagnostic scripts on network namespaces with one fault each. The
// same tests run on the host kernel (6.18, tracepoints only) and in the
// 6.1 VM.

// faultCase is one broken topology.
type faultCase struct {
	name string
	args []string // the drop script's filters for the fault's packets
	// build makes the topology and returns the device the packets die on
	// and the traffic that hits the fault.
	build func(t *testing.T) (dev string, traffic func())
	// drop matches drop's line for a dropped packet (DEV stands for the
	// device): its addresses and ports, the reason by name, the function.
	drop string
	// diag matches diag's advice line for the fault (DEV as in drop;
	// VERDICT where a netfilter line names the kernel's verdict).
	diag string
	// verdict, for a netfilter drop, matches the table, chain and hook
	// whose verdict dropped the packet: where there are kprobes diag
	// names them at VERDICT, where there are none it must not.
	verdict string
	// reason, if set, is a drop reason the fault needs that older
	// kernels lack (6.1 has no TCP_LISTEN_OVERFLOW); where the kernel
	// lacks it, dropOld and diagOld match what it shows instead.
	reason           string
	dropOld, diagOld string
}

// want returns the drop and diag patterns for this kernel.
func (fc faultCase) want(t *testing.T) (drop, diag string) {
	if fc.reason == "" || hasDropReason(t, fc.reason) {
		return fc.drop, fc.diag
	}
	t.Logf("this kernel has no drop reason %s: matching what it shows instead", fc.reason)
	return fc.dropOld, fc.diagOld
}

// hasDropReason reports whether the kernel's enum skb_drop_reason has
// SKB_DROP_REASON_<name>, from its BTF.
func hasDropReason(t *testing.T, name string) bool {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	var e *btf.Enum
	if err := spec.TypeByName("skb_drop_reason", &e); err != nil {
		t.Fatal(err)
	}
	for _, v := range e.Values {
		if v.Name == "SKB_DROP_REASON_"+name {
			return true
		}
	}
	return false
}

var faultCases = []faultCase{
	{
		name: "udp-closed-port",
		args: []string{"--addr", "192.0.2.2", "--port", "9"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop: `DEV +UDP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:9 NO_SOCKET __udp4_lib_rcv\+0x`,
		diag: `^no socket: UDP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:9 dropped by __udp4_lib_rcv\+0x[0-9a-f]+ on DEV in netns \d+: nothing listens on UDP port 9 there`,
	},
	{
		name: "tcp-closed-port",
		args: []string{"--proto", "tcp", "--port", "7"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			return p.DevB, func() {
				must(t, "tcp")(p.A.ConnectRefused(netip.MustParseAddrPort("192.0.2.2:7"), 2, 5*time.Second))
			}
		},
		drop: `DEV +TCP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:7 NO_SOCKET tcp_v4_rcv\+0x`,
		diag: `^no socket: TCP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:7 dropped by tcp_v4_rcv\+0x[0-9a-f]+ on DEV in netns \d+: nothing listens on TCP port 7 there`,
	},
	nftInput("inet"),
	nftInput("ip"),
	{
		name: "nft-forward",
		args: []string{"--port", "5354"},
		build: func(t *testing.T) (string, func()) {
			r := netfix.NewRouted(t)
			r.R.NftDrop(t, "inet", "forward", netfix.UDP, 5354)
			return r.DevRA, func() {
				must(t, "udp")(r.A.SendUDP(netip.MustParseAddrPort("198.51.100.2:5354"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop:    `DEV +UDP +192\.0\.2\.1:\d+ > 198\.51\.100\.2:5354 NETFILTER_DROP (nf_hook_slow|nft_do_chain)\+0x`,
		verdict: `table inet surftrace_inet chain forward_drop \(hook forward\)`,
		diag:    `^netfilter: UDP 192\.0\.2\.1:\d+ > 198\.51\.100\.2:5354 dropped by \S+ on DEV in netns \d+: VERDICTtable inet surftrace_inet chain forward_drop \(hook forward\) rule handle \d+ ` + "`meta l4proto 17 th dport 5354 drop`" + ` matches it \(read from the ruleset now, not the kernel's verdict\)`,
	},
	{
		name: "no-route",
		args: []string{"--addr", "203.0.113.9"},
		build: func(t *testing.T) (string, func()) {
			r := netfix.NewRouted(t)
			return r.DevRA, func() {
				must(t, "udp")(r.A.SendUDP(netip.MustParseAddrPort("203.0.113.9:53"), []byte(hello), 3, 5*time.Second))
			}
		},
		// 6.13 and later say why; 6.1 does not.
		drop: `DEV +UDP +192\.0\.2\.1:\d+ > 203\.0\.113\.9:53 (IP_INNOROUTES|NOT_SPECIFIED) ip_error\+0x`,
		diag: `^no route: to 203\.0\.113\.9 \(from 192\.0\.2\.1, on DEV\) in netns \d+, dropped by ip_error\+0x[0-9a-f]+ as IP_INNOROUTES: route lookup failed in table 254 \(254 is main\)`,
	},
	{
		name: "rp-filter",
		args: []string{"--addr", "203.0.113.1"},
		build: func(t *testing.T) (string, func()) {
			r := netfix.NewRouted(t)
			spoofed := r.SpoofedSource(t)
			return r.DevRA, func() {
				must(t, "udp")(r.A.SendUDPFrom(spoofed, netip.MustParseAddrPort("198.51.100.2:53"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop: `DEV +UDP +203\.0\.113\.1:\d+ > 198\.51\.100\.2:53 IP_RPFILTER \S+\+0x`,
		diag: `^reverse-path filter: source 203\.0\.113\.1 \(to 198\.51\.100\.2\) arriving on DEV in netns \d+ has no route back through DEV, dropped by \S+: net\.ipv4\.conf\.DEV\.rp_filter=1 \(net\.ipv4\.conf\.all\.rp_filter=1\)`,
	},
	{
		name: "htb-pfifo",
		args: []string{"--proto", "icmp"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.A.SmallHTB(t, p.DevA, "1mbit", 2)
			return p.DevA, func() {
				must(t, "ping flood")(p.A.PingFlood(p.AddrB, 1200, 50, 5*time.Second))
			}
		},
		drop: `DEV +ICMP +192\.0\.2\.1 > 192\.0\.2\.2 type 8 code 0 QDISC_DROP \S+\+0x`,
		diag: `^qdisc: ICMP 192\.0\.2\.1 > 192\.0\.2\.2 dropped by \S+ on DEV in netns \d+: dev DEV: htb 1: root .* > class 1:10 htb rate 1Mbit ceil 1Mbit > pfifo 10: limit 2p backlog \d+b \d+p drops [1-9]\d* `,
	},
	// IPv6, 2001:db8::/32.
	{
		name: "udp6-closed-port",
		args: []string{"--addr", "2001:db8:1::2", "--port", "9"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.AddIPv6(t)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("[2001:db8:1::2]:9"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop: `DEV +UDP6 +\[2001:db8:1::1\]:\d+ > \[2001:db8:1::2\]:9 NO_SOCKET __udp6_lib_rcv\+0x`,
		diag: `^no socket: UDP6 \[2001:db8:1::1\]:\d+ > \[2001:db8:1::2\]:9 dropped by __udp6_lib_rcv\+0x[0-9a-f]+ on DEV in netns \d+: nothing listens on UDP6 port 9 there`,
	},
	nftInput6("ip6"),
	nftInput6("inet"),
	{
		name: "no-route6",
		args: []string{"--addr", "2001:db8:ff::9"},
		build: func(t *testing.T) (string, func()) {
			r := netfix.NewRouted(t)
			r.AddIPv6(t)
			return r.DevRA, func() {
				must(t, "udp")(r.A.SendUDP(netip.MustParseAddrPort("[2001:db8:ff::9]:53"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop: `DEV +UDP6 +\[2001:db8:1::1\]:\d+ > \[2001:db8:ff::9\]:53 (IP_INNOROUTES|NOT_SPECIFIED) ip6_pkt_(discard|drop)\S*\+0x`,
		diag: `^no route: to 2001:db8:ff::9 \(from 2001:db8:1::1, on DEV\) in netns \d+, dropped by ip6_pkt_\S+ as IP_INNOROUTES: route lookup failed in table 254 \(254 is main\)`,
	},
	// Causes of issue 11's list beyond these.
	{
		name: "udp-rcvbuf",
		args: []string{"--port", "8083"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.B.UnreadUDP(t, netip.MustParseAddrPort("192.0.2.2:8083"), 1)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:8083"), make([]byte, 1000), 20, 5*time.Second))
			}
		},
		drop: `DEV +UDP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:8083 SOCKET_RCVBUFF \S+\+0x`,
		diag: `^socket receive queue full: UDP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:8083 dropped by \S+ on DEV in netns \d+: the UDP socket on port 8083 there .* net\.core\.rmem_default=\d+( \(system-wide\))? and net\.core\.rmem_max=\d+`,
	},
	{
		name: "listen-overflow",
		args: []string{"--port", "8082", "--proto", "tcp"},
		build: func(t *testing.T) (string, func()) {
			// The accept queue of backlog 2 holds 3: two connections fill
			// it halfway, then two handshakes cross the 40 ms line at
			// once, and the second's last ACK finds it full.
			p := netfix.NewDelayedPair(t, 40*time.Millisecond)
			dst := netip.MustParseAddrPort("192.0.2.2:8082")
			p.B.UnacceptedTCP(t, dst, 2)
			return p.DevB, func() {
				first := make(chan error, 1)
				go func() { _, err := p.A.ConnectBurst(dst, 2, 3*time.Second); first <- err }()
				time.Sleep(time.Second)
				must(t, "tcp")(p.A.ConnectBurst(dst, 2, time.Second))
				if err := <-first; err != nil {
					t.Error(err)
				}
			}
		},
		drop:    `DEV +TCP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:8082 TCP_LISTEN_OVERFLOW tcp_v4_rcv\+0x`,
		diag:    `^listen overflow: TCP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:8082 dropped by tcp_v4_rcv\+0x[0-9a-f]+ on DEV in netns \d+: the accept queue of the listener on TCP port 8082 there is full.* net\.core\.somaxconn=\d+$`,
		reason:  "TCP_LISTEN_OVERFLOW",
		dropOld: `DEV +TCP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:8082 NOT_SPECIFIED tcp_v4_rcv\+0x`,
		diagOld: `^NOT_SPECIFIED: TCP 192\.0\.2\.1 > 192\.0\.2\.2 dropped by tcp_v4_rcv\+0x[0-9a-f]+ on DEV in netns \d+$`,
	},
	{
		name: "tc-ingress",
		args: []string{"--port", "8084"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.B.TcDropIPv4(t, p.DevB)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:8084"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop: `DEV +UDP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:8084 TC_INGRESS \S+\+0x`,
		// runtime/netobj's TestTcFilter checks the program id itself.
		diag: `^tc: UDP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:8084 dropped by \S+ on DEV in netns \d+: a tc filter's verdict on DEV ingress, dev DEV ingress: pref 1 bpf prog id [1-9]\d* name st_drop_ipv4 "st_drop_ipv4" direct-action;`,
	},
	{
		name: "softnet-backlog",
		args: []string{"--port", "8086"},
		build: func(t *testing.T) (string, func()) {
			// Each GSO write's 32 segments reach B's backlog at once;
			// it holds 4.
			p := netfix.NewPair(t)
			p.B.ListenUDP(t, netip.MustParseAddrPort("192.0.2.2:8086"))
			p.A.SoftwareGSO(t, p.DevA)
			return p.DevB, func() {
				// Until the test ends: diag reads it when its line prints.
				netfix.SmallBacklog(t, 4)
				for range 3 {
					must(t, "udp gso")(0, p.A.SendUDPSegmented(netip.MustParseAddrPort("192.0.2.2:8086"), 100, 32))
				}
			}
		},
		drop: `DEV +UDP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:8086 CPU_BACKLOG enqueue_to_backlog\+0x`,
		diag: `^softnet backlog: UDP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:8086 dropped by enqueue_to_backlog\+0x[0-9a-f]+ on DEV in netns \d+ as CPU_BACKLOG: the backlog of CPU \d+, through which DEV hands packets to the stack \(netif_rx\), was full; ` +
			`net\.core\.netdev_max_backlog=4( \(system-wide\))?, cpu \d+ softnet_stat: processed \d+ dropped [1-9]\d* time_squeeze \d+; .*/sys/class/net/DEV/queues/rx-\*/rps_cpus`,
	},
	xdpCase("xdp-drop", netfix.XDPDrop, netfix.XDPGeneric, 8087),
	xdpCase("xdp-aborted", netfix.XDPAborted, netfix.XDPGeneric, 8088),
	xdpCase("xdp-drop-native", netfix.XDPDrop, netfix.XDPNative, 8089),
	xdpCase("xdp-aborted-native", netfix.XDPAborted, netfix.XDPNative, 8090),
	{
		name: "udp-checksum",
		args: []string{"--port", "8085"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			return p.DevB, func() {
				must(t, "raw udp")(p.A.SendBadChecksumUDP(p.AddrA, netip.MustParseAddrPort("192.0.2.2:8085"), []byte(hello), 3))
			}
		},
		drop: `DEV +UDP +192\.0\.2\.1:40000 > 192\.0\.2\.2:8085 UDP_CSUM __udp4_lib_rcv\+0x`,
		diag: `^bad checksum: UDP 192\.0\.2\.1:40000 > 192\.0\.2\.2:8085 dropped by __udp4_lib_rcv\+0x[0-9a-f]+ on DEV in netns \d+ as UDP_CSUM: its checksum is wrong`,
	},
}

// faultWindow is how long a script traces a fault: 4 s here, 15 s in the
// VM, whose emulation makes both the start and the traffic slow (a
// duration counts from the start, not from the attach).
func faultWindow() string {
	if ktest.InVM() {
		return "15s"
	}
	return "4s"
}

// xdpCase is an XDP program on B's veth, in mode (netfix.XDPGeneric or
// XDPNative), returning action (netfix.XDPDrop or XDPAborted) for IPv4,
// and UDP to port. The kernel drops its packets without a reason, in
// do_xdp_generic or, natively, veth_xdp_rcv_skb (6.1 and 6.18).
// runtime/netobj's TestXdp checks the program id itself.
func xdpCase(name string, action int32, mode int, port int) faultCase {
	dst := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.2"), uint16(port))
	fn, modeText := `do_xdp_generic`, `generic \(skb\) mode`
	if mode == netfix.XDPNative {
		fn, modeText = `veth_xdp_rcv_skb`, `native \(driver\) mode`
	}
	packet := `192\.0\.2\.1:\d+ > 192\.0\.2\.2:` + fmt.Sprint(port)
	verdict := `a drop without a reason on a device running an XDP program, its XDP_DROP verdict, `
	progName := "st_xdp_drop"
	if action == netfix.XDPAborted {
		verdict = `the XDP program on DEV failed \(xdp:xdp_exception: prog id [1-9]\d* returned XDP_ABORTED or an unknown action\), `
		progName = "st_xdp_abort"
	}
	return faultCase{
		name: name,
		args: []string{"--port", fmt.Sprint(port)},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.B.XdpDropIPv4(t, p.DevB, action, mode)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(dst, []byte(hello), 3, 5*time.Second))
			}
		},
		drop: `DEV +UDP +` + packet + ` NOT_SPECIFIED ` + fn + `\+0x`,
		diag: `^xdp: UDP ` + packet + ` dropped by ` + fn + `\+0x[0-9a-f]+ on DEV in netns \d+: ` + verdict +
			`dev DEV xdp: ` + modeText + ` prog id [1-9]\d* name ` + progName + `;`,
	}
}

// nftInput is an nftables drop rule of family on B's input hook.
func nftInput(family string) faultCase {
	return faultCase{
		name: "nft-input-" + family,
		args: []string{"--port", "5353", "--proto", "udp"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.B.ListenUDP(t, netip.MustParseAddrPort("192.0.2.2:5353"))
			p.B.NftDrop(t, family, "input", netfix.UDP, 5353)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:5353"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop:    `DEV +UDP +192\.0\.2\.1:\d+ > 192\.0\.2\.2:5353 NETFILTER_DROP (nf_hook_slow|nft_do_chain)\+0x`,
		verdict: `table ` + family + ` surftrace_` + family + ` chain input_drop \(hook input\)`,
		diag: `^netfilter: UDP 192\.0\.2\.1:\d+ > 192\.0\.2\.2:5353 dropped by \S+ on DEV in netns \d+: VERDICTtable ` + family + ` surftrace_` + family +
			` chain input_drop \(hook input\) rule handle \d+ ` + "`meta l4proto 17 th dport 5353 drop`" + ` matches it`,
	}
}

// nftInput6 is nftInput for IPv6: a drop rule of family (ip6 or inet) on
// B's input hook.
func nftInput6(family string) faultCase {
	return faultCase{
		name: "nft6-input-" + family,
		args: []string{"--port", "5353", "--proto", "udp", "--addr", "2001:db8:1::2"},
		build: func(t *testing.T) (string, func()) {
			p := netfix.NewPair(t)
			p.AddIPv6(t)
			p.B.ListenUDP(t, netip.MustParseAddrPort("[2001:db8:1::2]:5353"))
			p.B.NftDrop(t, family, "input", netfix.UDP, 5353)
			return p.DevB, func() {
				must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("[2001:db8:1::2]:5353"), []byte(hello), 3, 5*time.Second))
			}
		},
		drop:    `DEV +UDP6 +\[2001:db8:1::1\]:\d+ > \[2001:db8:1::2\]:5353 NETFILTER_DROP (nf_hook_slow|nft_do_chain)\+0x`,
		verdict: `table ` + family + ` surftrace_` + family + ` chain input_drop \(hook input\)`,
		diag: `^netfilter: UDP6 \[2001:db8:1::1\]:\d+ > \[2001:db8:1::2\]:5353 dropped by \S+ on DEV in netns \d+: VERDICTtable ` + family + ` surftrace_` + family +
			` chain input_drop \(hook input\) rule handle \d+ ` + "`meta l4proto 17 th dport 5353 drop`" + ` matches it`,
	}
}

// TestDropScriptFaults: `run drop` names each fault's dropped packet (its
// addresses and ports, or ICMP type), the device, the reason by name and
// the function that dropped it, and counts it by reason, function and
// device at exit.
func TestDropScriptFaults(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	for _, fc := range faultCases {
		t.Run(fc.name, func(t *testing.T) {
			dev, traffic := fc.build(t)
			args := append([]string{"--duration", faultWindow(), "run", "drop"}, fc.args...)
			r := runWhile(t, args, traffic)
			if r.code != exitOK {
				t.Fatalf("exit %d", r.code)
			}
			drop, _ := fc.want(t)
			re := regexp.MustCompile(`(?m)^\d+\.\d{6} +\d+ +\S+ +\d+ +` + strings.ReplaceAll(drop, "DEV", regexp.QuoteMeta(dev)))
			m := re.FindString(r.stdout)
			if m == "" {
				t.Fatalf("no line matches %s", re)
			}
			f := strings.Fields(m)
			fn, _, _ := strings.Cut(f[len(f)-1], "+")
			reason := f[len(f)-2]
			count := `(?m)^@drops\[` + regexp.QuoteMeta(reason+", "+fn+", "+dev) + `\]: \d+$`
			if !regexpMatch(count, r.stdout) {
				t.Errorf("no exit count matching %s", count)
			}
		})
	}
}

// TestDiagScriptFaults: `run diag` gives one advice line for each fault
// that names the object responsible: the socket nobody opened, the nft
// rule (and, where there are kprobes, the kernel's verdict: the table,
// chain and hook), the route lookup's table, the rp_filter setting, the qdisc tree
// down to the pfifo limit, each on the right device.
func TestDiagScriptFaults(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	// Where there are kprobes (the 6.1 VM) diag reads the chain whose
	// verdict dropped a packet from the nftables hook functions.
	kernelVerdict := ktest.Check(ktest.Kprobes) == nil && ktest.Check(ktest.Kretprobes) == nil
	for _, fc := range faultCases {
		t.Run(fc.name, func(t *testing.T) {
			dev, traffic := fc.build(t)
			r := runWhile(t, []string{"--duration", faultWindow(), "run", "diag"}, traffic)
			if r.code != exitOK {
				t.Fatalf("exit %d", r.code)
			}
			_, diag := fc.want(t)
			verdict := ""
			if fc.verdict != "" && kernelVerdict {
				verdict = `the kernel's verdict: ` + fc.verdict + `; `
			} else if fc.verdict != "" && strings.Contains(r.stdout, "the kernel's verdict:") {
				t.Errorf("a kernel verdict without kprobes:\n%s", r.stdout)
			}
			diag = strings.ReplaceAll(diag, "VERDICT", verdict)
			re := regexp.MustCompile(`(?m)` + strings.ReplaceAll(diag, "DEV", regexp.QuoteMeta(dev)))
			if n := len(re.FindAllString(r.stdout, -1)); n != 1 {
				t.Errorf("%d lines match %s, want one advice line for the cause", n, re)
			}
		})
	}
}

// TestTCPResetScript: a connect to a closed port is answered with a reset
// that `run tcpreset` shows going out from the closed port, which no
// socket owns, back to the client, and the client receiving it in
// TCP_SYN_SENT. Where tcp_send_reset has the kernel's reason (6.11 and
// later) the reset names it, NO_SOCKET; where it has none (6.1) the same
// script compiles without it and the line ends at the port.
func TestTCPResetScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	format, err := os.ReadFile(filepath.Join(ktest.RequireTracepoint(t, "tcp", "tcp_send_reset"), "format"))
	if err != nil {
		t.Fatal(err)
	}
	reason := "$"
	if strings.Contains(string(format), "enum sk_rst_reason reason;") {
		reason = " NO_SOCKET$"
	}
	p := netfix.NewPair(t)
	r := runWhile(t, []string{"--duration", faultWindow(), "run", "tcpreset", "--port", "7"}, func() {
		must(t, "tcp")(p.A.ConnectRefused(netip.MustParseAddrPort("192.0.2.2:7"), 2, 5*time.Second))
	})
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		`(?m)^\d+ +\S+ +out +no socket +192\.0\.2\.2:7 > 192\.0\.2\.1:\d+` + reason,
		`(?m)^\d+ +\S+ +in +TCP_SYN_SENT +192\.0\.2\.1:\d+ > 192\.0\.2\.2:7$`,
		`(?m)^@tcp_resets_no_socket\[out, 7\]: 2$`,
		`(?m)^@tcp_resets\[in, TCP_SYN_SENT, \d+\]: 1$`,
	} {
		if !regexpMatch(want, r.stdout) {
			t.Errorf("no match for %s", want)
		}
	}
}

// TestTCPStatesScript: a connection to a sink goes through its states by
// name, and its close prints its lifetime.
func TestTCPStatesScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	sink := p.B.ListenTCP(t, netip.MustParseAddrPort("192.0.2.2:8080"))
	r := runWhile(t, []string{"--duration", faultWindow(), "run", "tcpstates", "--port", "8080"}, func() {
		must(t, "tcp")(p.A.SendTCP(sink.Addr, []byte(hello), 1, 5*time.Second))
		sink.Wait(1, 3*time.Second)
	})
	if r.code != exitOK {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{
		`(?m)^\d+ +\S+ +192\.0\.2\.1 *:\d+ +192\.0\.2\.2 *:8080 +TCP_CLOSE +-> TCP_SYN_SENT +\d+$`,
		`(?m)^\d+ +\S+ +192\.0\.2\.1 *:\d+ +192\.0\.2\.2 *:8080 +TCP_SYN_SENT +-> TCP_ESTABLISHED +\d+$`,
		`(?m)192\.0\.2\.1 *:\d+ +192\.0\.2\.2 *:8080 +lived \d+ ms$`,
		`(?m)^@changes\[TCP_SYN_SENT, TCP_ESTABLISHED\]: 1$`,
	} {
		if !regexpMatch(want, r.stdout) {
			t.Errorf("no match for %s", want)
		}
	}
}

// TestNftDropScript (kprobes: the 6.1 VM): `run nftdrop` names the
// table, chain and hook whose verdict dropped each fault's packet, from
// nft_do_chain's arguments and return value.
func TestNftDropScript(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Kprobes, ktest.Kretprobes, ktest.Ringbuf)
	want := map[string]string{
		"nft-input-inet": `192\.0\.2\.1:\d+ > 192\.0\.2\.2:5353 proto 17 table inet surftrace_inet chain input_drop hook input$`,
		"nft-input-ip":   `192\.0\.2\.1:\d+ > 192\.0\.2\.2:5353 proto 17 table ip surftrace_ip chain input_drop hook input$`,
		"nft-forward":    `192\.0\.2\.1:\d+ > 198\.51\.100\.2:5354 proto 17 table inet surftrace_inet chain forward_drop hook forward$`,
	}
	for _, fc := range faultCases {
		re, ok := want[fc.name]
		if !ok {
			continue
		}
		t.Run(fc.name, func(t *testing.T) {
			_, traffic := fc.build(t)
			r := runWhile(t, []string{"--duration", faultWindow(), "run", "nftdrop"}, traffic)
			if r.code != exitOK {
				t.Fatalf("exit %d", r.code)
			}
			if !regexpMatch(`(?m)^\d+ +`+re, r.stdout) {
				t.Errorf("no line matches %s", re)
			}
		})
	}
}
