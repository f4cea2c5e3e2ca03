package kernel

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Static is a Kernel described by values: a BTF spec, format files and
// a symbol list. Tests build one from a btf.Spec made in the test; `-S
// --btf FILE` builds one for another machine.
type Static struct {
	Machine string               // "x86_64" (when empty) or "arm64"
	Types   *btf.Spec            // vmlinux types; nil means no BTF
	Modules map[string]*btf.Spec // module name to its types
	Formats map[string]string    // "subsys/event" to format file text
	Syms    []Symbol
}

// Arch returns Machine, defaulting to "x86_64".
func (k *Static) Arch() string {
	if k.Machine == "" {
		return "x86_64"
	}
	return k.Machine
}

// BTF returns Types.
func (k *Static) BTF() (*btf.Spec, error) {
	if k.Types == nil {
		return nil, fmt.Errorf("no kernel BTF: %w", btf.ErrNotSupported)
	}
	return k.Types, nil
}

// ModuleBTF returns Modules[module].
func (k *Static) ModuleBTF(module string) (*btf.Spec, error) {
	if s, ok := k.Modules[module]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("module %s: %w", module, fs.ErrNotExist)
}

// TracepointFormat returns Formats["subsys/event"].
func (k *Static) TracepointFormat(subsys, event string) (string, error) {
	if f, ok := k.Formats[subsys+"/"+event]; ok {
		return f, nil
	}
	return "", fmt.Errorf("tracepoint %s:%s: %w", subsys, event, fs.ErrNotExist)
}

// Symbols returns Syms.
func (k *Static) Symbols() ([]Symbol, error) { return k.Syms, nil }

// Tracepoints lists the events Formats describes.
func (k *Static) Tracepoints() ([]string, error) {
	var out []string
	for name := range k.Formats {
		out = append(out, strings.Replace(name, "/", ":", 1))
	}
	sort.Strings(out)
	return out, nil
}
