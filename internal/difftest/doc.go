// Package difftest is surftrace's differential test suite against
// bpftrace: every case under testdata/cases is a bpftrace program with a
// bounded trigger, run once under bpftrace 0.17 (the oracle) and once
// under surftrace, and the two outputs must be equal after normalization
// (bpftrace's "Attaching N probes..." line dropped, ties in a map's sort
// order allowed to differ).
//
// The package holds only tests. A case file is a txtar archive:
//
//	trigger: udp 5 100
//	requires: kprobes
//	form: -e
//	-- prog.bt --
//	tracepoint:syscalls:sys_enter_exit_group /pid == $1/ { exit(); }
//
// The trigger runs in a child process (this test binary re-executed)
// whose pid is the program's $1; it starts only once both tracers have
// attached their probes, and the program usually ends itself when the
// child calls exit_group. testdata/known_gaps.txt lists the cases
// surftrace does not pass yet; each listed case must still fail, so a
// fix forces its removal and a regression in any other case fails the
// suite. Cases that need kprobes or fentry run in the vmtest VM (make
// vmtest); the others run on the host (make test-kernel).
//
// bpftrace runs as "bpftrace NAME.bt [PID ARGS...]" (positional
// parameters only when the program uses them; "form: -e" passes the
// program as "-e PROGRAM" instead, to both tracers) and is released to the
// trigger when it prints __BPFTRACE_NOTIFY_PROBES_ATTACHED, the hook of
// bpftrace's own runtime tests. surftrace runs as the user runs it:
// ./cmd/surftrace, built once per test process, as "surftrace
// --ready-file F NAME.st [PID ARGS...]". In the VM, where building under
// TCG is too slow, it runs through the same library pipeline the CLI
// wraps (lang/script, compiler, runtime); DIFFTEST_SURFTRACE=lib or
// =/path/to/surftrace overrides the choice. Without bpftrace installed,
// surftrace still runs every case but nothing is compared, and the test
// says so. Every run prints "difftest: N cases, M equal, K known gaps".
//
// A program that calls debugf() prints into the kernel trace buffer
// (bpf_trace_printk), not to stdout: for such a case each tracer's output
// gets, after a "-- trace --" line, the texts of the buffer's
// bpf_trace_printk lines that the trigger child's threads wrote.
//
// TestBpftraceCommandLine compares bpftrace's command line itself (program
// files, stdin, positional parameters, -f json, -o, -B, -q, #define and
// #include, bad invocations): each command line runs unchanged under
// bpftrace and under surftrace invoked through a symlink named bpftrace,
// and stdout, the -o file, the exit status and stderr's error messages must
// be equal.
package difftest
