package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

const closeFormat = `name: sys_enter_close
ID: 776
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:unsigned int fd;	offset:16;	size:8;	signed:0;

print fmt: "fd: 0x%08lx", ((unsigned long)(REC->fd))
`

// TestFtraceHist lowers the keyed counts ftrace can run to hist triggers
// and checks that every other script construct is a positioned error
// naming it.
func TestFtraceHist(t *testing.T) {
	k := seedKernel{skbData: 0xe8}.kernel(t)
	k.Formats = map[string]string{"syscalls/sys_enter_close": closeFormat}
	compile := func(text string) (*spec.Ftrace, error) {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: text})
		if err != nil {
			t.Fatalf("parse %q: %v", text, err)
		}
		return CompileFtrace(prog, k, Options{})
	}
	for _, c := range []struct{ src, trigger, def string }{
		{"tracepoint:syscalls:sys_enter_close { @[args.fd] = count() }", "hist:keys=fd:vals=hitcount", ""},
		{"tracepoint:syscalls:sys_enter_close { @n[args->__syscall_nr] = count() }", "hist:keys=__syscall_nr:vals=hitcount", ""},
		{"kprobe:ip_output { @[arg2] = count() }", "hist:keys=key:vals=hitcount", "p:GROUP/s0 ip_output key=%dx:u64"},
		{"kprobe:ip_output { @[comm] = count() }", "hist:keys=key:vals=hitcount", "p:GROUP/s0 ip_output key=$comm"},
	} {
		f, err := compile(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		p := f.Probes[0]
		if p.Hist == nil || p.Hist.Trigger() != c.trigger || p.Def != c.def {
			t.Errorf("%s: hist %+v def %q; want trigger %q def %q", c.src, p.Hist, p.Def, c.trigger, c.def)
		}
	}
	for _, c := range []struct{ src, at, msg string }{
		{"kprobe:ip_output { @[arg0] = sum(arg1) }", "sum(arg1)", "aggregation sum()"},
		{"kprobe:ip_output { @[arg0] = hist(arg1) }", "hist(arg1)", "aggregation hist()"},
		{"kprobe:ip_output { @x = 1 }", "@x = 1", "cannot keep maps"},
		{"kprobe:ip_output { @[arg0 + 1] = count() }", "arg0 + 1", "arithmetic on fetched values"},
		{"kprobe:ip_output { $x = arg0 }", "$x", "scratch variables ($x)"},
		{"kprobe:ip_output { while (1) { } }", "while (1) { }", "loops (while)"},
		{"kprobe:ip_output { printf(\"hi\\n\") }", "printf(\"hi\\n\")", "printf()"},
		{"kprobe:ip_output { @[((struct sk_buff *)arg2)->len] = count() }", "((struct sk_buff *)arg2)->len", "cannot compute this key"},
		{"tracepoint:syscalls:sys_enter_close { @[args.nosuch] = count() }", "args.nosuch", "no field nosuch"},
		{"kprobe:ip_output /arg0 == 1/ { @[arg0] = count() }", "arg0 == 1", "script predicate"},
	} {
		_, err := compile(c.src)
		e, ok := lang.AsError(err)
		if !ok || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.src, err, c.msg)
			continue
		}
		if at := strings.Index(c.src, c.at); e.Pos.Offset != at {
			t.Errorf("%s: error at offset %d, want %d (%q):\n%v", c.src, e.Pos.Offset, at, c.at, err)
		}
	}
}
