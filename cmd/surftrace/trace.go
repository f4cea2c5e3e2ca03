package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/surftrace/surftrace/spec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/kernel/tracingdir"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/runtime/folded"
	"github.com/surftrace/surftrace/runtime/pcap"
	"github.com/surftrace/surftrace/runtime/tracefs"
)

// trace runs prog on the backend c asks for (or the one that works) until
// it is told to stop. Every kernel object is released on every path.
//
// A reader of stdout that goes away (`surftrace ... | head`) ends the run
// as SIGINT does: with SIGPIPE caught, the write fails with EPIPE instead
// of killing the process before it cleans up, and that is no error.
func trace(c *config, prog *lang.Program, k kernel.Kernel, w *watch, stdout, stderr io.Writer) error {
	err := traceUntilStopped(c, prog, k, w, stdout, stderr)
	if errors.Is(err, syscall.EPIPE) {
		return nil
	}
	return err
}

func traceUntilStopped(c *config, prog *lang.Program, k kernel.Kernel, w *watch, stdout, stderr io.Writer) error {
	phase := phases(c, stderr, time.Now())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	backend, why := chooseBackend(c.backend, c.notes)
	if !c.quiet && (c.backend == "auto" && backend == "ftrace" || c.verbose) {
		fmt.Fprintf(stderr, "surftrace: backend %s: %s\n", backend, why)
	}
	// The -c command writes to stdout also with -o FILE, as bpftrace's.
	cmdOut := stdout
	if c.cmdOut != nil {
		cmdOut = c.cmdOut
	}
	ready := func() error {
		if c.readyFile != "" {
			if err := os.WriteFile(c.readyFile, nil, 0o644); err != nil {
				return fmt.Errorf("ready file: %w", err)
			}
		}
		return w.start(cancel, cmdOut, stderr)
	}
	defer w.stop()
	if backend == "ftrace" {
		if err := traceFtrace(ctx, cancel, c, prog, k, ready, stdout, stderr); err != nil {
			return err
		}
		return c.commandResult(w, stdout) // a -c command that failed fails the run, as on bpf
	}
	opts := compiler.Options{Stack: c.stack || c.folded != "", RingSize: int(c.ringSize), Unsafe: c.unsafe, PID: c.pid, HelperCheck: c.helpers,
		MaxPrograms: envInt("BPFTRACE_MAX_BPF_PROGS"), SkipUnknownFuncs: c.bpftrace}
	if c.pcapFile != "" {
		opts.Capture = spec.MaxCapture
	}
	// -c's command starts now, held before its exec, so that its pid is
	// cpid and probes on its addresses (watchpoints) know it.
	pid := c.pid
	if w.argv != nil {
		var err error
		if pid, err = w.spawn(cmdOut, stderr); err != nil {
			return err
		}
		opts.PID, opts.Child, opts.Command = pid, true, w.argv[0]
	}
	p, err := compiler.Compile(prog, k, opts)
	if err != nil {
		return badInput(err)
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(stderr, w.Error())
	}
	phase("compiled")
	if c.verbose {
		fmt.Fprintf(stderr, "surftrace: %d programs\n", len(p.Probes))
	}
	// Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK: lift it
	// (CAP_SYS_RESOURCE); a no-op where memory cgroups account for BPF. If
	// it fails, creating the maps says so.
	if err := rlimit.RemoveMemlock(); err != nil && c.verbose {
		fmt.Fprintf(stderr, "surftrace: %v\n", err)
	}
	ropts := runtime.Options{Verbose: c.verbose, MaxEvents: c.maxEvents, KeepGoing: c.fleet.metrics != "", PID: pid,
		LogSize: envInt("BPFTRACE_LOG_SIZE")}
	if !c.quiet {
		ropts.Warn = stderr
	}
	t, err := runtime.Load(p, ropts)
	if err != nil {
		return err
	}
	defer t.Close()
	phase("loaded")
	if err := t.Attach(); err != nil {
		return err
	}
	phase("attached")
	if st := t.AttachStats(); c.verbose && st.Functions > 0 {
		fmt.Fprintf(stderr, "surftrace: attached %d of %d functions in %v (%s)\n",
			st.Functions-st.Refused, st.Functions, st.Took.Round(time.Millisecond), st.How)
	}
	reportAttachErrors(t, stderr)
	fl, dst, err := startFleet(c, t, p, stdout, stderr)
	if err != nil {
		return err
	}
	defer fl.stop(stderr)
	if c.banner {
		if _, err := io.WriteString(dst, attachingLine(c.format, bannerProbes(p))); err != nil {
			return err
		}
	}
	if err := ready(); err != nil {
		return err
	}
	if c.notifyAttached {
		fmt.Fprintln(stderr, "__BPFTRACE_NOTIFY_PROBES_ATTACHED")
	}
	out := runtime.Output{W: dst, Warn: stderr, Levels: c.bpftrace}
	out.Gap = c.gap
	if c.format == "json" {
		out.Format = runtime.JSON
	}
	var packets *pcap.Writer
	if c.pcapFile != "" {
		if packets, err = pcap.Create(c.pcapFile, spec.MaxCapture); err != nil {
			return err
		}
		defer packets.Close()
		out.Packet = packets.Packet
	}
	stacks := folded.New()
	if c.folded != "" {
		out.Stack = stacks.Add
	}
	out.Dump = dumpOnSIGUSR1(ctx)
	if err := t.Run(ctx, out); err != nil {
		return err
	}
	phase("printed")
	if err := fl.stop(stderr); err != nil {
		return err
	}
	if err := t.Close(); err != nil {
		return err
	}
	phase("detached")
	if packets != nil {
		if err := packets.Close(); err != nil {
			return fmt.Errorf("--pcap: %w", err)
		}
	}
	if c.folded != "" {
		if err := stacks.WriteFile(c.folded); err != nil {
			return fmt.Errorf("--folded: %w", err)
		}
	}
	return c.commandResult(w, stdout)
}

