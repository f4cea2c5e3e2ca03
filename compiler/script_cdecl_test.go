package compiler

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// A script's C definitions lay out as a C compiler lays them out, and
// casts, sizeof, member access and #define constants use them.
func TestScriptCDecls(t *testing.T) {
	src := `#include <linux/sched.h>
#define N 7
#define M (0x10)
struct A { int x[4]; struct B { char c; long d; } b; unsigned short e; const char *s; };
union U { int i; char c[3]; };
enum E { EA, EB = 5, EC };
struct Foo { int x; char c; }
BEGIN { @a = sizeof(struct A); @b = sizeof(struct B); @u = sizeof(union U); @f = sizeof(struct Foo);
  @n = N + M; @e = EC; $p = (struct A *)0; @off = &$p->e; }`
	p, err := compileScript(t, src)
	if err != nil {
		t.Fatal(err)
	}
	// The constants are folded into the program: look for them in the
	// listing's immediates.
	listing := Listing(p)
	for _, want := range []string{"imm: 48", "imm: 16", "imm: 4", "imm: 8", "imm: 23", "imm: 6", "imm: 32"} {
		if !strings.Contains(listing, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
}

// A script that defines only new types takes the kernel's from BTF, by
// value or by pointer; one that redefines a kernel type may still point
// at types it does not define.
func TestScriptCDeclKernelTypes(t *testing.T) {
	for _, src := range []string{
		"struct Foo { struct sk_buff s; struct sock *sk; }\nBEGIN { @ = sizeof(struct Foo); exit(); }",
		"struct task_struct { struct thread_info *x; int pid; }\nBEGIN { @ = curtask->pid; exit(); }",
	} {
		if _, err := compileScript(t, src); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

// Mistakes in C definitions are positioned at the token.
func TestScriptCDeclErrors(t *testing.T) {
	for src, want := range map[string]string{
		"struct A { int x y; }\nBEGIN { exit(); }":                      `t.st:1:18: C definition: want ";", got "y"`,
		"struct A { nosuchtype x; }\nBEGIN { exit(); }":                 "t.st:1:12: unknown type nosuchtype",
		"struct A { char *p : 3; }\nBEGIN { exit(); }":                  "a bit field must be an integer, not char *",
		"struct A { char c : 9; }\nBEGIN { exit(); }":                   "want a bit field width up to 8",
		"struct A { int x; };\nstruct A { int y; };\nBEGIN { exit(); }": "struct A is defined twice",
		// Redefining a kernel type, the script must define the rest, as
		// with clang in bpftrace.
		"struct task_struct { struct thread_info x; }\nBEGIN { exit(); }": "t.st:1:22: field has incomplete type 'struct thread_info'",
	} {
		_, err := compileScript(t, src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

// Bit fields lay out as the SysV ABI (and clang for bpftrace) lays them
// out: packed into units of their type, starting a new unit where one
// would be crossed; ": 0" ends a unit, and the last member may lack its
// ";".
func TestScriptCDeclBitfields(t *testing.T) {
	src := `struct Foo { unsigned int a:4, b:8, c:3, d:1, e:16; };
struct Bar { short a:4, b:8, c:3, d:1; int e:9, f:15, g:1, h:2, i:5 };
struct Pad { char a:3; int :0; char b:2; long c }
BEGIN { exit(); }`
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: src})
	if err != nil {
		t.Fatal(err)
	}
	cd := parseCDecls(prog, &kinfo{})
	type bits struct{ off, size int }
	for _, tc := range []struct {
		name    string
		size    uint32
		members map[string]bits
	}{
		{"struct Foo", 4, map[string]bits{"a": {0, 4}, "b": {4, 8}, "c": {12, 3}, "d": {15, 1}, "e": {16, 16}}},
		{"struct Bar", 8, map[string]bits{"a": {0, 4}, "d": {15, 1}, "e": {16, 9}, "f": {32, 15}, "g": {47, 1}, "h": {48, 2}, "i": {50, 5}}},
		{"struct Pad", 16, map[string]bits{"a": {0, 3}, "b": {32, 2}, "c": {64, 0}}},
	} {
		st, ok := cd.types[tc.name].(*btf.Struct)
		if !ok {
			t.Fatalf("%s: %T", tc.name, cd.types[tc.name])
		}
		if st.Size != tc.size {
			t.Errorf("sizeof(%s) = %d, want %d", tc.name, st.Size, tc.size)
		}
		for _, m := range st.Members {
			if want, ok := tc.members[m.Name]; ok && (int(m.Offset) != want.off || int(m.BitfieldSize) != want.size) {
				t.Errorf("%s.%s at bit %d, %d bits; want %d, %d", tc.name, m.Name, m.Offset, m.BitfieldSize, want.off, want.size)
			}
		}
	}
}
