package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/lang/script"
)

const openatFormat = `name: sys_enter_openat
ID: 782
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int dfd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:int flags;	offset:32;	size:8;	signed:0;
	field:umode_t mode;	offset:40;	size:8;	signed:0;
`

// TestSyscallArgsAreUserMemory checks that pointer arguments of syscalls
// tracepoints are read with the user helpers, through scratch variables
// too, and that kernel pointers still use the kernel ones.
func TestSyscallArgsAreUserMemory(t *testing.T) {
	cases := []struct{ src, want, not string }{
		{`tracepoint:syscalls:sys_enter_openat { printf("%s\n", str(args->filename)); }`, "ProbeReadUserStr", "ProbeReadKernelStr"},
		{`tracepoint:syscalls:sys_enter_openat { $f = args->filename; @[str($f)] = count(); }`, "ProbeReadUserStr", "ProbeReadKernelStr"},
		{`tracepoint:syscalls:sys_enter_openat { printf("%d\n", *args->filename); }`, "ProbeReadUser", "ProbeReadKernel"},
		{`tracepoint:syscalls:sys_enter_openat { print(buf(args->filename, 4)); }`, "ProbeReadUser", "ProbeReadKernel"},
		{`kprobe:ip_output { printf("%s\n", str(arg0)); }`, "ProbeReadKernelStr", "ProbeReadUser"},
	}
	for _, c := range cases {
		k := fakeKernel(t)
		k.Formats["syscalls/sys_enter_openat"] = openatFormat
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: c.src})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, k, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		l := Listing(p)
		if !strings.Contains(l, c.want) || strings.Contains(l, c.not) {
			t.Errorf("%s: want a call of %s and none of %s:\n%s", c.src, c.want, c.not, l)
		}
	}
}

// TestSyscallLineStrings checks that an e line on a syscalls tracepoint
// reads a char * field as a user string.
func TestSyscallLineStrings(t *testing.T) {
	k := fakeKernel(t)
	k.Formats["syscalls/sys_enter_openat"] = openatFormat
	prog, err := line.Parse(&lang.Source{Name: "t.lines", Text: "e syscalls/sys_enter_openat fn=filename\n"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(prog, k, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l := Listing(p); !strings.Contains(l, "ProbeReadUserStr") || strings.Contains(l, "ProbeReadKernelStr") {
		t.Errorf("want filename read with probe_read_user_str:\n%s", l)
	}
}
