package vmtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Kernel is an unpacked Debian kernel package in the cache.
type Kernel struct {
	Series  string // e.g. 6.1
	Package string // e.g. linux-image-6.1.0-56-amd64
	Version string // Debian package version, e.g. 6.1.192-2
	Release string // kernel release, e.g. 6.1.0-56-amd64 or 6.12.117+deb12-amd64
	Root    string // directory the package was unpacked into
}

// Vmlinuz returns the path of the kernel image.
func (k *Kernel) Vmlinuz() string { return filepath.Join(k.Root, "boot", "vmlinuz-"+k.Release) }

// ModuleDir returns the directory holding the kernel's modules.
func (k *Kernel) ModuleDir() string { return filepath.Join(k.Root, "lib", "modules", k.Release) }

// FetchKernel returns the newest package of series s that apt knows,
// downloading it with apt-get download into dir and unpacking it with
// dpkg-deb -x unless dir already holds it. Progress goes to log. dir may be
// shared by concurrent runs (of any series): a lock file serialises
// fetches, and the .deb and the unpacked tree each appear under their
// final name only when complete (rename), so a run that dies half-way
// leaves nothing that looks usable.
func FetchKernel(ctx context.Context, dir string, s Series, log io.Writer) (*Kernel, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	pkg, version, err := newestKernelPackage(ctx, s)
	if err != nil {
		return nil, err
	}
	k := &Kernel{
		Series:  s.Name,
		Package: pkg,
		Version: version,
		Release: strings.TrimPrefix(pkg, "linux-image-"),
		Root:    filepath.Join(dir, pkg+"_"+version),
	}
	done := filepath.Join(k.Root, ".unpacked")
	if _, err := os.Stat(done); err == nil {
		fmt.Fprintf(log, "vmtest: using cached %s %s\n", pkg, version)
		return k, nil
	}
	deb, err := download(ctx, dir, pkg, version, log)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "vmtest: unpacking %s\n", filepath.Base(deb))
	return k, unpack(ctx, deb, k)
}

// unpack extracts deb into a scratch directory next to k.Root, checks it
// holds the kernel image, marks it complete and renames it to k.Root.
func unpack(ctx context.Context, deb string, k *Kernel) error {
	tmp, err := os.MkdirTemp(filepath.Dir(k.Root), "unpack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := run(ctx, "", "dpkg-deb", "-x", deb, tmp); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(tmp, "boot", "vmlinuz-"+k.Release)); err != nil {
		return fmt.Errorf("%s has no kernel image: %w", deb, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".unpacked"), nil, 0o644); err != nil {
		return err
	}
	// A tree without the marker is left over from an interrupted unpack
	// by an older harness that unpacked in place.
	if err := os.RemoveAll(k.Root); err != nil {
		return err
	}
	return os.Rename(tmp, k.Root)
}

// newestKernelPackage asks apt for the kernel image package of series s
// with the highest candidate version.
func newestKernelPackage(ctx context.Context, s Series) (pkg, version string, err error) {
	out, err := output(ctx, "apt-cache", "search", "--names-only", s.Package.String())
	if err != nil {
		return "", "", err
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if name, _, _ := strings.Cut(line, " "); s.Package.MatchString(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", "", fmt.Errorf("apt knows no package matching %s (kernel %s); run apt-get update (Debian 12 sources)", s.Package, s.Name)
	}
	out, err = output(ctx, "apt-cache", append([]string{"policy"}, names...)...)
	if err != nil {
		return "", "", err
	}
	for name, cand := range parsePolicy(out) {
		if version == "" || debVersionGreater(ctx, cand, version) {
			pkg, version = name, cand
		}
	}
	if pkg == "" {
		return "", "", fmt.Errorf("apt has no installable candidate matching %s (kernel %s)", s.Package, s.Name)
	}
	return pkg, version, nil
}

// parsePolicy maps package name to candidate version in apt-cache policy
// output, leaving out packages without a candidate.
func parsePolicy(out []byte) map[string]string {
	cands := map[string]string{}
	var name string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":") {
			name = strings.TrimSuffix(line, ":")
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: "); ok && name != "" && v != "(none)" {
			cands[name] = v
		}
	}
	return cands
}

// debVersionGreater reports whether Debian version a sorts after b.
func debVersionGreater(ctx context.Context, a, b string) bool {
	return exec.CommandContext(ctx, "dpkg", "--compare-versions", a, "gt", b).Run() == nil
}

// download fetches pkg=version into dir, through a scratch directory so an
// interrupted download never looks complete.
func download(ctx context.Context, dir, pkg, version string, log io.Writer) (string, error) {
	tmp, err := os.MkdirTemp(dir, "download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "vmtest: apt-get download %s=%s\n", pkg, version)
	// Root's downloads skip apt's _apt sandbox user, who could not write here.
	if err := run(ctx, tmp, "apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg+"="+version); err != nil {
		return "", err
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, pkg+"_*.deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download %s left %d .deb files", pkg, len(debs))
	}
	deb := filepath.Join(dir, filepath.Base(debs[0]))
	return deb, os.Rename(debs[0], deb)
}

// lockDir takes an exclusive lock on dir so that concurrent runs do not
// download or unpack into it at the same time.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
