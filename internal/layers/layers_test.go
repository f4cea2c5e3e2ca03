package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
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
	// runtime/netobj reads the network objects (qdiscs, sysctls, the
	// nftables ruleset) that qdisc(), sysctl() and nftrule() name: it
	// depends on netlink alone, not on how the program was compiled.
	"runtime/netobj": {"runtime/netobj"},
	"stdlib":         {"stdlib"},
	"deploy":         {"deploy", "stdlib"},
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
// (tests excepted: a runtime kernel test may compile a program). It reads
// the import clauses of the module's sources itself rather than asking
// `go list`, so it runs wherever the test binary does (the VM's root is
// read-only, which the go command does not survive).
func TestImportRules(t *testing.T) {
	imports, err := moduleImports("../..")
	if err != nil {
		t.Fatal(err)
	}
	for pkg, imps := range imports {
		for imp := range imps {
			if !allowed(pkg, imp) {
				t.Errorf("%s imports %s, which its stage must not (docs/ARCHITECTURE.md)", pkg, imp)
			}
		}
	}
	if len(imports) < 10 {
		t.Fatalf("found %d packages of the module", len(imports))
	}
}

// moduleImports maps every package directory under root (relative to it)
// to the module's packages its non-test Go files import (relative to the
// module).
func moduleImports(root string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(dir)
		if out[pkg] == nil {
			out[pkg] = map[string]bool{}
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			if rel, ok := strings.CutPrefix(imp, module); ok {
				out[pkg][rel] = true
			}
		}
		return nil
	})
	return out, err
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
		{"runtime/netobj", "runtime"},
		{"runtime/netobj", "spec"},
		{"runtime/netobj", "compiler"},
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
		{"runtime", "runtime/netobj"},
	} {
		if !allowed(edge[0], edge[1]) {
			t.Errorf("%s may not import %s", edge[0], edge[1])
		}
	}
}
