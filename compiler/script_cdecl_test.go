package compiler

import (
	"strings"
	"testing"
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

// Mistakes in C definitions are positioned at the token.
func TestScriptCDeclErrors(t *testing.T) {
	for src, want := range map[string]string{
		"struct A { int x }\nBEGIN { exit(); }":                         `t.st:1:18: C definition: want ";", got "}"`,
		"struct A { nosuchtype x; }\nBEGIN { exit(); }":                 "t.st:1:12: unknown type nosuchtype",
		"struct A { int x : 3; }\nBEGIN { exit(); }":                    "bit fields are not supported",
		"struct A { int x; };\nstruct A { int y; };\nBEGIN { exit(); }": "struct A is defined twice",
	} {
		_, err := compileScript(t, src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}
