package difftest

import (
	"regexp"
	"sort"
	"strings"
)

// attachingLine is bpftrace's banner, which surftrace does not print.
var attachingLine = regexp.MustCompile(`^Attaching [0-9]+ probes?\.\.\.$`)

// mapLine matches one "@name[key]: value" line of a printed keyed map;
// group 1 is the map name, group 2 the value.
var mapLine = regexp.MustCompile(`^(@[A-Za-z0-9_]*)\[.*\]: (.*)$`)

// normalize makes outputs comparable: it drops bpftrace's "Attaching N
// probes..." line and trailing blank lines, and sorts the lines of each
// run of equal values within a keyed map block, since bpftrace orders
// ties arbitrarily. Nothing else changes.
func normalize(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if attachingLine.MatchString(l) {
			continue
		}
		lines = append(lines, l)
	}
	for i := 0; i < len(lines); {
		m := mapLine.FindStringSubmatch(lines[i])
		if m == nil {
			i++
			continue
		}
		j := i + 1
		for j < len(lines) {
			n := mapLine.FindStringSubmatch(lines[j])
			if n == nil || n[1] != m[1] || n[2] != m[2] {
				break
			}
			j++
		}
		sort.Strings(lines[i:j])
		i = j
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}
