package vmtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/sys/unix"
)

// kernelPackage matches the Debian 6.1 kernel image packages the VM boots:
// the signed generic flavour, not -cloud, -rt, -dbg or -unsigned.
var kernelPackage = regexp.MustCompile(`^linux-image-6\.1\.0-[0-9]+-amd64$`)

// Kernel is an unpacked Debian kernel package in the cache.
type Kernel struct {
	Package string // e.g. linux-image-6.1.0-56-amd64
	Version string // Debian package version, e.g. 6.1.192-2
	Release string // kernel release, e.g. 6.1.0-56-amd64
	Root    string // directory the package was unpacked into
}

// Vmlinuz returns the path of the kernel image.
func (k *Kernel) Vmlinuz() string { return filepath.Join(k.Root, "boot", "vmlinuz-"+k.Release) }

// ModuleDir returns the directory holding the kernel's modules.
func (k *Kernel) ModuleDir() string { return filepath.Join(k.Root, "lib", "modules", k.Release) }

// FetchKernel returns the newest linux-image-6.1.0-*-amd64 package apt
// knows, downloading it with apt-get download into dir and unpacking it
// with dpkg-deb -x unless dir already holds it. Progress goes to log.
func FetchKernel(ctx context.Context, dir string, log io.Writer) (*Kernel, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	pkg, version, err := newestKernelPackage(ctx)
	if err != nil {
		return nil, err
	}
	k := &Kernel{
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
	if err := os.RemoveAll(k.Root); err != nil {
		return nil, err
	}
	if err := run(ctx, "", "dpkg-deb", "-x", deb, k.Root); err != nil {
		return nil, err
	}
	if _, err := os.Stat(k.Vmlinuz()); err != nil {
		return nil, fmt.Errorf("%s has no kernel image: %w", deb, err)
	}
	return k, os.WriteFile(done, nil, 0o644)
}

// newestKernelPackage asks apt for the kernel image package with the
// highest candidate version.
func newestKernelPackage(ctx context.Context) (pkg, version string, err error) {
	out, err := output(ctx, "apt-cache", "search", "--names-only", kernelPackage.String())
	if err != nil {
		return "", "", err
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if name, _, _ := strings.Cut(line, " "); kernelPackage.MatchString(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", "", errors.New("apt knows no linux-image-6.1.0-*-amd64 package; run apt-get update (Debian 12 sources)")
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
		return "", "", errors.New("apt has no installable candidate for linux-image-6.1.0-*-amd64")
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
