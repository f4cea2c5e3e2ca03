package main

import "testing"

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int{"4096": 4096, "512K": 512 << 10, "8M": 8 << 20, "1G": 1 << 30} {
		var s byteSize
		if err := s.Set(in); err != nil || int(s) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, s, err, want)
		}
	}
	for _, in := range []string{"", "0", "-4K", "3M", "8m", "2G", "x"} {
		var s byteSize
		if err := s.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, s)
		}
	}
}
