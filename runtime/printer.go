package runtime

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
)

// printer writes records and maps to an Output.
type printer struct {
	out Output
	// w buffers Output.W: a busy run writes many lines per write(2). Run
	// flushes it whenever the ring buffer is empty and at the end.
	w      *bufio.Writer
	r      *renderer
	prog   *spec.Program
	maps   map[string]*ebpf.Map
	wallNS int64 // CLOCK_REALTIME minus CLOCK_MONOTONIC, for time()
	// printed counts trace, printf, time and print records, for maxEvents.
	printed   int
	maxEvents int // 0 for no limit
	malformed int // records that could not be decoded
	// exited is set once an exit() record was read.
	exited bool
	// skipSystem stops system() from running commands (drain past its
	// budget); skippedSystem counts the commands not run.
	skipSystem    bool
	skippedSystem int
}

// record acts on one record. It reports whether the run should end: the
// record called exit(), or Options.MaxEvents records have been printed.
// Once an exit() record was read, the records of other probes still in
// the ring are dropped, as bpftrace drops them; END's are printed.
func (p *printer) record(rec *record) (end bool, err error) {
	ev := rec.event
	if p.exited && p.prog.Probes[ev.Probe].Kind != spec.AttachEnd {
		return true, nil
	}
	switch ev.Kind {
	case spec.EventClear:
		return false, p.onMap(ev.Map, clearMap)
	case spec.EventZero:
		return false, p.onMap(ev.Map, zeroMap)
	case spec.EventExit:
		p.exited = true
		return true, nil
	}
	if p.limited(ev) {
		return true, nil
	}
	p.printed++
	p.sinks(rec)
	return p.reached(), p.output(rec)
}

// output prints a trace, printf, time or print record.
func (p *printer) output(rec *record) error {
	ev := rec.event
	switch ev.Kind {
	case spec.EventTrace:
		probe := p.prog.Probes[ev.Probe]
		if p.out.Format == JSON {
			return p.write(p.traceJSON(probe, rec))
		}
		return p.write(p.traceLine(probe, rec))
	case spec.EventPrintf:
		if p.out.Format == Text {
			// Formatted straight into the writer's buffer: no allocation.
			_, err := p.w.Write(p.r.appendPrintf(p.w.AvailableBuffer(), ev.Format, ev.Fields, rec.payload))
			return err
		}
		return p.message("printf", string(p.r.appendPrintf(nil, ev.Format, ev.Fields, rec.payload)))
	case spec.EventTime:
		format := ev.Format
		if format == "" {
			format = defaultTimeFormat
		}
		return p.message("time", strftime(format, time.Unix(0, int64(rec.nsecs)+p.wallNS)))
	case spec.EventPrint:
		return p.print(ev, rec)
	case spec.EventCat:
		return p.cat(string(p.r.appendPrintf(nil, ev.Format, ev.Fields, rec.payload)))
	case spec.EventSystem:
		return p.system(string(p.r.appendPrintf(nil, ev.Format, ev.Fields, rec.payload)))
	case spec.EventHelperError:
		return p.helperError(ev, rec)
	case spec.EventJoin:
		return p.join(ev, rec)
	}
	return fmt.Errorf("record of unknown event kind %d", ev.Kind)
}

// reached reports whether maxEvents records have been printed.
func (p *printer) reached() bool { return p.maxEvents > 0 && p.printed >= p.maxEvents }

// limited reports whether the maxEvents limit drops a record of ev. END
// probes' records are never dropped.
func (p *printer) limited(ev *spec.Event) bool {
	return p.reached() && p.prog.Probes[ev.Probe].Kind != spec.AttachEnd
}

// print handles print(@map) and print(value).
func (p *printer) print(ev *spec.Event, rec *record) error {
	if ev.Map != "" {
		info := p.mapInfo(ev.Map)
		if info == nil {
			return fmt.Errorf("print of unknown map %s", ev.Map)
		}
		return p.write(renderMapTop(p.out.Format, info, p.readMapOrNil(info), p.r, ev.Top, ev.Div))
	}
	if len(ev.Fields) != 1 {
		return fmt.Errorf("print record with %d values", len(ev.Fields))
	}
	f := ev.Fields[0]
	if p.out.Format == JSON {
		return p.write(fmt.Sprintf(`{"type": "value", "data": %s}`+"\n", p.r.jsonField(rec.field(f), f)))
	}
	return p.write(p.r.field(rec.field(f), f) + "\n")
}

// message writes printf or time text, or its JSON object.
func (p *printer) message(typ, text string) error {
	if p.out.Format == JSON {
		return p.write(jsonMessage(typ, text))
	}
	return p.write(text)
}

// onMap applies op to the script map called name.
func (p *printer) onMap(name string, op func(*ebpf.Map) error) error {
	if p.mapInfo(name) == nil {
		return fmt.Errorf("unknown map %s", name)
	}
	return op(p.maps[name])
}

// mapInfo finds a script map by name.
func (p *printer) mapInfo(name string) *spec.MapInfo {
	for _, info := range p.prog.ScriptMaps {
		if info.Name == name {
			return info
		}
	}
	return nil
}

