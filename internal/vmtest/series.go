package vmtest

import (
	"fmt"
	"regexp"
	"strings"
)

// Series is a Debian 12 kernel series the VM can boot. Each run boots the
// newest build of the series that apt offers, never a pinned one.
type Series struct {
	Name    string         // as -kernel takes it, e.g. "6.12"
	Package *regexp.Regexp // the signed generic amd64 image packages of the series
}

// The series the VM boots. Their trees sit side by side in the cache,
// each in a directory named after its package and version.
var (
	// Series61 is Debian 12's own kernel, linux-image-6.1.0-<ABI>-amd64,
	// with uncompressed modules.
	Series61 = Series{Name: "6.1", Package: regexp.MustCompile(`^linux-image-6\.1\.0-[0-9]+-amd64$`)}
	// Series612 is the bookworm backport of 6.12,
	// linux-image-6.12.<patch>+deb12-amd64, whose modules are .ko.xz.
	Series612 = Series{Name: "6.12", Package: regexp.MustCompile(`^linux-image-6\.12\.[0-9]+\+deb12-amd64$`)}
)

// AllSeries lists the series in the order `make test` runs them.
var AllSeries = []Series{Series61, Series612}

// DefaultSeries is the series vmrun boots without -kernel.
const DefaultSeries = "6.1"

// LookupSeries returns the series named name, such as "6.12".
func LookupSeries(name string) (Series, error) {
	var names []string
	for _, s := range AllSeries {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Series{}, fmt.Errorf("unknown kernel series %q (have %s)", name, strings.Join(names, ", "))
}
