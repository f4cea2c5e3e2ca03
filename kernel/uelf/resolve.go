package uelf

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// libDirs are where libraries named without a path are looked for, in
// order, as the dynamic loader's default paths on Debian.
var libDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
}

// Resolve finds the file a uprobe or USDT target names, as bpftrace does:
// a path is taken as is, or when it is not there and pid > 0, in the
// process's root (/proc/PID/root/PATH: a process in another mount
// namespace); an error is the bare cause: "no such file or directory". A
// bare name is first a library mapped by process
// pid (when pid > 0: "libc" finds /proc/PID/maps' libc.so.6), then an
// executable in $PATH, then a library in the loader's directories
// ("libc", "libc.so.6", "c").
func Resolve(name string, pid int) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(name); err != nil && pid > 0 && filepath.IsAbs(name) {
			inRoot := filepath.Join("/proc", strconv.Itoa(pid), "root", name)
			if _, err := os.Stat(inRoot); err == nil {
				return inRoot, nil
			}
		}
		if _, err := os.Stat(name); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return "", pe.Err
			}
			return "", err
		}
		return name, nil
	}
	if pid > 0 {
		if p := fromMaps(name, pid); p != "" {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs, nil
		}
	}
	for _, dir := range libDirs {
		if p := libIn(dir, name); p != "" {
			return p, nil
		}
	}
	return "", fmt.Errorf("no executable or library %s in $PATH or %s", name, strings.Join(libDirs[:2], ", "))
}

// libMatch reports whether file base is library name: "libc.so.6" is
// "libc", "c", "libc.so" and "libc.so.6".
func libMatch(base, name string) bool {
	if base == name {
		return true
	}
	for _, n := range []string{name, "lib" + name} {
		if strings.HasPrefix(base, n+".so") || strings.HasPrefix(base, n+"-") && strings.Contains(base, ".so") {
			return true
		}
	}
	return false
}

// libIn finds library name in dir, preferring the shortest match
// (libc.so.6 over libc.so.6.0.1).
func libIn(dir, name string) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	var found []string
	for _, e := range ents {
		if libMatch(e.Name(), name) && !e.IsDir() {
			found = append(found, e.Name())
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Slice(found, func(i, j int) bool {
		return len(found[i]) < len(found[j]) || len(found[i]) == len(found[j]) && found[i] < found[j]
	})
	for _, f := range found {
		p := filepath.Join(dir, f)
		// libc.so is often a linker script, not ELF: take a real one.
		if ef, err := Open(p); err == nil {
			ef.Close()
			return p
		}
	}
	return ""
}

// fromMaps finds library name among the files process pid maps.
func fromMaps(name string, pid int) string {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") {
			continue
		}
		if libMatch(filepath.Base(fields[5]), name) {
			return fields[5]
		}
	}
	return ""
}

// MappedFiles returns the ELF files process pid runs: its executable
// first, then every other file it maps, in the order of /proc/PID/maps,
// each through /proc/PID/root (the process's view of the filesystem, also
// across mount namespaces), as bpftrace names them.
func MappedFiles(pid int) ([]string, error) {
	root := "/proc/" + strconv.Itoa(pid) + "/root"
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return nil, err
	}
	files := []string{root + exe}
	seen := map[string]bool{exe: true}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") || seen[fields[5]] {
			continue
		}
		seen[fields[5]] = true
		if ef, err := Open(root + fields[5]); err == nil {
			ef.Close()
			files = append(files, root+fields[5])
		}
	}
	return files, sc.Err()
}