// commandResult is how the -c command's end ends the run: as surftrace, a
// command that failed fails the run; as bpftrace, it does not, and -v
// reports how the command ended, after the maps.
func (c *config) commandResult(w *watch, stdout io.Writer) error {
	if !c.bpftrace {
		return w.err()
	}
	if c.cmdOut != nil {
		stdout = c.cmdOut
	}
	if code, sig, ok := w.status(); ok && c.verbose {
		if sig > 0 {
			fmt.Fprintf(stdout, "Child terminated by signal: %d\n", sig)
		} else {
			fmt.Fprintf(stdout, "Child exited with code: %d\n", code)
		}
	}
	return nil
}

// traceFtrace runs prog through tracefs.
func traceFtrace(ctx context.Context, cancel func(), c *config, prog *lang.Program, k kernel.Kernel, ready func() error, stdout, stderr io.Writer) error {
	for _, f := range []struct {
		flag string
		set  bool
	}{{"--format json", c.format == "json"}, {"--pcap", c.pcapFile != ""}, {"--folded", c.folded != ""},
		{"--metrics", c.fleet.metrics != ""}, {"--sink", c.fleet.sink != ""}} {
		if f.set {
			return badInput(errors.New(f.flag + " needs the bpf backend"))
		}
	}
	f, err := compiler.CompileFtrace(prog, k, compiler.Options{Stack: c.stack})
	if err != nil {
		return badInput(err)
	}
	for _, w := range f.Warnings {
		if !c.quiet {
			fmt.Fprintln(stderr, w)
		}
	}
	root, err := tracingdir.Mount(c.notes)
	if err != nil {
		return err
	}
	var readyErr error
	out := &eventCounter{w: stdout, max: c.maxEvents, done: cancel}
	err = tracefs.Run(ctx, f, tracefs.Options{Root: root, Out: out, Warn: stderr, Ready: func() {
		if readyErr = ready(); readyErr != nil {
			cancel()
		}
	}})
	if err == nil {
		err = readyErr
	}
	return err
}

