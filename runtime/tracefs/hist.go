package tracefs

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// setHists writes the hist trigger of every keyed-count probe of f into
// its event's trigger file in the instance.
func (r *run) setHists(f *spec.Ftrace) error {
	for _, p := range f.Probes {
		if p.Hist == nil {
			continue
		}
		ev := path.Join(r.inst, "events", p.EventPath(r.name))
		if err := checkName("hist key", p.Hist.Key); err != nil {
			return fmt.Errorf("probe %s: %w", p.Name, err)
		}
		if err := r.fs.appendLine(path.Join(ev, "trigger"), p.Hist.Trigger()); err != nil {
			return fmt.Errorf("probe %s: set hist trigger %q on %s: %w", p.Name, p.Hist.Trigger(), p.EventPath(r.name), err)
		}
		r.triggers = append(r.triggers, [2]string{ev, p.Hist.Trigger()})
	}
	return nil
}

// histCount is one entry of an ftrace hist file.
type histCount struct {
	key   string
	count uint64
}

// histEnd ends an entry of a hist file: " } hitcount: N" and the newline.
var histEnd = regexp.MustCompile(` \} hitcount: *(\d+)\n`)

// histStrWidth is the width the kernel pads string keys to ("%-50s").
const histStrWidth = 50

// parseHist reads ftrace's hist file for a trigger keyed on key: entries
// "{ key: VALUE } hitcount: N\n" one after the other, as the kernel
// prints them (hist_trigger_entry_print). It reads them in sequence, not
// line by line, and a string key's value as the kernel pads it, at least
// histStrWidth bytes, so a key holding a newline, a brace or " } hitcount:"
// cannot end its entry early or start another: only a string longer than
// histStrWidth that holds " } hitcount: N" and a newline could (comm
// keys are at most 15 bytes). Trailing spaces of a string key are the
// padding's.
func parseHist(text, key string, str bool) []histCount {
	start := "{ " + key + ": "
	pos := strings.Index(text, "\n"+start) + 1
	if strings.HasPrefix(text, start) {
		pos = 0
	} else if pos == 0 {
		return nil
	}
	width := 0
	if str {
		width = histStrWidth
	}
	var out []histCount
	for strings.HasPrefix(text[pos:], start) {
		v := pos + len(start)
		if v+width > len(text) {
			break
		}
		m := histEnd.FindStringSubmatchIndex(text[v+width:])
		if m == nil {
			break
		}
		value := text[v : v+width+m[0]]
		if str {
			value = strings.TrimRight(value, " ")
		} else {
			value = strings.TrimSpace(value)
		}
		n, err := strconv.ParseUint(text[v+width+m[2]:v+width+m[3]], 10, 64)
		if err != nil {
			break
		}
		out = append(out, histCount{key: value, count: n})
		pos = v + width + m[1]
	}
	return out
}

// histText renders the counts of p's hist file as the bpf backend prints
// a count map at exit: "@name[key]: N" lines by ascending count.
func histText(p *spec.FtraceProbe, text string) string {
	rows := parseHist(text, p.Hist.Key, p.Hist.KeyRender == spec.RenderString)
	for i := range rows {
		if p.Hist.KeyRender == spec.RenderSigned {
			if n, err := strconv.ParseUint(rows[i].key, 10, 64); err == nil {
				rows[i].key = strconv.FormatInt(int64(n), 10)
			}
		}
	}
	slices.SortFunc(rows, func(a, b histCount) int { return cmp.Compare(a.key, b.key) })
	slices.SortStableFunc(rows, func(a, b histCount) int { return cmp.Compare(a.count, b.count) })
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s[%s]: %d\n", p.Hist.Map, r.key, r.count)
	}
	if len(rows) == 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// printHists prints every keyed count at exit, as the bpf backend prints
// maps: two empty lines, then the maps by name.
func (r *run) printHists(f *spec.Ftrace) (string, error) {
	var hs []*spec.FtraceProbe
	for _, p := range f.Probes {
		if p.Hist != nil {
			hs = append(hs, p)
		}
	}
	if len(hs) == 0 {
		return "", nil
	}
	slices.SortStableFunc(hs, func(a, b *spec.FtraceProbe) int { return strings.Compare(a.Hist.Map, b.Hist.Map) })
	var b strings.Builder
	b.WriteString("\n\n")
	for _, p := range hs {
		text, err := r.fs.read(path.Join(r.inst, "events", p.EventPath(r.name), "hist"))
		if err != nil {
			return "", fmt.Errorf("read the hist of %s: %w", p.Name, err)
		}
		b.WriteString(histText(p, text))
	}
	return b.String(), nil
}
