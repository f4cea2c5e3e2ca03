package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestScriptErrors checks positioned errors with carets and hints.
func TestScriptErrors(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string // substrings of the rendered error
	}{
		{`kprobe:ip_output { @x = retval; }`, []string{"1:25: retval exists only in kretprobe, uretprobe and fexit probes", "^~~~~~"}},
		{`kprobe:ip_outptu { @x = count(); }`, []string{"unknown kernel function ip_outptu", "did you mean ip_output?"}},
		{`tracepoint:sched:sched_stat_wait { @x = args->dealy; }`, []string{"1:41: tracepoint sched:sched_stat_wait has no field dealy", "did you mean delay?"}},
		{`kprobe:_do_fork { $t = (struct task_struct *)arg0; @x = $t->comn; }`, []string{"struct task_struct has no member comn", "did you mean comm?"}},
		{`BEGIN { printf("%d %s\n", 1); }`, []string{"the format has 2 conversions but 1 arguments follow"}},
		{`BEGIN { printf("%d\n", "x"); }`, []string{"1:24: printf: %d needs a number, got string"}},
		{`BEGIN { printf("%s\n", 5); }`, []string{"%s needs a string"}},
		{`BEGIN { debugf("%d %d", 1); }`, []string{"1:9: debugf: the format has 2 conversions but 1 arguments follow"}},
		{`BEGIN { debugf("%d %d %d %d", 1, 2, 3); }`, []string{"1:16: debugf: bpf_trace_printk takes at most 3 conversions, the format has 4"}},
		{`BEGIN { debugf("%hd", 1); }`, []string{`1:16: debugf: bpf_trace_printk cannot format "%h"`}},
		{`BEGIN { debugf("%s", 1); }`, []string{"1:22: debugf: %s needs a string, got s64"}},
		{`BEGIN { debugf("%d", "x"); }`, []string{"1:22: debugf: %d needs a number, got string"}},
		{`BEGIN { $x = "a"; debugf($x); }`, []string{"debugf's format must be a string literal"}},
		{`BEGIN { debugf("%d", ksym(1)); }`, []string{"1:22: debugf cannot print", "shown in user space"}},
		{`BEGIN { @m[1] = 1; @m["a"] = 2; }`, []string{"1:23: map @m: key 1 is string here but integer where first used"}},
		{`BEGIN { @m = count(); @m = 5; }`, []string{"map @m holds count(); it cannot also hold values"}},
		{`BEGIN { $x = 1; $x = "s"; }`, []string{"type mismatch: $x holds"}},
		{`BEGIN { printf("%d\n", $y); }`, []string{"undefined variable $y"}},
		{`BEGIN { prnitf("x"); }`, []string{"unknown function prnitf", "did you mean one of printf, print?"}},
		{`BEGIN { count(); }`, []string{"count() is an aggregation"}},
		{`BEGIN { signal(9); }`, []string{"needs --unsafe"}},
		{`BEGIN { break; }`, []string{"break outside a loop"}},
		{`uprobe:/nonexistent/sh:main { @x = count(); }`, []string{"1:1: /nonexistent/sh: no such file or directory"}},
		{`uprobe:/bin/sh { @x = count(); }`, []string{"1:1: want uprobe:BINARY:FUNCTION[+OFFSET]"}},
		{`usdt:/bin/sh:nope:nope { @x = count(); }`, []string{"1:1: /bin/sh has no USDT probe nope:nope"}},
		{`uretprobe:libc:malloc { @x = arg0; }`, []string{"arg0 is not available in uretprobe probes"}},
		{`BEGIN { @x = pidd; }`, []string{"unknown identifier pidd", "did you mean one of pid"}},
		{`tracepoint:sched:nope { @x = count(); }`, []string{"tracepoint not found: sched:nope"}},
		{`kprobe:syscalls:sys_exit_nanosleep { @x = count(); }`, []string{"1:1: kprobe probe type requires 1 argument"}},
		{`kretprobe:_raw_spin_lock { @x = count(); }`, []string{"1:1: error: kretprobe:_raw_spin_lock can't be used as it might lock up your system."}},
		{`BEGIN { unroll (0) { @x = 1; } }`, []string{"1:17: unroll minimum value is 1"}},
		{`BEGIN { unroll (101) { @x = 1; } }`, []string{"1:17: unroll maximum value is 100"}},
		{`BEGIN { @x = kaddr("no_such_symbol_zz"); }`, []string{"Failed to resolve kernel symbol: no_such_symbol_zz"}},
		{`struct A { int x[4]; } BEGIN { $a = (struct A *)0; @x = $a->x[5]; }`, []string{"the index 5 is out of bounds for array of size 4"}},
		{`uprobe:/bin/sh:10 { @x = count(); }`, []string{"1:1: Could not resolve address: /bin/sh:0xa"}},
		{`kprobe:ip_output { @x = arg0; } END { print(@y); }`, []string{"map @y is used but never assigned"}},
		{`tracepoint:net:netif_receive_skb /pcap("tcp and port 99999", args->skbaddr)/ {}`, []string{"1:54: \"99999\" is not a port (0 to 65535)", "^~~~~"}},
		{`tracepoint:net:netif_receive_skb /pcap("hots 192.0.2.1", args->skbaddr)/ {}`, []string{"1:41: \"hots\" is not an IPv4 or IPv6 address", "did you mean one of host"}},
		{`tracepoint:net:netif_receive_skb /pcap("tcp", args->len)/ {}`, []string{"1:47: pcap() reads a struct sk_buff *, not unsigned int"}},
		{`tracepoint:net:netif_receive_skb { $f = "tcp"; @x[pcap($f, args->skbaddr)] = count(); }`, []string{"pcap's filter must be a string literal"}},
		{`tc:ingress:eth0 { @x[pid] = count(); }`, []string{"1:22: pid is not available in tc probes", "^~~"}},
		{`tc:egress:eth0 { @x[comm] = count(); }`, []string{"comm is not available in tc probes"}},
		{`tc:egress:eth0 { @x = arg0; }`, []string{"1:23: arg0 exists only in kprobe"}},
		{`tc:egress:eth[0 { @x = count(); }`, []string{"1:1: bad wildcard \"eth[0\""}},
		{`kprobe:ip_output { @x = skb; }`, []string{"skb exists only in tc probes and in probes with the argument selector"}},
	} {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: tc.src})
		if err != nil {
			t.Errorf("%s: parse: %v", tc.src, err)
			continue
		}
		_, err = Compile(prog, fakeKernel(t), Options{})
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.src, tc.want)
			continue
		}
		if _, ok := lang.AsError(err); !ok {
			t.Errorf("%s: %T is not a *lang.Error: %v", tc.src, err, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s:\n got %v\nwant %q", tc.src, err, w)
			}
		}
	}
}