// chooseBackend picks the backend for want (auto, bpf or ftrace) and says
// why. Falling back to ftrace mounts tracefs when it is missing, with a
// note.
func chooseBackend(want string, notes io.Writer) (backend, why string) {
	if want != "auto" {
		return want, "asked for with --backend"
	}
	err := probeBPF()
	if err == nil {
		return "bpf", "bpf() works"
	}
	if !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.ENOSYS) {
		return "bpf", fmt.Sprintf("bpf() failed (%v), but not for lack of permission", err)
	}
	root, ferr := tracingdir.Mount(notes)
	if ferr != nil {
		return "bpf", fmt.Sprintf("bpf() refused (%v) and no tracefs (%v)", err, ferr)
	}
	if aerr := unix.Access(root+"/kprobe_events", unix.W_OK); aerr != nil {
		return "bpf", fmt.Sprintf("bpf() refused (%v) and %s/kprobe_events is not writable (%v)", err, root, aerr)
	}
	return "ftrace", fmt.Sprintf("bpf() refused (%v); %s is writable", errnoOf(err), root)
}

// errnoOf is the errno inside err, without the wrappers' advice.
func errnoOf(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// probeBPF asks the kernel for the smallest BPF object there is.
func probeBPF() error {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return err
	}
	return m.Close()
}

// eventCounter passes output on and calls done after max event lines
// (lines that are not stack frames), dropping later events but not the
// last event's stack; 0 means no limit.
type eventCounter struct {
	mu   sync.Mutex
	w    io.Writer
	max  int
	n    int
	mid  bool // the last write ended inside a line
	done func()
}

func (e *eventCounter) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.max == 0 {
		return e.w.Write(p)
	}
	for _, l := range bytes.SplitAfter(p, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		starts := !e.mid && !bytes.HasPrefix(l, []byte(" => "))
		e.mid = !bytes.HasSuffix(l, []byte("\n"))
		if starts {
			if e.n >= e.max {
				continue
			}
			e.n++
		}
		if _, err := e.w.Write(l); err != nil {
			return 0, err
		}
	}
	if e.n >= e.max {
		e.done()
	}
	return len(p), nil
}

// dumpOnSIGUSR1 returns a channel that receives on each SIGUSR1 until ctx
// is done: the run then prints every map, as bpftrace does.
func dumpOnSIGUSR1(ctx context.Context) <-chan struct{} {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	dump := make(chan struct{}, 1)
	go func() {
		defer signal.Stop(sigs)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sigs:
				select {
				case dump <- struct{}{}:
				default: // one is pending already
				}
			}
		}
	}()
	return dump
}

// envInt is the positive integer in environment variable name (bpftrace's
// BPFTRACE_MAX_BPF_PROGS and BPFTRACE_LOG_SIZE), else 0.
func envInt(name string) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// bannerProbes counts the probes bpftrace's banner counts: each function
// a shared wildcard program attaches to, and not the uprobes that arm
// watchpoint:FUNCTION+argN breakpoints.
func bannerProbes(p *spec.Program) int {
	n := 0
	for _, probe := range p.Probes {
		switch {
		case probe.Arming:
		case len(probe.Targets) > 0:
			n += len(probe.Targets)
		default:
			n++
		}
	}
	return n
}

// attachingLine is bpftrace's banner for n attached probes (BEGIN and END
// count), in text or as its JSON "attached_probes" object.
func attachingLine(format string, n int) string {
	switch {
	case format == "json":
		return fmt.Sprintf("{\"type\": \"attached_probes\", \"data\": {\"probes\": %d}}\n", n)
	case n == 1:
		return "Attaching 1 probe...\n"
	}
	return fmt.Sprintf("Attaching %d probes...\n", n)
}
