package difftest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
)

// cliCase is one bpftrace command line, run unchanged under bpftrace and
// under surftrace invoked as bpftrace.
type cliCase struct {
	name  string
	args  []string
	stdin string
	files map[string]string // written to the working directory first
	out   string            // a file the run writes (-o), compared too
	env   []string          // added to the environment ("NAME=VALUE")
}

// cliCases exercise bpftrace's command line: positional parameters,
// program files and stdin, -f json, -o, -B, -q, the banner, system()
// with --unsafe and without it, and the
// messages and exit statuses of bad invocations. Their programs are
// BEGIN and END probes, so they run on any kernel with BPF.
var cliCases = []cliCase{
	{name: "params", args: []string{"-e", `BEGIN { printf("%d %s %d\n", $1, str($2), $#); exit(); }`, "42", "hello"}},
	{name: "params-hex-negative", args: []string{"-e", `BEGIN { printf("%d %d\n", $1, $2 + 1); exit(); }`, "0x10", "--", "-5"}},
	{name: "params-string-offset", args: []string{"-e", `BEGIN { printf("%s|%s|%s\n", str($1 + 1), str($1 + 5), str($1)); exit(); }`, "hello"}},
	{name: "params-missing", args: []string{"-e", `BEGIN { printf("[%d] [%s]\n", $3, str($2)); exit(); }`, "1"}},
	{name: "file", args: []string{"prog.bt", "7"}, files: map[string]string{"prog.bt": "BEGIN { printf(\"file %d\\n\", $1); exit(); }\n"}},
	{name: "stdin", args: []string{"-", "3"}, stdin: "BEGIN { printf(\"stdin %d\\n\", $1); exit(); }\n"},
	{name: "json", args: []string{"-f", "json", "-e", `BEGIN { @c = count(); @s[1, "a"] = sum(5); printf("x %d\n", 3); exit(); }`}},
	{name: "json-hist", args: []string{"-f", "json", "-e", `BEGIN { @h = hist(5); @h = hist(100); @l = lhist(3, 0, 10, 2); exit(); }`}},
	{name: "output-file", args: []string{"-e", `BEGIN { printf("to file\n"); @x = 7; exit(); }`, "-o", "out.txt"}, out: "out.txt"},
	{name: "output-file-json", args: []string{"-o", "out.json", "-f", "json", "-e", `BEGIN { printf("j\n"); exit(); }`}, out: "out.json"},
	{name: "buffer-full", args: []string{"-B", "full", "-e", `BEGIN { printf("a\n"); printf("b\n"); exit(); }`}},
	{name: "buffer-none", args: []string{"-B", "none", "-e", `BEGIN { printf("a"); printf("b\n"); exit(); }`}},
	{name: "quiet", args: []string{"-q", "-e", `BEGIN { printf("q\n"); exit(); }`}},
	{name: "grouped", args: []string{"-qe", `BEGIN { @ = 1; exit(); }`}},
	{name: "two-probes", args: []string{"-e", `BEGIN { exit(); } END { printf("end\n"); }`}},
	{name: "define", args: []string{"-e", "#define N 314\n#define M (N + 1)\nBEGIN { printf(\"%d %d %s\\n\", N, M, \"N\"); exit(); }"}},
	{name: "include-errno", args: []string{"--include", "errno.h", "-e", `BEGIN { printf("%d %d %d\n", EPERM, ENOENT, EWOULDBLOCK); exit(); }`}},
	{name: "include-dir", args: []string{"-I", "inc", "-e", "#include <my.h>\n#include \"linux/if_ether.h\"\nBEGIN { printf(\"%d %d\\n\", MYVAL, ETH_P_IPV6); exit(); }"},
		files: map[string]string{"inc/my.h": "#define MYVAL 0x42 /* mine */\n"}},
	{name: "include-missing", args: []string{"-e", "#include <lol/no.h>\nBEGIN { exit(); }"}},
	{name: "child-fails", args: []string{"-e", "tracepoint:syscalls:sys_enter_exit_group /pid == cpid/ { @ = 1; }", "-c", "/bin/false"}},
	{name: "child-missing", args: []string{"-e", "BEGIN { exit(); }", "-c", "nonexistentcmd"}},
	{name: "bad-format", args: []string{"-f", "xml", "-e", `BEGIN { exit(); }`}},
	{name: "bad-buffer", args: []string{"-B", "some", "-e", `BEGIN { exit(); }`}},
	{name: "missing-file", args: []string{"nonexistent.bt"}},
	{name: "bad-pid", args: []string{"-p", "12ab", "x.bt"}},
	{name: "pid-range", args: []string{"-p", "5000000", "x.bt"}},
	{name: "no-program", args: []string{"-q"}},
	{name: "c-and-p", args: []string{"-c", "true", "-p", "1", "-e", `BEGIN { exit(); }`}},
	{name: "v-and-d", args: []string{"-v", "-d", "-e", `BEGIN { exit(); }`}},
	{name: "system", args: []string{"--unsafe", "-e", `BEGIN { system("echo %d %s", 42, "x"); system("printf no-newline"); exit(); }`}},
	{name: "system-json", args: []string{"--unsafe", "-f", "json", "-e", `BEGIN { system("echo a b c"); exit(); }`}},
	{name: "system-output-file", args: []string{"--unsafe", "-o", "out.txt", "-e", `BEGIN { system("echo %d", 7); exit(); }`}, out: "out.txt"},
	{name: "system-safe-mode", args: []string{"-e", `BEGIN { system("echo no"); exit(); }`}},
	{name: "cat-missing", args: []string{"-e", `BEGIN { cat("/does/not/exist/file"); exit(); }`}},
	{name: "unroll-zero", args: []string{"-e", `BEGIN { unroll (0) { printf("x"); } exit(); }`}},
	{name: "unroll-too-many", args: []string{"-e", `BEGIN { unroll (101) { printf("x"); } exit(); }`}},
	{name: "tracepoint-missing", args: []string{"-e", `t:syscalls:nonsense { exit(); }`}},
	{name: "kprobe-two-parts", args: []string{"-e", `kprobe:syscalls:sys_exit_nanosleep { exit(); }`}},
	{name: "index-out-of-bounds", args: []string{"-e", `struct A { int x[4]; } BEGIN { $a = (struct A *)0; $x = $a->x[5]; exit(); }`}},
	{name: "helper-check-delete", args: []string{"-k", "-f", "json", "-e", `BEGIN { @[1] = 1; delete(@[2]); delete(@[1]); exit(); }`}},
	{name: "helper-check-lookup", args: []string{"-kk", "-f", "json", "-e", `BEGIN { @[1] = 1; printf("%d %d\n", @[2], @[1]); exit(); }`}},
	{name: "helper-check-k-skips-lookup", args: []string{"-k", "-f", "json", "-e", `BEGIN { @[1] = 1; printf("%d\n", @[2]); exit(); }`}},
	// surf_name(s) of the probes fixture reads the string s: a breakpoint
	// on its first byte, armed from the uprobe, fires in strlen.
	{name: "watchpoint-function-arg", args: []string{"-e", `watchpoint:surf_name+arg0:1:rw { printf("%s\n", probe); exit(); }`, "-c", probesToken + " 3 0"}},
	// macaddr() of the first 6 bytes of "hello" that surf_name receives.
	{name: "macaddr", args: []string{"-e", `struct S { char m[6]; } uprobe:` + probesToken + `:surf_name { $s = (struct S *)arg0; printf("%s\n", macaddr($s->m)); @[macaddr($s->m)] = 1; @v = macaddr($s->m); exit(); }`, "-c", probesToken + " 1 0"}},
	// Blocks on one function run in the script's order.
	{name: "struct-array-json", args: []string{"-f", "json", "-e", `struct P { char a; char b; short c; } struct L { short v[2][1]; char z[2]; } struct Q { char c; int *p; } uprobe:` + probesToken + `:surf_name { $p = *(struct P *)arg0; print($p); $q = *(struct Q *)arg0; print($q); @q[$q] = $q; @p[$p] = $p; @t = (0, $p); $l = *(struct L *)arg0; print($l.v); @l = $l; exit(); }`, "-c", probesToken + " 1 0"}},
	{name: "uprobe-order", args: []string{"-e", `uprobe:` + probesToken + `:surf_add { printf("first "); } uprobe:` + probesToken + `:surf_add { printf("second\n"); } uretprobe:` + probesToken + `:surf_add { printf("ret1 "); } uretprobe:` + probesToken + `:surf_add { printf("ret2\n"); }`, "-c", probesToken + " 1 0"}},
	// A uprobe's pointer indexed by a constant reads user memory.
	{name: "uprobe-pointer-index", args: []string{"-e", `uprobe:` + probesToken + `:surf_name { $p = (int8 *)arg0; @p[0] = (int8 *)arg0; printf("%c %c %c %c\n", $p[0], $p[1], ((int8 *)arg0)[4], @p[0][2]); clear(@p); exit(); }`, "-c", probesToken + " 1 0"}},
	// curtask, kptr() and what is read through them are kernel memory in
	// a uprobe too, also kept in a variable.
	{name: "uprobe-curtask", args: []string{"-e", `uprobe:` + probesToken + `:surf_add { $t = curtask; printf("%d %s %d %d\n", curtask->pid == pid, curtask->comm, $t->mm->map_count > 0, ((struct task_struct *)kptr(curtask))->tgid == pid); exit(); }`, "-c", probesToken + " 1 0"}},
	{name: "watchpoint-function-needs-process", args: []string{"-e", `watchpoint:surf_name+arg0:1:rw { exit(); }`}},
	{name: "join", args: []string{"-f", "json", "-o", "out.json", "-e", `tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args->argv); join(args->argv, ","); }`, "-c", "/bin/echo a bb ccc"}, out: "out.json"},
	{name: "join-text", args: []string{"-o", "out.txt", "-e", `tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args->argv, "-"); }`, "-c", "/bin/echo x y"}, out: "out.txt"},
	{name: "strerror", args: []string{"--include", "errno.h", "-e", `BEGIN { print(strerror(EPERM)); printf("%s|%s\n", strerror(2), strerror(-5)); $e = strerror(EAGAIN); print($e); exit(); }`}},
	{name: "printf-buf-hex", args: []string{"-e", `BEGIN { printf("%rx|%rh|%r|%rhx|\n", buf("Hello\0", 6), buf("Hi\0", 3), buf("A\x01", 2), buf("ab", 2)); exit(); }`}},
	{name: "command-words", args: []string{"-f", "json", "-o", "out.json", "-e", `tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args->argv, ","); }`, "-c", `/bin/echo 'A' "b" c\d`}, out: "out.json"},
	// The registers ctx points at differ from run to run: the case reads
	// one and compares it with itself.
	{name: "ctx", args: []string{"-e", `struct x { unsigned long x } i:ms:1 { $r = ((struct x *)ctx)->x; @ = $r == ((struct x *)ctx)->x; exit(); }`}},
	{name: "ctx-tracepoint", args: []string{"-e", `tracepoint:syscalls:sys_enter_openat { @ = ctx; exit(); }`}},
	// BPFTRACE_MAX_BPF_PROGS bounds the programs of one attach point; a
	// wildcard whose block reads probe needs one per match.
	{name: "max-bpf-progs", args: []string{"-e", `t:syscalls:sys_enter_getp* { @[probe] = count(); exit(); }`}, env: []string{"BPFTRACE_MAX_BPF_PROGS=1"}},
	{name: "max-bpf-progs-begin-end", args: []string{"-e", `BEGIN { printf("b\n"); exit(); } END { printf("e\n"); }`}, env: []string{"BPFTRACE_MAX_BPF_PROGS=1"}},
	// Uprobe arguments from the DWARF fixture: -lv lists them with their
	// types, a script's own struct wins over the binary's, in casts and in
	// the arguments' types.
	{name: "list-uprobe-args", args: []string{"-lv", "uprobe:" + dwarfToken + ":surf_*"}},
	{name: "list-uprobe-args-main", args: []string{"-lv", "uprobe:" + dwarfToken + ":main"}},
	// libc's DWARF is in libc6-dbg's detached file; it declares malloc
	// without defining it (no arguments listed).
	{name: "list-uprobe-args-libc", args: []string{"-lv", "uprobe:libc:mal*"}},
	{name: "uprobe-dwarf-struct-override", args: []string{"-e", `struct surf_node { int a; char b[4]; } uprobe:` + dwarfToken + `:surf_node { printf("%d %s %d\n", ((struct surf_node *)arg0)->a, ((struct surf_node *)arg0)->b, args->n->a); exit(); }`, "-c", dwarfToken + " 0"}},
	// A NULL read in BEGIN, whose pointers have no address space: the
	// legacy probe_read's -EFAULT, at the parenthesized expression's "(".
	{name: "helper-error-null-read", args: []string{"-kk", "-q", "-f", "json", "-e", `struct foo {int a;}; BEGIN { $tmp = ((struct foo*) 0)->a; exit(); }`}},
	// A kprobe on a function the kernel lacks, in a block that uses probe:
	// bpftrace leaves it out with a warning and runs the rest.
	{name: "unknown-kprobe-with-probe", args: []string{"-e", `kprobe:zzzzz { probe; printf("asdf\n") } BEGIN { printf("_%s_\n", "success"); exit() }`}},
	{name: "help", args: []string{"--help"}},
	{name: "bad-option", args: []string{"-z"}},
}

