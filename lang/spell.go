package lang

import "sort"

// Nearest returns up to max candidates closest to name by edit distance,
// nearest first, keeping only those close enough to be a plausible typo.
func Nearest(name string, candidates []string, max int) []string {
	type scored struct {
		s string
		d int
	}
	limit := len(name)/3 + 1
	var best []scored
	for _, c := range candidates {
		if d := distance(name, c); d <= limit || (len(name) >= 3 && len(c) > len(name) && c[:len(name)] == name) {
			best = append(best, scored{c, d})
		}
	}
	sort.SliceStable(best, func(i, j int) bool {
		if best[i].d != best[j].d {
			return best[i].d < best[j].d
		}
		return best[i].s < best[j].s
	})
	var out []string
	for _, b := range best {
		if len(out) == max {
			break
		}
		out = append(out, b.s)
	}
	return out
}

// DidYouMean formats a hint from Nearest, or "" when nothing is close.
func DidYouMean(name string, candidates []string) string {
	near := Nearest(name, candidates, 3)
	switch len(near) {
	case 0:
		return ""
	case 1:
		return "did you mean " + near[0] + "?"
	}
	s := "did you mean one of "
	for i, n := range near {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s + "?"
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
