package vmtest

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ulikunitz/xz"
)

// Modules are the kernel modules the VM loads at boot, before anything
// else runs: virtio and 9p to reach the host's files, overlay for a
// writable /tmp, then what network tests use (tun for
// netfix.NewDelayedPair). Their dependencies are added, in load order,
// from each module's depends= field. Soft dependencies name aliases, which are not
// resolved: crc32c_generic is listed first as the "crc32c" that libcrc32c
// (needed by nf_conntrack and nf_nat) asks for.
var Modules = []string{
	"virtio_pci", "9pnet_virtio", "9p", "overlay", "crc32c_generic",
	"veth", "tun", "sch_netem", "sch_htb", "sch_ingress", "cls_bpf", "act_bpf",
	"nf_tables", "nf_conntrack", "nf_nat", "nft_chain_nat", "nft_nat",
	"nft_ct", "nft_masq",
}

// moduleName normalises a module name as the kernel does: '-' and '_'
// are the same.
func moduleName(s string) string { return strings.ReplaceAll(s, "-", "_") }

// moduleFiles maps every module name under dir to its .ko or .ko.xz file.
func moduleFiles(dir string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if name, ok := moduleFileName(d.Name()); ok {
			files[moduleName(name)] = path
		}
		return nil
	})
	return files, err
}

// moduleFileName returns the module name of a .ko or .ko.xz file name.
func moduleFileName(file string) (string, bool) {
	if name, ok := strings.CutSuffix(file, ".ko"); ok {
		return name, true
	}
	return strings.CutSuffix(file, ".ko.xz")
}

// readModule returns the ELF object of a .ko file, decompressing a .ko.xz
// (Debian's 6.12 modules): busybox insmod loads only plain ELF.
func readModule(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(path, ".xz") {
		return data, err
	}
	r, err := xz.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	elfData, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return elfData, nil
}

// builtinModules returns the names listed in modules.builtin under dir.
func builtinModules(dir string) (map[string]bool, error) {
	f, err := os.Open(filepath.Join(dir, "modules.builtin"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		base := filepath.Base(sc.Text())
		names[moduleName(strings.TrimSuffix(base, ".ko"))] = true
	}
	return names, sc.Err()
}

// moduleDepends reads the depends= field of a .ko (or .ko.xz) file's
// .modinfo section.
func moduleDepends(path string) ([]string, error) {
	data, err := readModule(path)
	if err != nil {
		return nil, err
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("%s: no .modinfo section", path)
	}
	data, err = sec.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, field := range strings.Split(string(data), "\x00") {
		if deps, ok := strings.CutPrefix(field, "depends="); ok {
			if deps == "" {
				return nil, nil
			}
			return strings.Split(deps, ","), nil
		}
	}
	return nil, nil
}

// loadOrder returns the .ko files to insmod, dependencies first, so that
// every module in names gets loaded. Modules built into the kernel are
// left out; a module that is neither built in nor found is an error.
func loadOrder(dir string, names []string) ([]string, error) {
	files, err := moduleFiles(dir)
	if err != nil {
		return nil, err
	}
	builtin, err := builtinModules(dir)
	if err != nil {
		return nil, err
	}
	return orderModules(names, files, builtin, moduleDepends)
}

// orderModules is loadOrder's graph walk, with the module tree abstracted.
func orderModules(names []string, files map[string]string, builtin map[string]bool,
	depends func(path string) ([]string, error)) ([]string, error) {
	var order []string
	state := map[string]int{} // 1: being visited, 2: done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		name = moduleName(name)
		switch state[name] {
		case 1:
			return fmt.Errorf("module dependency cycle: %s -> %s", strings.Join(chain, " -> "), name)
		case 2:
			return nil
		}
		path, ok := files[name]
		if !ok {
			if builtin[name] {
				state[name] = 2
				return nil
			}
			return fmt.Errorf("module %s not found (needed by %s)", name, strings.Join(chain, " -> "))
		}
		state[name] = 1
		deps, err := depends(path)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, path)
		return nil
	}
	for _, n := range names {
		if err := visit(n, []string{"vmtest"}); err != nil {
			return nil, err
		}
	}
	return order, nil
}
