package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/surftrace/surftrace/spec"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/kernel/tracingdir"
	"github.com/surftrace/surftrace/lang"
)

// ErrNoKprobes says the running kernel cannot attach kprobes at all.
var ErrNoKprobes = errors.New("this kernel has no kprobes (CONFIG_KPROBES or CONFIG_KPROBE_EVENTS is off: " +
	"no kprobe PMU in /sys/bus/event_source/devices and no kprobe_events in tracefs); use a tracepoint instead")

// kprobePMU is the perf PMU through which kprobes can be created; the
// other way is kprobe_events in tracefs.
const kprobePMU = "sys/bus/event_source/devices/kprobe"

// kprobesMissing reports whether root (the file system root) shows no way
// to create a kprobe: no PMU, and no kprobe_events where tracefs may be.
func kprobesMissing(root fs.FS) bool {
	paths := []string{kprobePMU}
	for _, dir := range tracingdir.Roots {
		paths = append(paths, strings.TrimPrefix(dir, "/")+"/kprobe_events")
	}
	for _, p := range paths {
		if _, err := fs.Stat(root, p); err == nil {
			return false
		}
	}
	return true
}

// AttachError is an attach failure positioned in an expression line: the
// message, the source line with a caret, and a hint. It unwraps to the
// diagnostic and to the cause (ErrNoKprobes, or the kernel's error).
type AttachError struct {
	Diag  *lang.Error
	Cause error
}

func (e *AttachError) Error() string   { return e.Diag.Error() }
func (e *AttachError) Unwrap() []error { return []error{e.Diag, e.Cause} }

// kprobeError explains why probe's kprobe did not attach: the kernel has
// no kprobes at all (missing), or refused the probe's offset. Expression
// lines (whose Probe has an End) get an *AttachError; other probes the
// cause, wrapped in ErrNoKprobes when missing.
func kprobeError(probe *spec.Probe, err error, missing bool) error {
	span, positioned := attachSpan(probe)
	switch {
	case err == nil:
		return nil
	case missing && positioned:
		kind := "p"
		if probe.Kind == spec.AttachKretprobe {
			kind = "r"
		}
		diag := lang.Errorf(span, "this kernel has no kprobes (CONFIG_KPROBES is off): %s %s cannot attach",
			kind, sourceText(span))
		return &AttachError{Diag: diag.WithHint(seenByHint(probe.SeenBy)), Cause: fmt.Errorf("%w (%w)", ErrNoKprobes, err)}
	case missing:
		return fmt.Errorf("%w (%v)", ErrNoKprobes, err)
	case probe.Offset > 0 && offsetRefused(err):
		at := fmt.Sprintf("%s+%#x", probe.Target, probe.Offset)
		if !positioned {
			return fmt.Errorf("kprobe at %s: the kernel refused this offset (not an instruction boundary?): %w", at, err)
		}
		if i := strings.LastIndexByte(sourceText(span), '+'); i >= 0 {
			span.Pos = lang.PosAt(span.Pos.Src, span.Pos.Offset+i)
		}
		diag := lang.Errorf(span, "kprobe at %s: the kernel refused this offset (not an instruction boundary?)", at)
		return &AttachError{Diag: diag, Cause: err}
	}
	return err
}

// offsetRefused reports whether err is how the kernel (or cilium/ebpf
// retrying with the syscall prefix) answers a kprobe at an offset that is
// no instruction boundary: EILSEQ, turned into EINVAL by trace_kprobe,
// then ENOENT for the prefixed name.
func offsetRefused(err error) bool {
	return errors.Is(err, unix.EILSEQ) || errors.Is(err, unix.EINVAL) || errors.Is(err, fs.ErrNotExist)
}

// attachSpan returns the span of probe's attach point when the compiler
// recorded its end (expression lines do).
func attachSpan(probe *spec.Probe) (lang.Span, bool) {
	s := lang.Span{Pos: probe.Pos, End: probe.End}
	ok := s.Pos.Src != nil && s.Pos.IsValid() && s.End.IsValid() &&
		s.Pos.Offset <= s.End.Offset && s.End.Offset <= len(s.Pos.Src.Text)
	return s, ok
}

// sourceText returns the text span covers.
func sourceText(s lang.Span) string {
	return s.Pos.Src.Text[s.Pos.Offset:s.End.Offset]
}

// seenByHint names tracepoints to use instead of a kprobe:
// "tracepoints that see a struct sk_buff: skb:kfree_skb, ...; e.g. e
// skb/kfree_skb ...".
func seenByHint(sb *spec.SeenBy) string {
	if sb == nil || len(sb.Events) == 0 {
		return "use a tracepoint instead: e SUBSYS/EVENT"
	}
	list := strings.Join(sb.Events, ", ")
	if sb.More {
		list += ", ..."
	}
	return fmt.Sprintf("tracepoints that see a %s: %s; e.g. e %s ...",
		sb.Type, list, strings.Replace(sb.Events[0], ":", "/", 1))
}
