package compiler

import (
	"strings"
	"testing"
)

// TestComptimeIf: has_field answers from the kernel's types and the
// probe's tracepoint format, and "if comptime" compiles only the branch
// its condition picks, so the other may name what the kernel lacks.
func TestComptimeIf(t *testing.T) {
	const kfree = "tracepoint:skb:kfree_skb "
	for _, tc := range []struct {
		src  string
		want string // the one printf format compiled
	}{
		{kfree + `{ if comptime (has_field(args, "reason")) { printf("yes %s", args->reason); } else { printf("no %d", args->nope); } }`, "yes %s"},
		{kfree + `{ if comptime (has_field(args, "nope")) { printf("yes %d", args->nope); } else { printf("no"); } }`, "no"},
		{kfree + `{ if comptime (!has_field(args, "nope")) { printf("yes"); } }`, "yes"},
		{kfree + `{ if comptime (has_field(args, "nope") && args->nope == 1) { printf("yes"); } else { printf("no"); } }`, "no"},
		{kfree + `{ if comptime (has_field(args, "nope") || has_field(args, "location")) { printf("yes"); } }`, "yes"},
		{kfree + `{ if comptime (has_field(args, "nope")) { printf("a"); } else if comptime (has_field(args, "skbaddr")) { printf("b"); } }`, "b"},
		{`BEGIN { if comptime (has_field(struct sk_buff, "len")) { printf("yes"); } else { printf("no"); } }`, "yes"},
		{`BEGIN { if comptime (has_field(struct sk_buff, "nope")) { printf("yes"); } else { printf("no"); } }`, "no"},
		{`BEGIN { $s = (struct sk_buff *)0; if comptime (has_field($s, "len")) { printf("yes"); } }`, "yes"},
		{`BEGIN { if comptime (has_field(struct sk_buff, "len.x") == 0 && sizeof(struct sk_buff) > 0) { printf("x"); } }`, ""},
		{`BEGIN { if comptime (sizeof(struct sk_buff) == 0xf8) { printf("yes"); } else { printf("%d", nosuch); } }`, "yes"},
		{`BEGIN { @x = has_field(struct sk_buff, "len"); printf("yes"); }`, "yes"},
		{kfree + `{ if comptime (has_field(args->reason, "NO_SOCKET")) { printf("yes"); } }`, "yes"},
		// A map only the untaken branch assigns is not "used but never
		// assigned" where the branch that uses it is not taken either.
		{`BEGIN { if comptime (has_field(enum skb_drop_reason, "NOPE")) { @x = 1; } } END { if comptime (has_field(enum skb_drop_reason, "NOPE")) { clear(@x); } else { printf("no"); } }`, "no"},
		{kfree + `{ if comptime (has_field(args->reason, "NO_SOCKETS")) { if (args->reason == "NO_SOCKETS") { printf("yes"); } } else { printf("no"); } }`, "no"},
		{`BEGIN { if comptime ("tcp" == "udp") { printf("%d", nosuch); } else { printf("no"); } }`, "no"},
	} {
		prog, err := compileScript(t, tc.src)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "has_field looks into a struct, union or enum, not") {
				t.Errorf("%s: err %v, want has_field's error for a member that is no struct", tc.src, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		var formats []string
		for _, ev := range prog.Events {
			if ev.Format != "" {
				formats = append(formats, ev.Format)
			}
		}
		if len(formats) != 1 || formats[0] != tc.want {
			t.Errorf("%s: compiled printf formats %q, want only %q", tc.src, formats, tc.want)
		}
	}
}

// TestComptimeErrors: a condition that is no constant, has_field outside
// a struct, and args where the probe has none are positioned errors.
func TestComptimeErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`tracepoint:skb:kfree_skb { if comptime (pid == 1) { } }`, "1:41: the condition of if comptime must be a constant"},
		{`BEGIN { if comptime (has_field(args, "x")) { } }`, "args exists only in tracepoint"},
		{`BEGIN { $x = 1; if comptime (has_field($x, "x")) { } }`, "has_field looks into a struct, union or enum, not s64"},
		{`BEGIN { if comptime (has_field(struct sk_buff, "")) { } }`, "has_field needs a field name"},
		{`BEGIN { if comptime (has_field(struct sk_bufff, "len")) { } }`, "unknown type struct sk_bufff"},
	} {
		_, err := compileScript(t, tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.src, err, tc.want)
		}
	}
}
