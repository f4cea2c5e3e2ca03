// Package uelf reads what user-space probes need from ELF files on disk:
// function symbols and their file offsets (uprobe, uretprobe), the
// SystemTap SDT notes of USDT probes with their semaphores and argument
// locations, and where a library named without a path lives.
//
// It is metadata, like the kernel's BTF: the compiler reads it to resolve
// attach points into (path, file offset) pairs and to type USDT
// arguments, and the runtime reads it to list probes. It imports the
// standard library, a C++ demangler and an x86 decoder (to check uprobe
// offsets) only, and touches no kernel object.
package uelf
