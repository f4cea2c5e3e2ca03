package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/surftrace/surftrace/kernel/uelf"
)

// userListKinds are the -l patterns that list a binary's probes instead
// of the kernel's.
var userListKinds = map[string]bool{"uprobe": true, "uretprobe": true, "usdt": true}

// listUser prints -l uprobe:BIN:GLOB, uretprobe:BIN:GLOB and
// usdt:BIN:[PROVIDER:]GLOB as bpftrace does: the functions, or the USDT
// probes, of BIN (a path, or a program or library name resolved as in
// attach points, in process pid's libraries first when pid > 0), one
// "kind:/path:name" a line. ok is false when glob is no such pattern.
func listUser(glob string, pid int, w io.Writer) (ok bool, err error) {
	parts := strings.Split(glob, ":")
	if len(parts) < 2 || !userListKinds[parts[0]] {
		return false, nil
	}
	kind := parts[0]
	if len(parts) == 2 {
		parts = append(parts, "*")
	}
	if len(parts) > 3 && kind != "usdt" || len(parts) > 4 {
		return true, badInput(fmt.Errorf("-l %q: want %s:BINARY:PATTERN", glob, kind))
	}
	p, err := uelf.Resolve(parts[1], pid)
	if err != nil {
		return true, badInput(fmt.Errorf("-l %q: %s: %w", glob, parts[1], err))
	}
	f, err := uelf.Open(p)
	if err != nil {
		return true, badInput(fmt.Errorf("-l %q: %w", glob, err))
	}
	defer f.Close()
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	if kind != "usdt" {
		for _, s := range f.Symbols() {
			ok, _ := path.Match(parts[2], s.Name)
			if !ok && strings.HasPrefix(s.Name, "_Z") {
				ok, _ = path.Match(parts[2], uelf.Demangled(s.Name))
			}
			if ok {
				fmt.Fprintf(bw, "%s:%s:%s\n", kind, p, s.Name)
			}
		}
		return true, nil
	}
	notes, err := f.USDT()
	if err != nil {
		return true, err
	}
	// bpftrace lists them sorted by provider and name.
	sort.Slice(notes, func(i, j int) bool {
		a, b := notes[i], notes[j]
		return a.Provider < b.Provider || a.Provider == b.Provider && a.Name < b.Name
	})
	prov, name := "*", parts[len(parts)-1]
	if len(parts) == 4 {
		prov = parts[2]
	}
	for _, n := range notes {
		okP, _ := path.Match(prov, n.Provider)
		okN, _ := path.Match(name, n.Name)
		if okP && okN {
			fmt.Fprintf(bw, "usdt:%s:%s:%s\n", p, n.Provider, n.Name)
		}
	}
	return true, nil
}
