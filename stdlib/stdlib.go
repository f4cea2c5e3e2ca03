// Package stdlib ships surftrace's diagnostic scripts inside the binary:
// `surftrace run NAME` runs one, `surftrace run --list` lists them.
package stdlib

import (
	"embed"
	"sort"
	"strings"
)

//go:embed *.st
var files embed.FS

// Script is one shipped diagnostic.
type Script struct {
	Name    string // "drop"
	File    string // "drop.st"
	Summary string // the first comment line, after "name: "
	Doc     string // the leading comment, without its "//" marks
	Text    string
}

// List returns every shipped script, sorted by name.
func List() []Script {
	entries, _ := files.ReadDir(".")
	var out []Script
	for _, e := range entries {
		if s, ok := Get(strings.TrimSuffix(e.Name(), ".st")); ok {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the names of the shipped scripts, for did-you-mean hints.
func Names() []string {
	var names []string
	for _, s := range List() {
		names = append(names, s.Name)
	}
	return names
}

// aliases are older names of shipped scripts, still accepted by Get.
var aliases = map[string]string{"dropmon": "drop", "pktpath": "path"}

// Get returns the script called name, or the one an alias names.
func Get(name string) (Script, bool) {
	if to, ok := aliases[name]; ok {
		name = to
	}
	b, err := files.ReadFile(name + ".st")
	if err != nil {
		return Script{}, false
	}
	text := string(b)
	return Script{Name: name, File: name + ".st", Summary: summary(name, text), Doc: doc(text), Text: text}, true
}

// doc is the comment the script starts with, its "//" marks removed.
func doc(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//")
		if !ok {
			break
		}
		b.WriteString(strings.TrimPrefix(rest, " ") + "\n")
	}
	return b.String()
}

// summary is the script's first comment paragraph, joined into one line,
// without the leading "name: ".
func summary(name, text string) string {
	var words []string
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//")
		rest = strings.TrimSpace(rest)
		if !ok || rest == "" {
			break
		}
		words = append(words, rest)
	}
	return strings.TrimPrefix(strings.Join(words, " "), name+": ")
}