// readMapOrNil reads a script map's entries; a read error leaves it empty
// (printMap reports such errors).
func (p *printer) readMapOrNil(info *spec.MapInfo) []mapEntry {
	entries, _ := readMap(p.maps[info.Name])
	return entries
}

// printMap reads a script map and prints it in bpftrace's layout.
func (p *printer) printMap(info *spec.MapInfo) error {
	entries, err := readMap(p.maps[info.Name])
	if err != nil {
		return err
	}
	return p.write(renderMap(p.out.Format, info, entries, p.r))
}

// mapsDump renders every script map as they print at exit, after the
// two empty lines.
func (p *printer) mapsDump() (string, error) {
	snapshot := map[string][]mapEntry{}
	for _, info := range p.prog.ScriptMaps {
		entries, err := readMap(p.maps[info.Name])
		if err != nil {
			return "", err
		}
		snapshot[info.Name] = entries
	}
	return exitDump(p.out.Format, p.prog.ScriptMaps, snapshot, p.r), nil
}

// dumpMaps prints every script map now, without the empty lines, as
// bpftrace does on SIGUSR1 (Output.Dump).
func (p *printer) dumpMaps() error {
	dump, err := p.mapsDump()
	if err != nil {
		return err
	}
	return p.write(strings.TrimPrefix(dump, "\n\n"))
}

// exitMaps prints every script map as bpftrace does at exit. A program of
// expression lines only (nothing but trace events, no maps) prints
// nothing, so its output stays in trace_pipe's shape.
func (p *printer) exitMaps() error {
	if p.onlyTraceLines() {
		return nil
	}
	dump, err := p.mapsDump()
	if err != nil {
		return err
	}
	if p.out.Gap != nil {
		// Gap may be W itself: the lines still in the buffer go first.
		if err := p.flush(); err != nil {
			return err
		}
		dump = strings.TrimPrefix(dump, "\n\n")
		if _, err := io.WriteString(p.out.Gap, "\n\n"); err != nil {
			return err
		}
	}
	return p.write(dump)
}

// exitDump renders the maps as bpftrace does at exit: in text, two empty
// lines and then every map, by name.
func exitDump(format Format, infos []*spec.MapInfo, entries map[string][]mapEntry, r *renderer) string {
	var b strings.Builder
	if format == Text {
		b.WriteString("\n\n")
	}
	infos = slices.Clone(infos)
	slices.SortStableFunc(infos, func(a, b *spec.MapInfo) int { return strings.Compare(a.Name, b.Name) })
	for _, info := range infos {
		b.WriteString(renderMap(format, info, entries[info.Name], r))
	}
	return b.String()
}

// renderMap renders one map's entries in format.
func renderMap(format Format, info *spec.MapInfo, entries []mapEntry, r *renderer) string {
	return renderMapTop(format, info, entries, r, 0, 0)
}

// renderMapTop is renderMap for print(@map, top, div): only the top last
// (largest) rows when top > 0, values divided by div when div > 0. As in
// bpftrace, stats maps ignore both, and a histogram's bars keep the
// undivided scale.
func renderMapTop(format Format, info *spec.MapInfo, entries []mapEntry, r *renderer, top, div int64) string {
	rows := buildRows(info, entries, r)
	if info.Kind != spec.MapStats {
		if top > 0 && int64(len(rows)) > top {
			rows = rows[int64(len(rows))-top:]
		}
		if div > 0 {
			for i := range rows {
				rows[i].num /= div
				rows[i].div = uint64(div)
			}
		}
	}
	if format == JSON {
		return r.mapJSON(info, rows)
	}
	return r.mapText(info, rows)
}

// onlyTraceLines reports whether the program is made of expression lines:
// it has events, all of them trace lines, and no script maps.
func (p *printer) onlyTraceLines() bool {
	if len(p.prog.ScriptMaps) > 0 || len(p.prog.Events) == 0 {
		return false
	}
	for _, ev := range p.prog.Events {
		if ev.Kind != spec.EventTrace {
			return false
		}
	}
	return true
}

// write writes s to the output.
func (p *printer) write(s string) error {
	if s == "" {
		return nil
	}
	_, err := p.w.WriteString(s)
	return err
}

// flush writes out what the output buffer holds.
func (p *printer) flush() error { return p.w.Flush() }

// warn writes a diagnostic line to Output.Warn, if set.
func (p *printer) warn(format string, args ...any) { p.diag("WARNING: ", format, args...) }

// fail writes a diagnostic line about an action that failed (cat() of a
// missing file) to Output.Warn, if set; the run goes on.
func (p *printer) fail(format string, args ...any) { p.diag("ERROR: ", format, args...) }

// diag writes one diagnostic line, prefixed "surftrace: ", or with
// Output.Levels by its level as bpftrace does.
func (p *printer) diag(level, format string, args ...any) {
	if p.out.Warn == nil {
		return
	}
	if !p.out.Levels {
		level = "surftrace: "
	}
	fmt.Fprintf(p.out.Warn, level+format+"\n", args...)
}
