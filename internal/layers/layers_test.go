package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/surftrace/surftrace/"

// rules says, for the packages under each path (the longest matching path
// wins), which of the module's packages they may import: those under the
// listed paths. cmd and internal (test infrastructure) are free.
var rules = map[string][]string{
	"lang":                      {"lang"},
	"kernel":                    {"kernel"},
	"kernel/tracingdir":         {"kernel/tracingdir"},
	"kernel/uelf":               {"kernel/uelf"},
	"spec":                      {"spec", "lang"},
	"compiler":                  {"compiler", "lang", "kernel", "spec"},
	"compiler/internal/codegen": {"compiler/internal/codegen", "spec"},
	"runtime":                   {"runtime", "lang", "kernel", "spec"},
	"stdlib":                    {"stdlib"},
	"deploy":                    {"deploy", "stdlib"},
}

// under reports whether package path p is dir or below it.
func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// allowed reports whether the module's package pkg may import imp (both
// relative to the module).
func allowed(pkg, imp string) bool {
	rule, best := []string(nil), ""
	for dir, may := range rules {
		if under(pkg, dir) && len(dir) > len(best) {
			rule, best = may, dir
		}
	}
	if best == "" {
		return true
	}
	for _, dir := range rule {
		if under(imp, dir) {
			return true
		}
	}
	return false
}

// TestImportRules fails when a package imports one its stage must not
// (tests excepted: a runtime kernel test may compile a program).
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, ok := strings.CutPrefix(f[0], module)
		if !ok {
			continue
		}
		n++
		for _, imp := range f[1:] {
			if imp, ok := strings.CutPrefix(imp, module); ok && !allowed(pkg, imp) {
				t.Errorf("%s imports %s, which its stage must not (docs/ARCHITECTURE.md)", pkg, imp)
			}
		}
	}
	if n < 10 {
		t.Fatalf("go list found %d packages of the module", n)
	}
}

// The rules refuse the imports that would undo the split.
func TestRulesRefuse(t *testing.T) {
	for _, edge := range [][2]string{
		{"lang", "kernel"},
		{"lang/script", "compiler"},
		{"kernel", "compiler"},
		{"kernel/tracingdir", "kernel"},
		{"kernel/tracingdir", "spec"},
		{"spec", "compiler"},
		{"compiler", "runtime"},
		{"compiler/internal/codegen", "lang"},
		{"runtime", "compiler"},
		{"runtime/tracefs", "compiler"},
		{"runtime/render", "cmd/surftrace"},
		{"runtime/metrics", "compiler"},
		{"runtime/linesink", "compiler"},
		{"deploy", "runtime"},
	} {
		if allowed(edge[0], edge[1]) {
			t.Errorf("%s may import %s", edge[0], edge[1])
		}
	}
	for _, edge := range [][2]string{
		{"runtime", "spec"},
		{"runtime/pcap", "runtime"},
		{"runtime/metrics", "runtime"},
		{"runtime/metrics", "spec"},
		{"compiler", "compiler/internal/codegen"},
		{"cmd/surftrace", "compiler"},
		{"kernel", "kernel/tracingdir"},
		{"runtime", "kernel/tracingdir"},
		{"runtime/tracefs", "kernel/tracingdir"},
	} {
		if !allowed(edge[0], edge[1]) {
			t.Errorf("%s may not import %s", edge[0], edge[1])
		}
	}
}
