package runtime

import (
	"golang.org/x/sys/unix"

	"fmt"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/surftrace/surftrace/runtime/ksym"
	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// renderer turns raw field bytes into text according to a spec.Render.
type renderer struct {
	syms   *ksym.Lazy
	stacks stackReader // nil when the program takes no stacks
	usyms  userSyms    // names the frames of user stacks
	// wallNS is CLOCK_REALTIME minus CLOCK_MONOTONIC, for strftime().
	wallNS int64
	// cgroups caches cgroup_path() renders, which walk the cgroup trees,
	// by id and filter.
	cgroups map[[2]string]string
}

// stackReader returns the frames of a stack id in the stacks map.
type stackReader func(id int64) ([]uint64, error)

// Stack indentation as bpftrace prints kstack values and keys.
const (
	stackValueIndent = 8
	stackKeyIndent   = 4
)

// text renders b as a value outside trace lines: strings unquoted, stacks
// as bpftrace prints a kstack value.
func (r *renderer) text(b []byte, rd spec.Render) string {
	return r.render(b, rd, stackValueIndent)
}

// field renders f's bytes b as text; a tuple prints as bpftrace prints
// one, "(1, abc)".
func (r *renderer) field(b []byte, f *spec.Field) string {
	if f != nil && f.Render == spec.RenderStrftime {
		return r.strftime(b, f)
	}
	if f != nil && f.Render == spec.RenderCgroupPath {
		return r.cgroupPath(render.Uint(b), f.Format)
	}
	if f != nil && f.Render == spec.RenderEnum {
		return render.Enum(b, f.Enum)
	}
	if f != nil && spec.IsUserRender(f.Render) {
		return userFunc(b, f)
	}
	if isAggregate(f) {
		return r.aggregateText(b, f, false)
	}
	if f == nil || f.Render != spec.RenderTuple {
		return r.text(b, renderOf(f))
	}
	parts := make([]string, len(f.Elems))
	for i, e := range f.Elems {
		parts[i] = r.field(fieldOf(b, e), e)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// key renders b as a map key element, as bpftrace prints keys.
func (r *renderer) key(b []byte, rd spec.Render) string {
	return r.render(b, rd, stackKeyIndent)
}

// traceValue renders b for a name=value pair of a trace line: strings are
// quoted as ftrace quotes string fields.
func (r *renderer) traceValue(b []byte, rd spec.Render) string {
	if s, ok := render.TraceValue(b, rd); ok {
		return s
	}
	return r.render(b, rd, stackValueIndent)
}

// render renders b by rd: the kernel-dependent renders here, the rest in
// package render, which the ftrace backend shares.
func (r *renderer) render(b []byte, rd spec.Render, indent int) string {
	switch rd {
	case spec.RenderKsym:
		return r.syms.Table().Symbolize(render.Uint(b))
	case spec.RenderSym:
		return r.syms.Table().Name(render.Uint(b))
	case spec.RenderStackID:
		return r.bpftraceStack(render.Int(b), indent)
	case spec.RenderUsym:
		if len(b) == 16 {
			addr := render.Uint(b[:8])
			if name, _, _, ok := r.usyms.lookup(uint32(render.Uint(b[8:])), addr); ok {
				return name
			}
			return fmt.Sprintf("0x%x", addr)
		}
	case spec.RenderUsername:
		return username(render.Uint(b))
	}
	s, _ := render.Value(b, rd)
	return s
}

// frames returns the addresses of stack id, stopping at the first zero.
func (r *renderer) frames(id int64) ([]uint64, error) {
	if id < 0 {
		return nil, fmt.Errorf("no stack (error %d)", id)
	}
	if r.stacks == nil {
		return nil, fmt.Errorf("no stacks map")
	}
	addrs, err := r.stacks(id)
	if err != nil {
		return nil, err
	}
	for i, a := range addrs {
		if a == 0 {
			return addrs[:i], nil
		}
	}
	return addrs, nil
}

// bpftraceStack renders a stack as bpftrace prints kstack: a newline, then
// one "symbol+decimal offset" line per frame, indented; kstack(perf) puts a
// tab and the hex address before each symbol instead.
func (r *renderer) bpftraceStack(id int64, indent int) string {
	if id == -int64(unix.EFAULT) {
		// bpf_get_stackid found no frame (a perf event that
		// interrupted user space asked for kstack): bpftrace prints
		// an empty stack.
		return ""
	}
	addrs, err := r.frames(id)
	if err != nil {
		return "[" + err.Error() + "]"
	}
	perf := id&spec.StackPerf != 0
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("\n")
	// lookup names a frame; perf mode puts a user frame's file after it.
	lookup := func(a uint64) (string, uint64, string, bool) {
		s, off, ok := r.syms.Table().Lookup(a)
		return s.Name, off, "", ok
	}
	if pid := uint32(id>>spec.StackPIDShift) & spec.StackPIDMask; pid != 0 {
		lookup = func(a uint64) (string, uint64, string, bool) { return r.usyms.lookup(pid, a) }
	}
	for _, a := range addrs {
		if perf {
			fmt.Fprintf(&b, "\t%x ", a)
		} else {
			b.WriteString(pad)
		}
		if name, off, file, ok := lookup(a); ok && perf && file != "" {
			fmt.Fprintf(&b, "%s+%d (%s)\n", name, off, file)
		} else if ok {
			fmt.Fprintf(&b, "%s+%d\n", name, off)
		} else {
			fmt.Fprintf(&b, "0x%x\n", a)
		}
	}
	return b.String()
}

// strftime renders a RenderStrftime field: CLOCK_MONOTONIC nanoseconds
// as wall-clock time in the field's format.
func (r *renderer) strftime(b []byte, f *spec.Field) string {
	return strftime(f.Format, time.Unix(0, int64(render.Uint(b))+r.wallNS))
}

// username returns the name of user uid, or the number when there is none.
func username(uid uint64) string {
	id := strconv.FormatUint(uid&0xffffffff, 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}
