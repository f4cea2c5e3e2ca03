package runtime

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// cgroupHierarchy is one mounted cgroup hierarchy: its name as bpftrace
// prints it ("unified" for cgroup2, else the v1 controllers or name=)
// and where it is mounted.
type cgroupHierarchy struct{ name, mount string }

// cgroupHierarchies reads the cgroup mounts of mountinfo: cgroup2 first,
// then the v1 hierarchies by name, as bpftrace orders them.
func cgroupHierarchies(mountinfo string) []cgroupHierarchy {
	f, err := os.Open(mountinfo)
	if err != nil {
		return nil
	}
	defer f.Close()
	var v2, v1 []cgroupHierarchy
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 3 || seen[fields[4]] {
			continue
		}
		mount := fields[4]
		switch tail[0] {
		case "cgroup2":
			seen[mount] = true
			v2 = append(v2, cgroupHierarchy{"unified", mount})
		case "cgroup":
			seen[mount] = true
			v1 = append(v1, cgroupHierarchy{v1Name(tail[2]), mount})
		}
	}
	sort.SliceStable(v1, func(i, j int) bool { return v1[i].name < v1[j].name })
	return append(v2, v1...)
}

// v1Name names a v1 hierarchy by its super options: its controllers,
// or the name= of a named one.
func v1Name(opts string) string {
	var names []string
	for _, o := range strings.Split(opts, ",") {
		switch {
		case strings.HasPrefix(o, "name="):
			return strings.TrimPrefix(o, "name=")
		case o == "rw" || o == "ro" || strings.Contains(o, "=") || strings.HasPrefix(o, "no") || o == "relatime" || o == "clone_children" || o == "xattr":
		default:
			names = append(names, o)
		}
	}
	return strings.Join(names, ",")
}

// cgroupPath renders cgroup_path(id, filter): "NAME:PATH" for every
// hierarchy whose name matches filter ("" matches all) and that has a
// cgroup directory whose inode is id, joined by ",".
func cgroupPath(id uint64, filter string) string {
	var out []string
	for _, h := range cgroupHierarchies("/proc/self/mountinfo") {
		if filter != "" {
			if ok, _ := path.Match(filter, h.name); !ok {
				continue
			}
		}
		if p, ok := findCgroup(h.mount, id); ok {
			out = append(out, h.name+":"+p)
		}
	}
	return strings.Join(out, ",")
}

// cgroupPath is cgroupPath through the renderer's cache.
func (r *renderer) cgroupPath(id uint64, filter string) string {
	k := [2]string{strconv.FormatUint(id, 10), filter}
	if s, ok := r.cgroups[k]; ok {
		return s
	}
	if r.cgroups == nil {
		r.cgroups = map[[2]string]string{}
	}
	s := cgroupPath(id, filter)
	r.cgroups[k] = s
	return s
}

// findCgroup returns the path under mount of the directory with inode id.
func findCgroup(mount string, id uint64) (string, bool) {
	var found string
	filepath.WalkDir(mount, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Ino == id {
			found = "/" + strings.TrimPrefix(strings.TrimPrefix(p, mount), "/")
			return filepath.SkipAll
		}
		return nil
	})
	return found, found != ""
}
