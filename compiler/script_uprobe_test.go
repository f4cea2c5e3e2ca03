package compiler

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel/uelf"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/spec"
)

// TestGoldenUprobes compiles testdata/uprobe/probes.st against the gcc-built
// fixture and compares the listing with testdata/uprobe/probes.golden; the
// fixture's temporary path prints as @PROBES@. The USDT argument loads
// follow the notes gcc wrote, so a different gcc may need -update.
func TestGoldenUprobes(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	text, err := os.ReadFile("testdata/uprobe/probes.st")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(text), "@PROBES@", bin)
	prog, err := script.Parse(&lang.Source{Name: "probes.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, pr := range p.Probes {
		if pr.Kind.User() {
			fmt.Fprintf(&b, "%s: offset in file: %v, semaphore: %v\n", pr.Name, pr.Offset != 0, pr.Semaphore != 0)
		}
	}
	got := strings.ReplaceAll(b.String()+Listing(p)+describe(p)+describeScript(p), bin, "@PROBES@")
	compareGolden(t, "testdata/uprobe/probes.golden", got)
	for _, pr := range p.Probes {
		l := fmt.Sprint(pr.Spec.Instructions)
		if pr.Kind.User() && strings.Contains(l, "ProbeReadKernel") {
			t.Errorf("%s reads kernel memory:\n%s", pr.Name, l)
		}
		if pr.Kind == spec.AttachUsdt && pr.Semaphore == 0 {
			t.Errorf("%s: no semaphore, but the fixture gives every probe one", pr.Name)
		}
	}
}

// TestUprobeCPP matches C++ functions by their mangled or demangled
// names, as bpftrace 0.17 does, and names the probes by the mangled ones.
func TestUprobeCPP(t *testing.T) {
	bin := ktest.BuildCPP(t)
	cases := []struct {
		target string
		want   []string
	}{
		{`"surf::twice*"`, []string{"_ZN4surf5twiceEi", "_ZN4surf5twiceEl"}},
		{`"surf::twice(long)"`, []string{"_ZN4surf5twiceEl"}},
		{`_ZN4surf3Box3addEi`, []string{"_ZN4surf3Box3addEi"}},
		{`"surf::Box::add(int)"+4`, []string{"_ZN4surf3Box3addEi+4"}},
	}
	for _, c := range cases {
		src := "uprobe:" + bin + ":" + c.target + " { @[probe] = count(); }"
		prog, err := script.Parse(&lang.Source{Name: "cpp.st", Text: src})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(prog, fakeKernel(t), Options{})
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		var got []string
		for _, pr := range p.Probes {
			got = append(got, strings.TrimPrefix(pr.Name, "uprobe:"+bin+":"))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: probes %q, want %q", c.target, got, c.want)
		}
	}
}

// TestUprobeAddress attaches at a 0x address as at the function there,
// and names the probe by the address in decimal, as bpftrace 0.17 does.
func TestUprobeAddress(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	prog, err := script.Parse(&lang.Source{Name: "a.st", Text: "uprobe:" + bin + ":surf_add { @ = count(); }"})
	if err != nil {
		t.Fatal(err)
	}
	byName, err := Compile(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := uelf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, _ := f.Lookup("surf_add")
	prog, err = script.Parse(&lang.Source{Name: "a.st", Text: fmt.Sprintf("uprobe:%s:%#x { @ = count(); }", bin, s.Value)})
	if err != nil {
		t.Fatal(err)
	}
	byAddr, err := Compile(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, n := byAddr.Probes[0], byName.Probes[0]
	if want := fmt.Sprintf("uprobe:%s:%d", bin, s.Value); a.Name != want || a.Offset != n.Offset || a.Target != n.Target {
		t.Errorf("by address: %s at %s+%#x; want %s at %s+%#x", a.Name, a.Target, a.Offset, want, n.Target, n.Offset)
	}
}

// A USDT wildcard expands into its probes sorted by name, as bpftrace's
// (the fixture's notes are in another order: args, strarg, global,
// withsem), so that the runtime attaches them in bpftrace's order.
func TestUSDTWildcardOrder(t *testing.T) {
	bin := ktest.BuildProbes(t, "-O0")
	prog, err := script.Parse(&lang.Source{Name: "o.st", Text: "usdt:" + bin + ":surf:* { @[probe] = count(); }"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(prog, fakeKernel(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range p.Probes {
		got = append(got, strings.TrimPrefix(pr.Name, "usdt:"+bin+":"))
	}
	if want := []string{"surf:args", "surf:global", "surf:strarg", "surf:withsem"}; !reflect.DeepEqual(got, want) {
		t.Errorf("probes %v, want %v", got, want)
	}
}
