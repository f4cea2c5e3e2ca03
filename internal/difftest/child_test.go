package difftest

import (
	"os"
	"testing"
	"unsafe"
)

// TestMain turns the binary into a trigger child when childEnv is set.
func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		runChild(spec)
	}
	code := m.Run()
	removeCLI()
	os.Exit(code)
}

// unsafePtr returns a pointer to a NUL-terminated copy of s for prctl.
func unsafePtr(s string) unsafe.Pointer {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0])
}
