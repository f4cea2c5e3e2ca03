package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
)

func TestPreprocess(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a.h":     "#include \"b.h\"\n#define A_VAL (-3) // a comment\n#define A_ALIAS B_VAL\n#define A_FN(x) (x)\n#define A_STR \"no\"\n",
		"b.h":     "#define B_VAL 0x10UL\n#if X\n#define TWICE 1\n#else\n#define TWICE 2\n#endif\n",
		"loop1.h": "#include \"loop2.h\"\n#define L1 1\n",
		"loop2.h": "#include \"loop1.h\"\n#define L2 2\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, text, want, err string
		includes              []string
	}{
		{name: "define", text: "#define N 7\nBEGIN { printf(\"N %d\", N + NN); }", want: "BEGIN { printf(\"N %d\", 7 + NN); }"},
		{name: "nested", text: "#define N 7\n#define M (N * 2)\nBEGIN { @ = M; $N = 1; }", want: "BEGIN { @ = (7 * 2); $N = 1; }"},
		{name: "undef", text: "#define N 7\n#undef N\nBEGIN { @ = N; }", want: "BEGIN { @ = N; }"},
		{name: "header", text: "#include <a.h>\nBEGIN { @ = A_VAL + A_ALIAS + A_FN + A_STR + TWICE; }", want: "BEGIN { @ = (-3) + 0x10UL + A_FN + A_STR + TWICE; }"},
		{name: "include flag", includes: []string{"a.h"}, text: "BEGIN { @ = B_VAL; }", want: "BEGIN { @ = 0x10UL; }"},
		{name: "include cycle", text: "#include <loop1.h>\nBEGIN { @ = L1 + L2; }", want: "BEGIN { @ = 1 + 2; }"},
		{name: "missing", text: "\n#include <lol/no.h>\nBEGIN {}", err: "x.bt:2:1: 'lol/no.h' file not found"},
		{name: "function-like", text: "#define F(x) x\nBEGIN {}", err: "function-like macros are not supported"},
		{name: "missing flag", includes: []string{"nothere.h"}, text: "BEGIN {}", err: "--include nothere.h: file not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := preprocess(&lang.Source{Name: "x.bt", Text: tc.text}, []string{dir}, tc.includes)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(got, "\n")
			if last := lines[len(lines)-1]; last != tc.want {
				t.Errorf("got %q, want %q", last, tc.want)
			}
			if len(lines) != strings.Count(tc.text, "\n")+1 {
				t.Errorf("line count changed: %q", got)
			}
		})
	}
}

func TestAttachParams(t *testing.T) {
	args := []string{"1", "IN", "hello"}
	for _, tc := range []struct{ text, want string }{
		{"i:ms:$1 { exit(); }", "i:ms:1 { exit(); }"},
		{"BEG$2 { @ = $1; }", "BEGIN { @ = $1; }"},
		{"tracepoint:syscalls:sys_enter_$3 /$1 == 1/ { printf(\"$1\"); }", "tracepoint:syscalls:sys_enter_hello /$1 == 1/ { printf(\"$1\"); }"},
		{"i:s:$9 {}", "i:s:$9 {}"},
		{"// i:ms:$1\n#define X a:$1\nk:f$1 {}", "// i:ms:$1\n#define X a:$1\nk:f1 {}"},
	} {
		if got := attachParams(tc.text, args); got != tc.want {
			t.Errorf("attachParams(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
