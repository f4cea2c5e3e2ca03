package folded_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/runtime/folded"
)

// TestFoldedUDPDrops traces the drops of UDP datagrams sent to a closed
// loopback port with -s and writes the stacks folded: the sendto system
// call's stack must show up root first, counted 3 times. (A kernel-context
// event: before 6.x, syscall tracepoints had no kernel stack.)
func TestFoldedUDPDrops(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sport := conn.LocalAddr().(*net.UDPAddr).Port
	src := &lang.Source{Name: "<line 1>", Text: "e skb/kfree_skb b16_sport=@(struct udphdr *)h skbaddr->source f:b16_sport==" + strconv.Itoa(sport)}
	prog, err := line.Parse(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(prog, &kernel.Host{}, compiler.Options{Stack: true})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := runtime.Load(p, runtime.Options{MaxEvents: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Attach(); err != nil {
		t.Fatal(err)
	}
	stacks := folded.New()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var text bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := tr.Run(ctx, runtime.Output{W: &text, Stack: stacks.Add}); err != nil {
			t.Error(err)
		}
	})
	for range 3 {
		if _, err := conn.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	file := filepath.Join(t.TempDir(), "out.folded")
	if err := stacks.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(file)
	t.Logf("folded:\n%s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	total := 0
	for _, l := range lines {
		frames, count, ok := strings.Cut(l, " ")
		if !ok || strings.Contains(frames, "+0x") {
			t.Errorf("bad folded line %q", l)
		}
		total += atoi(count)
		if !strings.HasPrefix(frames, "entry_SYSCALL") && !strings.HasPrefix(frames, "do_syscall") {
			t.Errorf("stack %q does not start at the syscall entry", frames)
		}
	}
	if total != 3 {
		t.Errorf("stacks counted %d times, want 3", total)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