// TestBpftraceCommandLine runs every cliCase under Debian's bpftrace and
// under surftrace invoked through a symlink named bpftrace, and compares
// stdout, the -o file, the exit status and the error messages on stderr
// (the text after "ERROR: ", without positions or surftrace's
// parenthesized additions).
// It runs on the host (make test-kernel), not in the VM.
func TestBpftraceCommandLine(t *testing.T) {
	if ktest.InVM() {
		t.Skip("host case: runs in make test-kernel, not in the VM")
	}
	ktest.RequireRoot(t)
	oracle, err := exec.LookPath("bpftrace")
	if err != nil {
		t.Skip("bpftrace is not installed (apt-get install bpftrace): nothing to compare with")
	}
	dir := t.TempDir()
	cli, err := surftraceCLI(false)
	if err != nil {
		t.Fatal(err)
	}
	if cli == "" {
		t.Skipf("%s=lib: the command line needs the binary", cliEnv)
	}
	ours := filepath.Join(dir, "bin", "bpftrace")
	if err := os.MkdirAll(filepath.Dir(ours), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(cli)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, ours); err != nil {
		t.Fatal(err)
	}
	// The fixtures are built once, in the parent test's temporary
	// directory: a subtest's is gone when the subtest ends.
	fixtures := map[string]string{} // token -> the fixture's path, once built
	build := map[string]func() string{
		probesToken: func() string { return ktest.BuildProbes(t, "-O0") },
		dwarfToken:  func() string { return ktest.BuildDWARF(t, "-g") },
	}
	for _, c := range cliCases {
		t.Run(c.name, func(t *testing.T) {
			for token, mk := range build {
				if !slices.ContainsFunc(c.args, func(a string) bool { return strings.Contains(a, token) }) {
					continue
				}
				if fixtures[token] == "" {
					fixtures[token] = mk()
				}
				args := slices.Clone(c.args)
				for i := range args {
					args[i] = strings.ReplaceAll(args[i], token, fixtures[token])
				}
				c.args = args
			}
			want := runCommandLine(t, oracle, c)
			got := runCommandLine(t, ours, c)
			if got.code != want.code {
				t.Errorf("exit status %d, bpftrace's %d", got.code, want.code)
			}
			if got.stdout != want.stdout {
				t.Errorf("stdout\n%q\nbpftrace's\n%q", got.stdout, want.stdout)
			}
			if got.file != want.file {
				t.Errorf("%s\n%q\nbpftrace's\n%q", c.out, got.file, want.file)
			}
			if !slices.Equal(got.errors, want.errors) {
				t.Errorf("error messages on stderr\n%q\nbpftrace's\n%q", got.errors, want.errors)
			}
		})
	}
}

