package main

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pokeAddress is where pokeAddr writes, as bpftrace's testprogs/watchpoint
// does.
const pokeAddress = 0x10000000

// pokeAddr is the testscript command pokeaddr: it maps a page at
// pokeAddress and writes its first word three times, for watchpoint
// tests.
func pokeAddr() {
	hint := unsafe.Add(unsafe.Pointer(nil), pokeAddress)
	ptr, err := unix.MmapPtr(-1, 0, hint, 4096, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED_NOREPLACE)
	if err != nil || ptr != hint {
		fmt.Fprintln(os.Stderr, "pokeaddr: mmap:", err)
		os.Exit(1)
	}
	p := (*uint64)(ptr)
	for i := range 3 {
		*p = uint64(i) + 1
	}
	os.Exit(0)
}
