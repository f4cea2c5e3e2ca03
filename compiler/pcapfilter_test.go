package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestPcapFtraceRefused: kprobe_events filters cannot read packets, so the
// ftrace lowering names the bpf backend at the call.
func TestPcapFtraceRefused(t *testing.T) {
	_, err := CompileFtrace(parseLine(t, `e skb/kfree_skb f:pcap("udp", skbaddr)`), fakeKernel(t), Options{})
	if err == nil || !strings.Contains(err.Error(), `1:19: ftrace filters cannot read packets: pcap() needs the bpf backend`) {
		t.Fatalf("got %v, want the bpf backend named at 1:19", err)
	}
}

// TestPcapParam: a script's positional parameter is a filter too, as a
// stdlib script takes one from its command line; its errors point into
// the parameter's text.
func TestPcapParam(t *testing.T) {
	src := `tracepoint:net:netif_receive_skb /pcap(str($1), args->skbaddr)/ { @n = count(); }`
	prog, err := script.Parse(&lang.Source{Name: "p.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(prog, fakeKernel(t), Options{Params: []string{"udp and port 53"}}); err != nil {
		t.Fatal(err)
	}
	_, err = Compile(prog, fakeKernel(t), Options{Params: []string{"udp and port 99999"}})
	want := "p.st:1:40: pcap filter:1:14: \"99999\" is not a port (0 to 65535)\n    udp and port 99999\n                 ^~~~~"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}
