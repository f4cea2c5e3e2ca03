package compiler

import (
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
	"github.com/surftrace/surftrace/stdlib"
)

// kfreeSkb510Format is skb:kfree_skb as kernels before 5.17 have it: no
// reason field.
const kfreeSkb510Format = `name: kfree_skb
ID: 1473
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:void * skbaddr;	offset:8;	size:8;	signed:0;
	field:void * location;	offset:16;	size:8;	signed:0;
	field:unsigned short protocol;	offset:24;	size:2;	signed:0;

print fmt: "skbaddr=%p protocol=%u location=%p", REC->skbaddr, REC->protocol, REC->location
`

// TestDropWithoutReason: the drop script compiles where skb:kfree_skb has
// no reason (before 5.17) and prints "-" for it, and where it has one
// prints the kernel's enum by name: if comptime (has_field(args,
// "reason")) picks the branch.
func TestDropWithoutReason(t *testing.T) {
	ktest.RequireBTF(t)
	types, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	drop, _ := stdlib.Get("drop")
	for _, c := range []struct {
		name, format string
		want         spec.Render
	}{
		{"5.10", kfreeSkb510Format, spec.RenderString},
		{"6.1", kfreeSkbFormat, spec.RenderEnum},
	} {
		t.Run(c.name, func(t *testing.T) {
			prog, err := script.Parse(&lang.Source{Name: drop.File, Text: drop.Text})
			if err != nil {
				t.Fatal(err)
			}
			k := &kernel.Static{Types: types, Formats: map[string]string{"skb/kfree_skb": c.format}}
			p, err := Compile(prog, k, Options{})
			if err != nil {
				t.Fatalf("%v", err)
			}
			var reasons []spec.Render
			for _, ev := range p.Events {
				for _, f := range ev.Fields {
					if f.Name == "$reason" {
						reasons = append(reasons, f.Render)
					}
				}
			}
			if len(reasons) == 0 {
				t.Fatal("no printed field is $reason")
			}
			for _, r := range reasons {
				if r != c.want {
					t.Errorf("$reason prints as %v, want %v", r, c.want)
				}
			}
		})
	}
}
