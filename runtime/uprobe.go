package runtime

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/surftrace/surftrace/spec"
)

// attachUser attaches a uprobe, uretprobe or USDT probe at the file
// offset the compiler resolved, limited to Options.PID when set. A USDT
// semaphore is counted up by the kernel (ref_ctr_offset, Linux 4.20+)
// while the probe is attached, so the target's "is the probe enabled"
// checks see it in every process that maps the file, started before or
// after.
func (t *Tracer) attachUser(probe *spec.Probe, prog *ebpf.Program) (link.Link, error) {
	ex, err := link.OpenExecutable(probe.Target)
	if err != nil {
		return nil, err
	}
	opts := &link.UprobeOptions{Address: probe.Offset, PID: t.opts.PID, RefCtrOffset: probe.Semaphore,
		TraceFSPrefix: "surftrace"}
	// The symbol only names the event when cilium/ebpf falls back to
	// tracefs; the address decides where the probe goes.
	sym := filepath.Base(probe.Target) + "_" + strconv.FormatUint(probe.Offset, 16)
	var l link.Link
	if probe.Kind == spec.AttachUretprobe {
		l, err = ex.Uretprobe(sym, prog, opts)
	} else {
		l, err = ex.Uprobe(sym, prog, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s at offset %#x: %w", probe.Target, probe.Offset, err)
	}
	return l, nil
}
