package tracefs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/runtime/ksym"
	"github.com/surftrace/surftrace/runtime/render"
	"github.com/surftrace/surftrace/spec"
)

// commField is the hidden fetch argument the runner adds to every kprobe
// so that lines show the comm of the task, as the bpf backend's records
// do; a record holds only the pid.
const commField = "__surftrace_comm"

// decoder turns the records of one run's instance into the bpf backend's
// trace lines, each decoded with its event's format file.
type decoder struct {
	ring   *ringLayout
	probes map[uint16]*rawProbe
	pid    fmtField // common_pid, the thread id
	// stack is the ftrace/kernel_stack event the stacktrace option
	// records after each event; nil when the run prints no stacks.
	stack *stackFormat
	syms  *ksym.Lazy
	// cmdlines reads the comm of a pid ftrace saved, for tracepoint
	// events whose task is gone.
	cmdlines func() string
}

// rawProbe is a probe and where its values lie in its event's records.
type rawProbe struct {
	p      *spec.FtraceProbe
	loc    string     // the part of the line in parentheses, for kprobes and tracepoints
	fields []fmtField // the record field of each of p.Fields
	comm   fmtField   // kprobes: the hidden comm argument
	retIP  fmtField   // kretprobes: __probe_ret_ip, the caller
}

// stackFormat is where ftrace's kernel_stack event keeps its frames.
type stackFormat struct {
	id          uint16
	size, calls fmtField
}

