package compiler

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/lang/script"
)

// FuzzCompile compiles random expression lines against the fake kernel:
// any input may fail, none may panic or yield an internal error.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`p ip_output proto=@(struct iphdr*)l3%2->protocol ip_dst=@(struct iphdr*)l3%2->daddr b16_dest=@(struct udphdr*)l3%2->dest comm=$comm body=@(struct udphdr*)l3%2->Sdata[0] f:proto==17&&ip_dst==10.0.1.221`,
		`p _do_fork comm=%0->comm users=S%0->mm->mm_users f:common_pid==1&&(comm==python||users<4)`,
		`p _do_fork comm=%0->comm node=%0->pids[1].node.next`,
		`r _do_fork r=$retval`,
		`p _do_fork+21 r=%r12 x=!(u8)%di`,
		`e sched/sched_stat_wait c=comm f:delay>1000000&&comm~"ssh*"`,
		`e net/netif_receive_skb ip6_src=@(struct ipv6hdr *)h skbaddr->saddr f:ip6_src==::1`,
	} {
		f.Add(s)
	}
	k := fakeKernel(f)
	f.Fuzz(func(t *testing.T, text string) {
		prog, err := line.Parse(&lang.Source{Name: "<fuzz>", Text: text}, 0)
		if err != nil {
			return
		}
		_, err = Compile(prog, k, Options{})
		if err != nil {
			if _, ok := lang.AsError(err); !ok && !isLimit(err) {
				t.Fatalf("%q: not a positioned error: %v", text, err)
			}
		}
	})
}

// isLimit reports errors about program size, which have no position.
func isLimit(err error) bool {
	return errors.Is(err, codegen.ErrTooComplex) || errors.Is(err, codegen.ErrStackFull) || errors.Is(err, codegen.ErrTooLarge)
}

// FuzzCompileScript compiles random .st scripts against the fake kernel,
// seeded with lang/script's corpus and the golden scripts: any input may
// fail, none may panic or yield an internal error.
func FuzzCompileScript(f *testing.F) {
	for _, dir := range []string{"../lang/script/testdata/corpus/*.st", "testdata/*.st", "../stdlib/*.st", "../scripts/*.st"} {
		files, _ := filepath.Glob(dir)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(string(b))
			}
		}
	}
	k := fakeKernel(f)
	f.Fuzz(func(t *testing.T, text string) {
		prog, err := script.Parse(&lang.Source{Name: "<fuzz>", Text: text})
		if err != nil {
			return
		}
		_, err = Compile(prog, k, Options{Params: []string{"1", "x"}})
		if err != nil {
			if _, ok := lang.AsError(err); !ok && !isLimit(err) {
				t.Fatalf("%q: not a positioned error: %v", text, err)
			}
		}
	})
}
