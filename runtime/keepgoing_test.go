package runtime

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/spec"
)

// TestKeepGoing: a kprobe one byte into ip_rcv cannot attach on either
// kernel (no kprobes on the host; not an instruction boundary in the VM).
// Without KeepGoing that ends Attach; with it, the tracepoint beside it
// attaches and AttachErrors says which probe is missing; when nothing
// attaches, Attach fails even so.
func TestKeepGoing(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	compile := func(text string) *spec.Program {
		prog, err := line.Parse(&lang.Source{Name: "<line>", Text: text}, 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := compiler.Compile(prog, &kernel.Host{}, compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	both := compile("p ip_rcv+1\ne sched/sched_process_exec")
	for _, keep := range []bool{false, true} {
		tr, err := Load(both, Options{KeepGoing: keep})
		if err != nil {
			t.Fatal(err)
		}
		err = tr.Attach()
		errs := tr.AttachErrors()
		tr.Close()
		if !keep {
			if err == nil || errs[0] != nil {
				t.Errorf("without KeepGoing: Attach %v, AttachErrors %v; want an error, none kept", err, errs)
			}
			continue
		}
		if err != nil || errs[0] == nil || errs[1] != nil || !strings.Contains(errs[0].Error(), "ip_rcv") {
			t.Errorf("KeepGoing: Attach %v, AttachErrors %v; want nil, [ip_rcv's error, nil]", err, errs)
		}
	}
	tr, err := Load(compile("p ip_rcv+1"), Options{KeepGoing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Attach(); err == nil {
		t.Error("KeepGoing with no probe attached: Attach succeeded")
	}
}
