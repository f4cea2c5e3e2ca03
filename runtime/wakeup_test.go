package runtime

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestRecordsWithoutWakeup: most records are written with
// BPF_RB_NO_WAKEUP (compiler/internal/codegen/ringbuf.go), so Run must find them by its
// poll timer: records in the ring before it starts, and one written while
// it waits on an empty ring.
func TestRecordsWithoutWakeup(t *testing.T) {
	ktest.RequireFeature(t, ktest.Tracepoints, ktest.Ringbuf)
	p := getppidProgram(1 << 16)
	p.Events[0].Stack = -1 // no symbols to load: the reader must be idle, waiting, at the third record
	insns := p.Probes[0].Spec.Instructions
	for i := range insns[1:] {
		if insns[i+1].IsBuiltinCall() && insns[i+1].Constant == int64(asm.FnRingbufSubmit) {
			insns[i] = asm.Mov.Imm(asm.R2, 1) // BPF_RB_NO_WAKEUP
		}
	}
	tr := loadAndAttach(t, p, Options{MaxEvents: 3})
	syscall.Getppid()
	syscall.Getppid()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx, Output{W: &out}) }()
	time.Sleep(300 * time.Millisecond)
	syscall.Getppid()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		cancel()
		<-done
		t.Fatalf("Run still waited 5s after the third record; it printed:\n%s", out.String())
	}
	if n := strings.Count(out.String(), ": e0: "); n != 3 {
		t.Errorf("%d trace lines, want 3:\n%s", n, out.String())
	}
}
