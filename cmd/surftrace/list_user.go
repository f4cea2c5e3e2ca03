package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/surftrace/surftrace/kernel/uelf"
)

// userListKinds are the probe kinds -l lists from a binary's ELF file
// instead of from the kernel.
var userListKinds = []string{"uprobe", "uretprobe", "usdt"}

// listUser prints -l uprobe:BIN:GLOB, uretprobe:BIN:GLOB and
// usdt:BIN:[PROVIDER:]GLOB as bpftrace does: the functions, or the USDT
// probes, of BIN, one "kind:BIN:name" a line. BIN is a path, a wildcard
// over paths, or a program or library name resolved as in attach points;
// with -p PID an empty BIN or "*" is the process's executable (and for
// USDT probes the libraries it maps), named through /proc/PID/root. A
// wildcard kind with a path (*:./prog:*) lists uprobe: and usdt: probes;
// -l -p PID without a pattern lists those of the process. verbose (-lv)
// adds each uprobe's arguments from the binary's DWARF, one "    TYPE
// NAME" line each under the probe. ok is false when glob is no such
// pattern.
func listUser(glob string, pid int, verbose bool, w io.Writer) (ok bool, err error) {
	if glob == "" && pid != 0 {
		glob = "*:*:*"
	}
	parts := strings.Split(glob, ":")
	kinds := userKinds(parts, pid)
	if len(kinds) == 0 {
		return false, nil
	}
	if len(parts) == 2 {
		parts = append(parts, "*")
	}
	if len(parts) > 4 && kinds[0] == "usdt" {
		return true, badInput(fmt.Errorf("-l %q: want usdt:BINARY:[PROVIDER:]PROBE", glob))
	}
	files, err := listFiles(parts[1], pid)
	if err != nil {
		return true, badInput(fmt.Errorf("-l %q: %w", glob, err))
	}
	byPID := pid != 0 && (parts[1] == "" || parts[1] == "*")
	// bpftrace prints the list sorted; a probe's argument lines are part
	// of its entry, after a newline, which sorts before any other
	// character a longer name could continue with.
	var lines []string
	defer func() {
		sort.Strings(lines)
		bw := bufio.NewWriter(w)
		for _, l := range lines {
			bw.WriteString(l + "\n")
		}
		bw.Flush()
	}()
	for _, p := range files {
		f, err := uelf.Open(p)
		if err != nil {
			if len(files) == 1 {
				return true, badInput(fmt.Errorf("-l %q: %w", glob, err))
			}
			continue
		}
		for _, kind := range kinds {
			switch {
			case byPID && kind != "usdt" && p != files[0]:
				// bpftrace lists a process's functions of its executable
				// only, its USDT probes of its libraries too.
			case kind == "usdt":
				lines, err = listUSDT(lines, f, parts[2:])
			default:
				lines, err = listFuncs(lines, kind, f, strings.Join(parts[2:], ":"), verbose)
			}
		}
		f.Close()
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// userKinds returns the user-space kinds the pattern's first part names:
// one exactly, or uprobe and usdt for a wildcard followed by a path (or
// anything, with -p).
func userKinds(parts []string, pid int) []string {
	if len(parts) < 2 {
		return nil
	}
	for _, k := range userListKinds {
		if parts[0] == k {
			return []string{k}
		}
	}
	if !isWild(parts[0]) || !strings.Contains(parts[1], "/") && pid == 0 {
		return nil
	}
	var out []string
	for _, k := range []string{"uprobe", "usdt"} {
		if ok, _ := path.Match(parts[0], k); ok {
			out = append(out, k)
		}
	}
	return out
}

func isWild(s string) bool { return strings.ContainsAny(s, "*?[") }

// listFiles returns the files a pattern's BIN names.
func listFiles(bin string, pid int) ([]string, error) {
	switch {
	case pid != 0 && (bin == "" || bin == "*"):
		return uelf.MappedFiles(pid)
	case isWild(bin):
		files, err := filepath.Glob(bin)
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("no file matches %s", bin)
		}
		if strings.HasPrefix(bin, "./") {
			// Glob drops the "./" the pattern had; bpftrace names the
			// files as the pattern does.
			for i, f := range files {
				files[i] = "./" + f
			}
		}
		return files, err
	}
	p, err := uelf.Resolve(bin, pid)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	return []string{p}, nil
}

// listFuncs adds to out f's functions that match glob by their name or,
// for C++, their demangled name; with verbose, a uprobe's arguments as
// bpftrace prints them (a uretprobe has none).
func listFuncs(out []string, kind string, f *uelf.File, glob string, verbose bool) ([]string, error) {
	for _, s := range f.Symbols() {
		ok, _ := path.Match(glob, s.Name)
		if !ok && strings.HasPrefix(s.Name, "_Z") {
			ok, _ = path.Match(glob, uelf.Demangled(s.Name))
		}
		if !ok {
			continue
		}
		line := kind + ":" + f.Path + ":" + s.Name
		if verbose && kind == "uprobe" {
			params, _, err := f.Params(s.Name)
			if err != nil {
				return out, fmt.Errorf("%s: DWARF: %w", f.Path, err)
			}
			for _, p := range params {
				line += "\n    " + strings.TrimSuffix(uelf.TypeName(p.Type)+" "+p.Name, " ")
			}
		}
		out = append(out, line)
	}
	return out, nil
}

// listUSDT adds to out f's USDT probes that match [PROVIDER:]NAME.
func listUSDT(out []string, f *uelf.File, pat []string) ([]string, error) {
	notes, err := f.USDT()
	if err != nil {
		return out, err
	}
	prov, name := "*", pat[len(pat)-1]
	if len(pat) == 2 && pat[0] != "" {
		prov = pat[0]
	}
	for _, n := range notes {
		okP, _ := path.Match(prov, n.Provider)
		okN, _ := path.Match(name, n.Name)
		if okP && okN {
			out = append(out, "usdt:"+f.Path+":"+n.Provider+":"+n.Name)
		}
	}
	return out, nil
}
