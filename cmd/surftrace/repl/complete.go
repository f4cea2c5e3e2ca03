package repl

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// completer implements readline.AutoCompleter.
type completer struct{ names *names }

// probeKinds are what an entry may start with.
var probeKinds = []string{
	"p ", "r ", "e ",
	"kprobe:", "kretprobe:", "tracepoint:", "rawtracepoint:", "fentry:", "fexit:",
	"interval:", "BEGIN", "END",
	".list", ".probes", ".detach ", ".maps", ".print ", ".clear ", ".asm ", ".help", ".quit",
}

// Do returns the completions of the word ending at pos, without the part
// already typed, and that part's length.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	word := lastWord(text)
	cands := c.candidates(text, word)
	var out [][]rune
	for _, cand := range cands {
		if strings.HasPrefix(cand, word) && cand != word {
			out = append(out, []rune(cand[len(word):]))
		}
	}
	return out, len([]rune(word))
}

// Complete returns the full candidates for text (what Do completes), for
// tests and for callers without readline.
func (c *completer) Complete(text string) []string {
	word := lastWord(text)
	var out []string
	for _, cand := range c.candidates(text, word) {
		if strings.HasPrefix(cand, word) {
			out = append(out, cand)
		}
	}
	return out
}

// lastWord is the text after the last blank, "=", "(", ",", "{" or "->"
// (and after "." in a member chain): what a candidate replaces.
func lastWord(text string) string {
	i := strings.LastIndexAny(text, " \t\n=(,{;!")
	w := text[i+1:]
	if j := strings.LastIndex(w, "->"); j >= 0 {
		w = w[j+2:]
	}
	if j := strings.LastIndex(w, "."); j > 0 {
		w = w[j+1:]
	}
	return w
}

var (
	// The member chain being typed: the operand, its steps, the last
	// "->" or "." and the prefix of the member.
	skbCastChain = regexp.MustCompile(`@\(\s*struct\s+(\w+)\s*\*\s*\)\s*\w*\s*%\w+((?:(?:->|\.)\w+)*)(?:->|\.)\w*$`)
	castChain    = regexp.MustCompile(`\(\s*struct\s+(\w+)\s*\*\s*\)\s*[%\w]+\)?((?:(?:->|\.)\w+)*)(?:->|\.)\w*$`)
	argChain     = regexp.MustCompile(`%(\d+)((?:(?:->|\.)\w+)*)(?:->|\.)\w*$`)
	scriptArg    = regexp.MustCompile(`\barg(\d+)((?:(?:->|\.)\w+)*)(?:->|\.)\w*$`)
	scriptFunc   = regexp.MustCompile(`\b(?:kprobe|kretprobe|k|kr|fentry|fexit|kfunc|kretfunc|f|fr):(\w+)`)
)

func (c *completer) candidates(text, word string) []string {
	fields := strings.Fields(text)
	atWordStart := len(text) == 0 || strings.ContainsAny(text[len(text)-1:], " \t")
	switch {
	case len(fields) == 0 || (len(fields) == 1 && !atWordStart):
		if strings.Contains(word, ":") {
			return c.attachTargets(word)
		}
		return probeKinds
	case (fields[0] == "p" || fields[0] == "r") && (len(fields) == 1 || len(fields) == 2 && !atWordStart):
		return c.names.functions()
	case fields[0] == "e" && (len(fields) == 1 || len(fields) == 2 && !atWordStart):
		return c.tracepoints(word)
	}
	if strings.HasSuffix(text, "->"+word) || strings.HasSuffix(text, "."+word) {
		return c.members(text, fields)
	}
	if strings.Contains(word, ":") {
		return c.attachTargets(word)
	}
	return nil
}

// attachTargets completes "kind:TARGET" in scripts.
func (c *completer) attachTargets(word string) []string {
	kind, _, _ := strings.Cut(word, ":")
	var names []string
	switch kind {
	case "kprobe", "kretprobe", "k", "kr", "fentry", "fexit", "f", "fr", "kfunc", "kretfunc":
		names = c.names.functions()
	case "tracepoint", "t":
		for _, tp := range c.names.tracepoints() {
			names = append(names, strings.Replace(tp, "/", ":", 1))
		}
	default:
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = kind + ":" + n
	}
	return out
}

// tracepoints offers "subsys/event", or "subsys:event" once a ":" is typed.
func (c *completer) tracepoints(word string) []string {
	tps := c.names.tracepoints()
	if !strings.Contains(word, ":") {
		return tps
	}
	out := make([]string, len(tps))
	for i, tp := range tps {
		out[i] = strings.Replace(tp, "/", ":", 1)
	}
	return out
}

// members types the chain before the last "->" or "." and lists the
// members of the struct it points at.
func (c *completer) members(text string, fields []string) []string {
	var t btf.Type
	var chain string
	if m := skbCastChain.FindStringSubmatch(text); m != nil {
		t, chain = c.names.structNamed(m[1]), m[2]
	} else if m := castChain.FindStringSubmatch(text); m != nil {
		t, chain = c.names.structNamed(m[1]), m[2]
	} else if m := argChain.FindStringSubmatch(text); m != nil && (fields[0] == "p" || fields[0] == "r") && len(fields) > 1 {
		i, _ := strconv.Atoi(m[1])
		fn, _, _ := strings.Cut(fields[1], "+")
		t, chain = c.names.funcParam(fn, i), m[2]
	} else if m := scriptArg.FindStringSubmatch(text); m != nil {
		f := scriptFunc.FindAllStringSubmatch(text, -1)
		if f == nil {
			return nil
		}
		i, _ := strconv.Atoi(m[1])
		t, chain = c.names.funcParam(f[len(f)-1][1], i), m[2]
	}
	if t == nil {
		return nil
	}
	for _, step := range splitChain(chain) {
		comp := composite(t)
		if comp == nil {
			return nil
		}
		if t = memberOf(comp, step); t == nil {
			return nil
		}
	}
	comp := composite(t)
	if comp == nil {
		return nil
	}
	names := memberNames(comp)
	slices.Sort(names)
	return names
}

// splitChain splits "->a.b->c" into its member names.
func splitChain(chain string) []string {
	return strings.FieldsFunc(strings.ReplaceAll(chain, "->", "."), func(r rune) bool { return r == '.' })
}
