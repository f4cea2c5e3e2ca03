package repl

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/kernel"
)

// names knows what the completer offers: kernel functions (BTF and
// available_filter_functions), tracepoints, and struct members from BTF.
// Lists are read on first use. mu also serializes every use of the
// Kernel, which is not safe for concurrent calls.
type names struct {
	cfg   Config
	mu    sync.Mutex
	funcs []string
	tps   []string // "subsys/event"
}

func newNames(cfg Config) *names { return &names{cfg: cfg} }

// functions returns the sorted kernel function names.
func (n *names) functions() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.funcs != nil {
		return n.funcs
	}
	set := map[string]bool{}
	// kernel.Host keeps its function list on disk: no walk over every type.
	if fl, ok := n.cfg.Kernel.(kernel.FunctionLister); ok {
		if fns, err := fl.Functions(); err == nil {
			for _, name := range fns {
				set[name] = true
			}
		}
	} else if spec, err := n.cfg.Kernel.BTF(); err == nil {
		for t := range spec.All() {
			if fn, ok := t.(*btf.Func); ok {
				set[fn.Name] = true
			}
		}
	}
	if f, err := os.Open(filepath.Join(n.cfg.Tracefs, "available_filter_functions")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			name, _, _ := strings.Cut(sc.Text(), " ")
			set[name] = true
		}
		f.Close()
	}
	n.funcs = make([]string, 0, len(set))
	for name := range set {
		n.funcs = append(n.funcs, name)
	}
	slices.Sort(n.funcs)
	return n.funcs
}

// tracepoints returns the sorted "subsys/event" names.
func (n *names) tracepoints() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.tps != nil {
		return n.tps
	}
	n.tps = []string{}
	dirs, _ := filepath.Glob(filepath.Join(n.cfg.Tracefs, "events", "*", "*", "format"))
	for _, d := range dirs {
		ev := filepath.Dir(d)
		n.tps = append(n.tps, filepath.Base(filepath.Dir(ev))+"/"+filepath.Base(ev))
	}
	slices.Sort(n.tps)
	return n.tps
}

// funcParam returns the type of argument i of kernel function fn.
func (n *names) funcParam(fn string, i int) btf.Type {
	n.mu.Lock()
	defer n.mu.Unlock()
	spec, err := n.cfg.Kernel.BTF()
	if err != nil {
		return nil
	}
	var f *btf.Func
	if err := spec.TypeByName(fn, &f); err != nil {
		return nil
	}
	proto, ok := f.Type.(*btf.FuncProto)
	if !ok || i >= len(proto.Params) {
		return nil
	}
	return proto.Params[i].Type
}

// structNamed returns struct name from BTF.
func (n *names) structNamed(name string) btf.Type {
	n.mu.Lock()
	defer n.mu.Unlock()
	spec, err := n.cfg.Kernel.BTF()
	if err != nil {
		return nil
	}
	var s *btf.Struct
	if err := spec.TypeByName(name, &s); err != nil {
		return nil
	}
	return s
}

// compositeType is a struct or union.
type compositeType interface {
	btf.Type
	members() []btf.Member
}

type structT struct{ *btf.Struct }
type unionT struct{ *btf.Union }

func (s structT) members() []btf.Member { return s.Members }
func (u unionT) members() []btf.Member  { return u.Members }

// composite strips typedefs, qualifiers and one pointer from t and
// returns the struct or union left, or nil.
func composite(t btf.Type) compositeType {
	t = btf.UnderlyingType(t)
	if p, ok := t.(*btf.Pointer); ok {
		t = btf.UnderlyingType(p.Target)
	}
	switch c := t.(type) {
	case *btf.Struct:
		return structT{c}
	case *btf.Union:
		return unionT{c}
	}
	return nil
}

// memberOf finds member name of c, looking into anonymous structs and
// unions, and returns its type.
func memberOf(c compositeType, name string) btf.Type {
	for _, m := range c.members() {
		if m.Name == name {
			return m.Type
		}
		if m.Name == "" {
			if inner := composite(m.Type); inner != nil {
				if t := memberOf(inner, name); t != nil {
					return t
				}
			}
		}
	}
	return nil
}

// memberNames lists the members of c, anonymous ones flattened.
func memberNames(c compositeType) []string {
	var out []string
	for _, m := range c.members() {
		if m.Name != "" {
			out = append(out, m.Name)
			continue
		}
		if inner := composite(m.Type); inner != nil {
			out = append(out, memberNames(inner)...)
		}
	}
	return out
}