// newDecoder reads the ring layout and the format file of every printing
// probe of the run from the instance inst.
func (r *run) newDecoder(inst string, stack bool) (*decoder, error) {
	hp, err := r.fs.read(path.Join(inst, "events/header_page"))
	if err != nil {
		return nil, fmt.Errorf("read the ring buffer's page header: %w", err)
	}
	he, err := r.fs.read(path.Join(inst, "events/header_event"))
	if err != nil {
		return nil, fmt.Errorf("read the ring buffer's event header: %w", err)
	}
	d := &decoder{probes: map[uint16]*rawProbe{}, syms: ksym.NewLazy("/proc/kallsyms"),
		cmdlines: func() string { s, _ := r.fs.read("saved_cmdlines"); return s }}
	if d.ring, err = parseRingLayout(hp, he); err != nil {
		return nil, err
	}
	for _, p := range r.probes {
		if p.Hist != nil {
			continue
		}
		text, err := r.fs.read(path.Join(inst, "events", p.EventPath(r.name), "format"))
		if err != nil {
			return nil, fmt.Errorf("probe %s: read the event's format: %w", p.Name, err)
		}
		ev, err := parseFormat(text)
		if err != nil {
			return nil, fmt.Errorf("probe %s: the format of %s: %w", p.Name, p.EventPath(r.name), err)
		}
		rp, err := newRawProbe(p, ev)
		if err != nil {
			return nil, fmt.Errorf("probe %s: %w", p.Name, err)
		}
		d.probes[ev.ID] = rp
		if d.pid, err = need(ev, "common_pid"); err != nil {
			return nil, err
		}
	}
	if stack {
		text, err := r.fs.read(path.Join(inst, "events/ftrace/kernel_stack/format"))
		if err != nil {
			return nil, fmt.Errorf("read the format of stack records: %w", err)
		}
		ev, err := parseFormat(text)
		if err != nil {
			return nil, fmt.Errorf("the format of ftrace/kernel_stack: %w", err)
		}
		d.stack = &stackFormat{id: ev.ID}
		if d.stack.size, err = need(ev, "size"); err != nil {
			return nil, err
		}
		if d.stack.calls, err = need(ev, "caller"); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// need returns the field name of ev, or an error naming it.
func need(ev *eventFormat, name string) (fmtField, error) {
	f, ok := ev.field(name)
	if !ok {
		return f, fmt.Errorf("event %d has no field %s", ev.ID, name)
	}
	return f, nil
}

// newRawProbe finds the record field of each of p's values in ev.
func newRawProbe(p *spec.FtraceProbe, ev *eventFormat) (*rawProbe, error) {
	rp := &rawProbe{p: p}
	var err error
	switch p.Kind {
	case spec.AttachTracepoint:
		rp.loc = strings.Replace(p.Target, "/", ":", 1)
	case spec.AttachKretprobe:
		if rp.retIP, err = need(ev, "__probe_ret_ip"); err != nil {
			return nil, err
		}
	default:
		rp.loc = fmt.Sprintf("%s+0x%x", p.Target, p.Offset)
	}
	if p.Kind != spec.AttachTracepoint {
		if rp.comm, err = need(ev, commField); err != nil {
			return nil, err
		}
	}
	for _, f := range p.Fields {
		name := f.Name
		if p.Kind == spec.AttachTracepoint {
			name = f.TPField
		}
		ff, err := need(ev, name)
		if err != nil {
			return nil, err
		}
		rp.fields = append(rp.fields, ff)
	}
	return rp, nil
}

// record appends the line of one record read on cpu at time ts to out:
// an event of one of the run's probes as the bpf backend prints it, or
// the frames of a stack record, each " => SYMBOL+0xOFF [module]". Other
// records add nothing. ok is false for a record too short for its format.
func (d *decoder) record(out []byte, cpu int, ts uint64, rec []byte) ([]byte, bool) {
	if len(rec) < 2 {
		return out, false
	}
	id := binary.LittleEndian.Uint16(rec)
	if d.stack != nil && id == d.stack.id {
		return d.frames(out, rec)
	}
	rp := d.probes[id]
	if rp == nil {
		return out, true
	}
	pidb, ok := d.pid.bytes(rec)
	if !ok {
		return out, false
	}
	pid := int(render.Int(pidb))
	loc := rp.loc
	var comm string
	if rp.p.Kind == spec.AttachTracepoint {
		comm = d.comm(pid, cpu)
	} else {
		b, ok := rp.comm.bytes(rec)
		if !ok {
			return out, false
		}
		comm = render.CString(b)
		if rp.p.Kind == spec.AttachKretprobe {
			ip, ok := rp.retIP.bytes(rec)
			if !ok {
				return out, false
			}
			loc = d.syms.Table().Symbolize(render.Uint(ip)) + " <- " + rp.p.Target
		}
	}
	var b strings.Builder
	render.Header(&b, comm, pid, cpu, ts, rp.p.Name, loc)
	out = append(out, b.String()...)
	for i, f := range rp.p.Fields {
		v, ok := rp.fields[i].bytes(rec)
		if !ok {
			return out, false
		}
		out = append(out, ' ')
		out = append(out, f.Name...)
		out = append(out, '=')
		out = append(out, d.value(f, rp.fields[i], v)...)
	}
	return append(out, '\n'), true
}

// value renders the bytes v of record field ff, which holds f, as the
// bpf backend renders the bytes its program copied for f.
func (d *decoder) value(f *spec.FtraceField, ff fmtField, v []byte) string {
	switch f.Render {
	case spec.RenderString:
		switch {
		case ff.Loc != "" && len(v) == 0:
			return "(fault)" // the kprobe's string fetch failed
		case ff.Loc == "" && ff.Array == 0 && strings.Contains(ff.Type, "*"):
			// A char * field of a tracepoint: the record holds only the
			// pointer, not the string the bpf backend reads.
			return fmt.Sprintf("(0x%x)", render.Uint(v))
		}
		s := render.CString(v)
		if f.Size > 0 && len(s) > f.Size-1 {
			// ftrace's string fetch has no length; cut it where the bpf
			// backend's bounded copy (Size bytes with the NUL) stops.
			s = s[:f.Size-1]
		}
		return render.Quote(s)
	case spec.RenderEnum:
		return render.Enum(v, f.Enum)
	case spec.RenderKsym:
		return d.syms.Table().Symbolize(render.Uint(v))
	}
	if s, ok := render.TraceValue(v, f.Render); ok {
		return s
	}
	return "0x" + strconv.FormatUint(render.Uint(v), 16)
}

// isStack says rec is a stack record.
func (d *decoder) isStack(rec []byte) bool {
	return d.stack != nil && len(rec) >= 2 && binary.LittleEndian.Uint16(rec) == d.stack.id
}

// frames appends a stack record's frames, as ftrace's stacktrace option
// prints them with sym-offset, up to the first ULONG_MAX entry.
func (d *decoder) frames(out []byte, rec []byte) ([]byte, bool) {
	nb, ok := d.stack.size.bytes(rec)
	if !ok || d.stack.calls.Offset > len(rec) {
		return out, false
	}
	n := int(render.Int(nb))
	calls := rec[d.stack.calls.Offset:]
	w := 8 // unsigned long
	if d.stack.calls.Array > 0 {
		w = d.stack.calls.Size / d.stack.calls.Array
	}
	tab := d.syms.Table()
	for i := 0; i < n && w*i+w <= len(calls); i++ {
		a := render.Uint(calls[w*i : w*i+w])
		if a == 1<<(8*w)-1 { // ULONG_MAX ends the frames
			break
		}
		out = append(out, " => "...)
		out = append(out, tab.Frame(a)...)
		out = append(out, '\n')
	}
	return out, true
}

// comm is the comm of thread pid, for tracepoint records, which hold only
// the pid: the thread's comm in /proc, else the comm ftrace saved for the
// pid, else ftrace's "<...>". The idle task is "swapper/CPU", as
// bpf_get_current_comm() has it.
func (d *decoder) comm(pid, cpu int) string {
	if pid == 0 {
		return "swapper/" + strconv.Itoa(cpu)
	}
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err == nil {
		return strings.TrimSuffix(string(b), "\n")
	}
	prefix := []byte(strconv.Itoa(pid) + " ")
	for _, l := range bytes.Split([]byte(d.cmdlines()), []byte("\n")) {
		if c, ok := bytes.CutPrefix(l, prefix); ok {
			return string(c)
		}
	}
	return "<...>"
}
