package difftest

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/runtime"
)

// hostKernel is shared by every case so BTF is read once per process.
var hostKernel = &kernel.Host{}

// positional matches a positional parameter in a program.
var positional = regexp.MustCompile(`\$([0-9]+|#)`)

// runSurftrace runs c through the library pipeline a user's run takes:
// lang/script.Parse, compiler.Compile against the running kernel,
// runtime Load, Attach and Run. The trigger child is released once
// Attach returned. It returns what Run printed.
func runSurftrace(c *testCase) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	prog, err := script.Parse(&lang.Source{Name: c.Name + ".bt", Text: c.Prog})
	if err != nil {
		return "", fmt.Errorf("parse: %w", err)
	}
	ch, err := startChild(c)
	if err != nil {
		return "", err
	}
	defer ch.kill()
	cp, err := compiler.Compile(prog, hostKernel, compiler.Options{Params: c.argv(ch.Pid)})
	if err != nil {
		return "", fmt.Errorf("compile: %w", err)
	}
	tr, err := runtime.Load(cp, runtime.Options{})
	if err != nil {
		return "", fmt.Errorf("load: %w", err)
	}
	defer tr.Close()
	if err := tr.Attach(); err != nil {
		return "", fmt.Errorf("attach: %w", err)
	}
	ch.release()
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	var stdout, warn bytes.Buffer
	err = tr.Run(ctx, runtime.Output{W: &stdout, Warn: &warn})
	if ctx.Err() != nil {
		return stdout.String(), fmt.Errorf("run did not end within %v", c.Timeout)
	}
	if err != nil {
		return stdout.String(), fmt.Errorf("run: %w", err)
	}
	if warn.Len() > 0 {
		return stdout.String(), fmt.Errorf("run warned: %s", warn.String())
	}
	trig := ch.wait(5 * time.Second)
	text, err := traceSection(c, ch.tids)
	if err != nil {
		return stdout.String(), err
	}
	return withTrace(stdout.String(), text), trig
}
