package runtime

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/surftrace/surftrace/kernel/uelf"
)

// userSyms names addresses of user processes: it reads a process's
// /proc/PID/maps once, on the first address of that process, and each
// mapped ELF file's function symbols once. A process that has exited by
// then has no names: its addresses print in hex, as bpftrace prints them.
type userSyms struct {
	mu    sync.Mutex
	procs map[uint32][]mapping
	files map[string]*uelf.File // nil for a file that is no ELF
}

// mapping is one file-backed line of /proc/PID/maps.
type mapping struct {
	start, end, off uint64
	path            string
}

// lookup returns the function holding addr in process pid, C++ names
// demangled, addr's offset into it and the file it is in.
func (u *userSyms) lookup(pid uint32, addr uint64) (name string, off uint64, path string, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.procs == nil {
		u.procs, u.files = map[uint32][]mapping{}, map[string]*uelf.File{}
	}
	maps, ok := u.procs[pid]
	if !ok {
		maps = readMaps(pid)
		u.procs[pid] = maps
	}
	for _, m := range maps {
		if addr < m.start || addr >= m.end {
			continue
		}
		f := u.file(m.path)
		if f == nil {
			return "", 0, "", false
		}
		va, ok := f.VirtAddr(addr - m.start + m.off)
		if !ok {
			return "", 0, "", false
		}
		s, off, ok := f.SymbolAt(va)
		if !ok {
			return "", 0, "", false
		}
		return uelf.Demangled(s.Name), off, m.path, true
	}
	return "", 0, "", false
}

// file opens path's symbols once; the file itself is closed at once.
func (u *userSyms) file(path string) *uelf.File {
	f, ok := u.files[path]
	if !ok {
		var err error
		if f, err = uelf.Open(path); err == nil {
			f.Close()
		} else {
			f = nil
		}
		u.files[path] = f
	}
	return f
}

// readMaps reads the file-backed mappings of process pid; none when it
// is gone.
func readMaps(pid uint32) []mapping {
	fh, err := os.Open("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/maps")
	if err != nil {
		return nil
	}
	defer fh.Close()
	var out []mapping
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasPrefix(f[5], "/") {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, mapping{start: start, end: end, off: off, path: f[5]})
	}
	return out
}
