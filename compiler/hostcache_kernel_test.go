package compiler

import (
	"fmt"
	"os"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// On the running kernel, the seed 000 line compiles the same with and
// without kernel.Host's on-disk cache, cold and warm: the cache is no
// input of the compiler's output.
func TestHostCacheSameCompile(t *testing.T) {
	ktest.RequireBTF(t)
	text, err := os.ReadFile("testdata/seed000.lines")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := line.Parse(&lang.Source{Name: "seed000.lines", Text: string(text)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var outs []string
	for _, k := range []*kernel.Host{{NoCache: true}, {CacheDir: dir}, {CacheDir: dir}} {
		p, err := Compile(prog, k, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Probes) == 0 || p.Probes[0].SeenBy == nil {
			t.Fatalf("ip_output: no SeenBy")
		}
		outs = append(outs, Listing(p)+describe(p)+fmt.Sprint(*p.Probes[0].SeenBy))
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Errorf("compiles differ with the cache:\n%s\n---\n%s", outs[0], outs[1])
	}
}
