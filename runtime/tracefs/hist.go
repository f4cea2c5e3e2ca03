package tracefs

import (
	"cmp"
	"fmt"
	"path"
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

// parseHist reads ftrace's hist file for a trigger keyed on key:
// "{ key: VALUE } hitcount: N" lines, with string keys padded.
func parseHist(text, key string) []histCount {
	var out []histCount
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "{") {
			continue
		}
		end := strings.LastIndex(l, "}")
		if end < 0 {
			continue
		}
		inner := strings.TrimSpace(l[1:end])
		v, ok := strings.CutPrefix(inner, key+":")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l[end+1:]), "hitcount:")), 10, 64)
		if err != nil {
			continue
		}
		out = append(out, histCount{key: strings.TrimSpace(v), count: n})
	}
	return out
}

// histText renders the counts of p's hist file as the bpf backend prints
// a count map at exit: "@name[key]: N" lines by ascending count.
func histText(p *spec.FtraceProbe, text string) string {
	rows := parseHist(text, p.Hist.Key)
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
