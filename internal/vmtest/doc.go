// Package vmtest runs commands, typically `go test -c` binaries, inside a
// second, real kernel: one of Debian 12's kernel series (Series61,
// linux-image-6.1.0-*-amd64, or Series612, the 6.12 backport) booted under
// qemu with TCG. The host kernel lacks kprobes and refuses fentry; both VM
// kernels have kprobes, kretprobes, fentry/fexit, tp_btf and
// kprobe_events, and 6.12 also kprobe.multi, so tests of those run here.
//
// The kernel package comes from apt (apt-get download) and is unpacked
// into a cache directory that later runs reuse, one tree per series. Each run builds a busybox
// initramfs that loads virtio, 9p and networking modules, mounts the host
// root read-only over 9p, and runs the command in a chroot of it with
// proc, sys, dev, tracefs, debugfs, bpffs, a tmpfs /run and a writable
// overlay on the host's /tmp mounted.
// The command sees ktest.VMEnv set to the guest kernel release.
package vmtest
