package runtime

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// catBytesMax bounds what cat() prints of a file, as bpftrace's
// BPFTRACE_CAT_BYTES_MAX does (the same variable sets it).
func catBytesMax() int64 {
	if n, err := strconv.ParseInt(os.Getenv("BPFTRACE_CAT_BYTES_MAX"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 10240
}

// cat prints the start of the file at path for cat(): its bytes as they
// are, or a warning that it cannot be read, which does not end the run.
func (p *printer) cat(path string) error {
	f, err := os.Open(path)
	if err != nil {
		p.fail("failed to open file '%s': %s", path, strerror(err))
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, catBytesMax()))
	if err != nil {
		p.fail("failed to read file '%s': %s", path, strerror(err))
		return nil
	}
	return p.message("cat", string(b))
}

// strerror spells err's errno as C's strerror does ("No such file or
// directory").
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}
