package ktest

import (
	"os"
	"strings"
)

// vmLacks lists, per kernel series the vmtest VM boots, the features that
// series' kernel does not have. A feature not listed must be present in
// the VM, so its absence fails a test there. A series not in the table
// must have every feature. TestFeatures checks the table both ways: in
// the VM a listed feature that turns out present fails too.
var vmLacks = map[string][]Feature{
	// Debian's 6.1 has no CONFIG_FPROBE, so no kprobe.multi links.
	"6.1":  {KprobeMulti},
	"6.12": nil,
}

// VMSeries returns the kernel series (major.minor, such as "6.12") of the
// VM kernel whose release VMEnv carries, or "" outside the VM.
func VMSeries() string { return series(os.Getenv(VMEnv)) }

// series returns the major.minor prefix of a kernel release:
// "6.1.0-57-amd64" is 6.1 and "6.12.117+deb12-amd64" is 6.12.
func series(release string) string {
	major, rest, ok := strings.Cut(release, ".")
	if !ok || !isDigits(major) {
		return ""
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	if end == 0 {
		return ""
	}
	return major + "." + rest[:end]
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// VMExpects reports whether the process runs inside the vmtest VM and the
// VM's kernel series is known to have f, so that f missing is a failure
// (a broken harness or kernel), not a reason to skip.
func VMExpects(f Feature) bool {
	if !InVM() {
		return false
	}
	for _, lacked := range vmLacks[VMSeries()] {
		if lacked == f {
			return false
		}
	}
	return true
}
