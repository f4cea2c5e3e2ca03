package stdlib

import (
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	want := []string{"diag", "drop", "nftdrop", "path", "tcpreset", "tcpretrans", "tcprtt", "tcpstates"}
	got := Names()
	if len(got) != len(want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Names() = %v, want %v", got, want)
		}
	}
	s, ok := Get("dropmon") // the old name
	if !ok || s.Name != "drop" || s.Summary != "packets the kernel drops: when, who, where, why and which packet." {
		t.Fatalf("Get(dropmon) = %+v, %v", s, ok)
	}
	if !strings.HasPrefix(s.Doc, "drop: packets the kernel drops") || !strings.HasSuffix(s.Doc, "[--reason=NAME] [--stack]\n") {
		t.Errorf("Get(dropmon).Doc = %q", s.Doc)
	}
	if p, ok := Get("pktpath"); !ok || p.Name != "path" {
		t.Errorf("Get(pktpath) = %q, %v; want the path script", p.Name, ok)
	}
	if _, ok := Get("nosuch"); ok {
		t.Fatal("Get(nosuch) found a script")
	}
}
