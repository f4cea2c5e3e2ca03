package compiler

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/pcapfilter"
)

// pcapExprs is the corpus of the differential test against tcpdump.
var pcapExprs = []string{
	"tcp", "udp", "icmp", "icmp6", "ip", "ip6", "arp", "sctp",
	"vlan", "vlan 5", "vlan 7", "vlan and ip", "vlan 5 and udp", "vlan and arp", "vlan and ip6 and udp port 53",
	"host 192.0.2.1", "src host 192.0.2.1", "dst host 192.0.2.2", "host 192.0.2.1 or 192.0.2.9",
	"host 2001:db8::1", "src host 2001:db8::2", "ip host 192.0.2.2", "arp host 192.0.2.1",
	"src and dst host 192.0.2.1", "src or dst host 192.0.2.2", "ip6 dst host ff02::1:ff00:2",
	"net 192.0.2.0/24", "src net 198.51.100.0/24", "net 203.0.113.0 mask 255.255.255.0", "net 192.0.2",
	"dst net 2001:db8::/32", "ip6 net 2001:db8:1::/48", "net 192.0.2.0/30", "src net 192.0.2.0/31",
	"port 80", "dst port 80", "src port 53", "port 53 and not udp", "tcp port 80 or 443", "udp port 53",
	"portrange 1000-2000", "tcp dst portrange 1-1024", "sctp port 3868", "udp src portrange 5000-6000",
	"port 53", "src and dst port 3868",
	"proto 47", "ip proto 17", "ip6 proto 6", `proto \udp`, "ip proto 1 or ip6 proto 58",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) != 0", "tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0",
	"tcp[13] = 18", "tcp[13] & 4 != 0", "tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0", "tcp[13] & 1 = 1",
	"icmp[icmptype] == icmp-echo", "icmp[icmptype] != icmp-echo", "icmp[1] = 3",
	"ip[6:2] & 0x1fff != 0", "ip[9] = 6", "udp[2:2] = 53", "ip[0] & 0xf > 5", "tcp[2:2] + 1 = 81",
	"arp[7] = 2", "tcp[0:4] >> 16 == 40000", "ip[12:4] = 0xc0000201", "udp[4:2] - 8 > 4", "tcp[12] / 16 * 4 = 20",
	"less 60", "greater 500", "len > 60 and len < 80", "len = 42", "len - 14 >= 40",
	"tcp and dst port 80", "not tcp", "!(udp || icmp)", "(tcp or udp) and host 192.0.2.1",
	"not host 192.0.2.1 and not arp", "ip and not ip6", "tcp && !port 80", "ip6 and tcp",
	"tcp and (port 80 or port 22)", "host 192.0.2.1 and (port 80 or 40000)", "not (ip or ip6 or arp)",
	"net 0.0.0.0/0", "ip6 net ::/0", "udp[4:2] % 3 = 0", "tcp[13] ^ 0x12 = 0", "ip[0] << 28 = 0x50000000",
	"ip[2:2] - 100 > 0x7fffffff", `ip proto \tcp`, "tcp[tcpflags] == tcp-syn|tcp-ack", "host 192.0.2.1 and (192.0.2.2 or 198.51.100.1)", "ip proto 6 or 17", "dst host 192.0.2.2 and not 192.0.2.1", "udp src port 53 or 5353 or 1000",
	"icmp or udp and port 53", "arp or ip and host 192.0.2.5 or ip6", "not tcp and udp or icmp",
	"0 - 1 = 0xffffffff and arp", "len - 100 > 0xfffffff0 or arp",
}

// TestPcapFilterMatchesTcpdump writes the corpus packets to a pcap file
// and, for each expression, compares the packets tcpdump (libpcap) matches
// with those our compiled filter matches, run by the kernel on each packet
// with BPF_PROG_TEST_RUN as a socket filter: the context is a real sk_buff
// and the filter reads it as it does at any other hook.
func TestPcapFilterMatchesTcpdump(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF)
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Fatal("tcpdump not installed (tools/deps.sh installs it)")
	}
	kspec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	var skbT *btf.Struct
	if err := kspec.TypeByName("sk_buff", &skbT); err != nil {
		t.Fatal(err)
	}
	frames := pcapCorpus()
	file := filepath.Join(t.TempDir(), "corpus.pcap")
	if err := writePcap(file, frames); err != nil {
		t.Fatal(err)
	}
	for _, expr := range pcapExprs {
		want := tcpdumpMatches(t, tcpdump, file, expr)
		prog := pcapProgram(t, skbT, expr)
		var got []int
		for i, f := range frames {
			ret, err := prog.Run(&ebpf.RunOptions{Data: f})
			if err != nil {
				t.Fatalf("%s: test run of packet %d: %v", expr, i+1, err)
			}
			if ret != 0 {
				got = append(got, i+1)
			}
		}
		prog.Close()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: we match packets %v, tcpdump %v", expr, got, want)
		} else {
			t.Logf("%q: packets %v", expr, got)
		}
	}
}

// tcpdumpLine is a packet line of tcpdump -tt; writePcap stamps packet i
// (from 1) with second pcapEpoch+i-1.
var tcpdumpLine = regexp.MustCompile(`^(\d+)\.\d+ `)

// tcpdumpMatches returns the numbers (from 1) of the packets tcpdump prints.
func tcpdumpMatches(t *testing.T, tcpdump, file, expr string) []int {
	out, err := exec.Command(tcpdump, "-r", file, "-n", "-tt", expr).Output()
	if err != nil {
		t.Fatalf("tcpdump %q: %v", expr, err)
	}
	nums := []int{}
	for _, line := range strings.Split(string(out), "\n") {
		if m := tcpdumpLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, n-pcapEpoch+1)
		}
	}
	if len(nums) == 0 {
		return nil
	}
	return nums
}

// pcapProgram compiles expr into a socket filter returning 1 on a match.
func pcapProgram(t *testing.T, skbT *btf.Struct, expr string) *ebpf.Program {
	f, err := pcapfilter.Parse(&lang.Source{Name: "filter", Text: expr}, 0, expr)
	if err != nil {
		t.Fatal(err)
	}
	g := codegen.New()
	g.Ctx = g.Reg()
	g.Emit(asm.Mov.Reg(g.Ctx, asm.R1))
	pl := newPcapLower(skbT, &codegen.InReg{R: g.Ctx}, f)
	r := pcapMatch(g, pl, pl.expr(f))
	g.Emit(asm.Mov.Reg(asm.R0, r), asm.Return())
	insns, err := g.Finish(codegen.StackSpill0)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.SocketFilter, Instructions: insns, License: "GPL"})
	if err != nil {
		t.Fatalf("%s: load: %v\n%v", expr, err, insns)
	}
	return prog
}
