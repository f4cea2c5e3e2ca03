package compiler

import (
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestConstTruth evaluates predicates of bound parameters before the
// program runs; those with a part known only at run time stay unknown,
// unless a known side of && or || settles them.
func TestConstTruth(t *testing.T) {
	for _, c := range []struct {
		pred        string
		truth, know bool
	}{
		{`1`, true, true},
		{`0`, false, true},
		{`!0`, true, true},
		{`"tcp" == "tcp"`, true, true},
		{`"tcp" != "tcp"`, false, true},
		{`str("") == ""`, true, true},
		{`strcontains("tcp,udp", "udp")`, true, true},
		{`strcontains("tcp,udp", "icmp")`, false, true},
		{`0 || "" == "" && strcontains("a,b", "b")`, true, true},
		{`2 > 1 && 3 - 3 == 0`, true, true},
		{`0 && pid == 1`, false, true},
		{`1 || pid == 1`, true, true},
		{`pid == 1 && 0`, false, true},
		{`$x++ && 0`, false, false},
		{`1 && pid == 1`, false, false},
		{`0 || pid == 1`, false, false},
		{`pid == 1`, false, false},
		{`"a" == comm`, false, false},
		{`getopt("t", "") == "" && !getopt("all") && getopt("port", 0) == 0`, true, true},
		{`strcontains(getopt("t", "udp,tcp", "udp,tcp,icmp"), "icmp")`, false, true},
	} {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: "BEGIN / " + c.pred + " / { }"})
		if err != nil {
			t.Fatalf("%s: %v", c.pred, err)
		}
		truth, know := constTruth(prog.Probes[0].Pred)
		if know != c.know || know && truth != c.truth {
			t.Errorf("constTruth(%s) = %v, %v; want %v, %v", c.pred, truth, know, c.truth, c.know)
		}
	}
}

// TestConstPredicateAttaches: a block whose predicate is known false is
// not compiled, so nothing attaches for it; one known true has no test;
// a side of && or || the other decides is not compiled (pcap("") would
// be an error).
func TestConstPredicateAttaches(t *testing.T) {
	for _, c := range []struct {
		src    string
		probes int
	}{
		{`kprobe:ip_output / 0 / { } kprobe:dev_queue_xmit { }`, 1},
		{`kprobe:ip_output / "" != "" && pcap("", arg0) / { } BEGIN { }`, 1},
		{`kprobe:ip_output / strcontains("tcp,udp", "udp") / { } BEGIN { }`, 2},
		{`kprobe:ip_output / "" == "" || pcap("", arg0) / { } BEGIN { }`, 2},
		{`kprobe:ip_output / pid == 1 || 0 / { } BEGIN { }`, 2},
		// probe is known in each program: the kretprobe's side is not
		// compiled into the kprobe, nor the kprobe's into the kretprobe.
		{`kprobe:ip_output, kretprobe:ip_output { if (strcontains(probe, "kretprobe:")) { $y = retval; } else { $x = arg0; } }`, 2},
	} {
		p, err := compileScript(t, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if len(p.Probes) != c.probes {
			t.Errorf("%s: %d programs, want %d", c.src, len(p.Probes), c.probes)
		}
	}
}
