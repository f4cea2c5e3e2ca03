package main

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag value of bytes, written as a number with an optional
// K, M or G suffix (powers of 1024): 8M, 512K, 4096.
type byteSize int

func (s *byteSize) String() string { return strconv.Itoa(int(*s)) }

// Set parses a size; it must be a power of two.
func (s *byteSize) Set(v string) error {
	mult := 1
	switch {
	case strings.HasSuffix(v, "K"):
		mult, v = 1<<10, strings.TrimSuffix(v, "K")
	case strings.HasSuffix(v, "M"):
		mult, v = 1<<20, strings.TrimSuffix(v, "M")
	case strings.HasSuffix(v, "G"):
		mult, v = 1<<30, strings.TrimSuffix(v, "G")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 1<<30/mult {
		return fmt.Errorf("want a size such as 8M, 512K or 65536")
	}
	n *= mult
	if n&(n-1) != 0 {
		return fmt.Errorf("%d is not a power of two", n)
	}
	*s = byteSize(n)
	return nil
}
