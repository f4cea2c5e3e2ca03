package render

import "testing"

func TestEnum(t *testing.T) {
	names := map[uint64]string{3: "NO_SOCKET"}
	if got := Enum([]byte{3, 0, 0, 0}, names); got != "NO_SOCKET" {
		t.Errorf("Enum(3) = %q, want NO_SOCKET", got)
	}
	if got := Enum([]byte{77, 0, 0, 0}, names); got != "77" {
		t.Errorf("Enum(77) = %q, want 77", got)
	}
}
