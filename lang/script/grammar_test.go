package script

import (
	"os"
	"testing"
)

// TestGrammar keeps the grammar's EBNF in testdata/grammar.ebnf, so that a
// grammar change shows in review.
func TestGrammar(t *testing.T) {
	const file = "testdata/grammar.ebnf"
	got := parser().String() + "\n"
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("grammar changed (go test -update to accept):\n%s", got)
	}
}
