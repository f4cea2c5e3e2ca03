package vmtest

import (
	"bytes"
	"context"
	"debug/elf"
	_ "embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed init.sh
var initScript []byte

// BuildInitramfs writes to out an uncompressed cpio (newc) initramfs
// holding a static busybox, the init script and kernel k's modules in
// Modules with their dependencies. It stages the tree in a scratch
// directory next to out and packs it with cpio.
func BuildInitramfs(ctx context.Context, k *Kernel, out string) error {
	busybox, err := staticBusybox()
	if err != nil {
		return err
	}
	kos, err := loadOrder(k.ModuleDir(), Modules)
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp(filepath.Dir(out), "initramfs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)

	for _, d := range []string{"bin", "dev", "proc", "sys", "newroot", "results", "scratch", "lib/modules"} {
		if err := os.MkdirAll(filepath.Join(stage, d), 0o755); err != nil {
			return err
		}
	}
	if err := copyFile(busybox, filepath.Join(stage, "bin", "busybox"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(stage, "init"), initScript, 0o755); err != nil {
		return err
	}
	var order strings.Builder
	for _, ko := range kos {
		name, _ := moduleFileName(filepath.Base(ko))
		dst := "/lib/modules/" + name + ".ko"
		data, err := readModule(ko)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(stage, dst), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(&order, dst)
	}
	if err := os.WriteFile(filepath.Join(stage, "modules.order"), []byte(order.String()), 0o644); err != nil {
		return err
	}
	return packCpio(ctx, stage, out)
}

// staticBusybox finds busybox on PATH and checks that it is statically
// linked, as the initramfs has no shared libraries.
func staticBusybox() (string, error) {
	path, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("%w (install busybox-static)", err)
	}
	f, err := elf.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s is dynamically linked; install busybox-static", path)
		}
	}
	return path, nil
}

// packCpio archives the tree under dir into out with cpio -o -H newc,
// every file owned by root.
func packCpio(ctx context.Context, dir, out string) error {
	var names bytes.Buffer
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		fmt.Fprintln(&names, rel)
		return err
	})
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, "cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0")
	cmd.Dir = dir
	cmd.Stdin = &names
	cmd.Stdout = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cpio: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return f.Close()
}

func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}
