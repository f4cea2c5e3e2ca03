package folded_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/runtime/folded"
)

// TestFoldedGetppid traces getppid with -s and writes the stacks folded:
// the syscall entry's stack must show up root first, counted 3 times.
func TestFoldedGetppid(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints)
	// common_pid is the thread id: stay on this thread to call getppid.
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	src := &lang.Source{Name: "<line 1>", Text: "e syscalls/sys_enter_getppid f:common_pid==" + strconv.Itoa(syscall.Gettid())}
	prog, err := line.Parse(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Compile(prog, &compiler.HostKernel{}, compiler.Options{Stack: true})
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
		syscall.Getppid()
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
