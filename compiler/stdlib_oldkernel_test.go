package compiler

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
	"github.com/surftrace/surftrace/stdlib"
)

// kfreeSkb510Format is skb:kfree_skb as kernels before 5.17 have it:
// 6.1's without the reason field.
var kfreeSkb510Format = strings.Replace(kfreeSkbFormat, "\tfield:enum skb_drop_reason reason;\toffset:28;\tsize:4;\tsigned:0;\n", "", 1)

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
			if strings.Contains(c.format, "reason;") != (c.want == spec.RenderEnum) {
				t.Fatalf("format %s: the reason field is not as the case says", c.name)
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
