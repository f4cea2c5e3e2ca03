package tracefs

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// namePrefix starts every instance and kprobe group a run creates; the pid
// of the run follows it.
const namePrefix = "surftrace_"

// ownName returns the instance and group name of the process pid.
func ownName(pid int) string { return namePrefix + strconv.Itoa(pid) }

// deadOwner reports whether name was made by a run whose process is gone.
func deadOwner(name string) bool {
	pid, err := strconv.Atoi(strings.TrimPrefix(name, namePrefix))
	if err != nil || !strings.HasPrefix(name, namePrefix) || pid <= 0 {
		return false
	}
	return errors.Is(unix.Kill(pid, 0), unix.ESRCH)
}

// removeLeftovers removes the instances and kprobe events of earlier runs
// whose process is dead. Instances go first: a kprobe event enabled in an
// instance cannot be removed.
func (t fsys) removeLeftovers() error {
	var errs []error
	ents, _ := os.ReadDir(t.path("instances"))
	for _, e := range ents {
		if deadOwner(e.Name()) {
			errs = append(errs, os.Remove(t.path("instances", e.Name())))
		}
	}
	for _, line := range t.kprobeEvents() {
		group, event, ok := kprobeEventName(line)
		if ok && deadOwner(group) {
			errs = append(errs, t.appendLine("kprobe_events", "-:"+group+"/"+event))
		}
	}
	return errors.Join(errs...)
}

// kprobeEventName returns the group and event of a kprobe_events line
// "p:group/event sym args...".
func kprobeEventName(line string) (group, event string, ok bool) {
	head, _, _ := strings.Cut(line, " ")
	_, name, ok := strings.Cut(head, ":")
	if !ok {
		return "", "", false
	}
	return strings.Cut(name, "/")
}
