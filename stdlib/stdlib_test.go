package stdlib

import (
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	want := []string{"dropmon", "pktpath", "tcpreset", "tcpretrans"}
	got := Names()
	if len(got) != len(want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Names() = %v, want %v", got, want)
		}
	}
	s, ok := Get("dropmon")
	if !ok || s.Summary != "packets the kernel drops, with where, why and which addresses." {
		t.Fatalf("Get(dropmon) = %+v, %v", s.Summary, ok)
	}
	if !strings.HasPrefix(s.Doc, "dropmon: packets the kernel drops") || !strings.HasSuffix(s.Doc, "\nUsage: surftrace run dropmon\n") {
		t.Errorf("Get(dropmon).Doc = %q", s.Doc)
	}
	if _, ok := Get("nosuch"); ok {
		t.Fatal("Get(nosuch) found a script")
	}
}