// cliResult is what a run of a command line shows.
type cliResult struct {
	code   int
	stdout string
	file   string   // cliCase.out's content
	errors []string // stderr's error messages (errorText), but bpftrace's RLIMIT_MEMLOCK complaint
}

// errorText is the part of an error message both tracers share:
// bpftrace's text, before any explanation surftrace adds in parentheses,
// its first letter in lower case (surftrace's messages start so).
func errorText(msg string) string {
	if i := strings.Index(msg, " ("); i >= 0 {
		msg = msg[:i]
	}
	if msg != "" {
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	return msg
}

// runCommandLine runs bin with c's arguments in a fresh directory
// holding c's files, bounded in time.
func runCommandLine(t *testing.T, bin string, c cliCase) cliResult {
	wd := t.TempDir()
	for name, text := range c.files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(wd, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wd, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, c.args...)
	cmd.Dir = wd
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var r cliResult
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s did not end within 30s", bin)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	r.stdout = stdout.String()
	if c.out != "" {
		data, err := os.ReadFile(filepath.Join(wd, c.out))
		if err != nil {
			t.Fatalf("%s: %v", bin, err)
		}
		r.file = string(data)
	}
	for _, l := range strings.Split(stderr.String(), "\n") {
		_, msg, ok := strings.Cut(l, "ERROR: ")
		if !ok {
			_, msg, ok = strings.Cut(l, "fatal error: ") // clang's, for #include
		}
		if ok && !strings.Contains(l, "RLIMIT_MEMLOCK") {
			r.errors = append(r.errors, errorText(msg))
		}
	}
	return r
}
