package difftest

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// loadGaps reads known_gaps.txt: one "case-name reason..." per line, "#"
// comments and blank lines ignored. Every name must be a case in cases and
// appear once; every entry needs a reason.
func loadGaps(file string, cases []*testCase) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]bool{}
	for _, c := range cases {
		known[c.Name] = true
	}
	gaps := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, " ")
		reason = strings.TrimSpace(reason)
		switch {
		case !known[name]:
			return nil, fmt.Errorf("%s:%d: no case named %q", file, n, name)
		case gaps[name] != "":
			return nil, fmt.Errorf("%s:%d: %q listed twice", file, n, name)
		case reason == "":
			return nil, fmt.Errorf("%s:%d: %q needs a reason", file, n, name)
		}
		gaps[name] = reason
	}
	return gaps, sc.Err()
}
