// Package script parses .st scripts: bpftrace 0.17's language plus
// surftrace's network extensions. It takes a *lang.Source and returns a
// *lang.Program; only lang (and, through Options, a line parser) is
// imported, and only the compiler consumes the result.
//
// Stages, each in its own file: scan.go blanks what is not probe syntax
// (preprocessor lines, C definitions, expression lines) keeping offsets;
// lexer.go and grammar.go are the participle lexer and parse tree;
// convert.go, convexpr.go and attach.go build the lang AST from it;
// errors.go turns participle errors into *lang.Error.
//
// Decisions a user can see:
//
//   - The preamble's "#..." lines are not parsed here (bpftrace runs them
//     through cpp; with BTF headers are not needed): "#define" lines and
//     the C definitions (struct, union, enum) at the top level go to the
//     compiler as lang.Program.CDecls, which types casts and sizeof with
//     them and folds integer #define constants. Macros are not expanded
//     here; a name such as AF_INET stays a lang.Ident for the compiler to
//     resolve.
//   - An attach point's text after the first ":" is one token, as in
//     bpftrace, so "tracepoint:syscalls:sys_enter_*", "kprobe:ip_rcv+0x10"
//     and "uprobe:/bin/bash:readline" need no quoting. It ends at a blank,
//     "," or "{"; a predicate therefore needs a blank before its "/".
//   - A predicate's closing "/" is a "/" followed by blanks or comments and
//     "{"; any other "/" is division, so "/$x / 2 > 1/ {" works.
//   - Every kind of bpftrace attach point parses (uprobe, usdt, profile,
//     ...); the compiler rejects those surftrace does not run. Short forms
//     are normalized: k, kr, t, rt, f, fr (and kfunc, kretfunc), i, u, ur,
//     U, p, s, h, w, aw, it. "kfunc:mod:F" keeps "mod:F" as its target.
//   - Simple statements are separated by ";" (a trailing one is allowed);
//     if, while and unroll blocks need none.
//   - A cast "(T)x" needs a type that cannot be an expression: a struct,
//     union or enum, a built-in integer name (uint32, u32, int8, unsigned
//     long, ...), or a name followed by "*". "sizeof(x)" with a plain
//     name other than those is sizeof of an expression.
//   - The skb cast "@(struct T *)[TAG] OPERAND" binds to a primary
//     expression (a name, $var, @map[...], call, literal or parenthesized
//     expression); member, index and ++/-- suffixes after it apply to the
//     cast's result, as in expression lines: "@(struct iphdr *)l3
//     arg0->saddr" is ((iphdr at l3 of arg0)->saddr), and
//     "@(struct iphdr *)l3(arg0)->saddr" means the same. TAG is l2, l3, l4
//     (Layer 2, 3, 4), h (Layer -1, via skb->head) or absent (Layer 0,
//     meaning l3). To cast a member chain, parenthesize it:
//     "@(struct iphdr *)h ($ctx->skb)->saddr".
//   - "macro NAME($a, $b) { ... }" at the top level is bpftrace's
//     statement macro (macro.go): a call "NAME(x, y);" standing as a
//     statement is replaced by the body, with each $a replaced by the
//     argument x; nodes keep the spans of the body and of the arguments,
//     so errors point into the macro.
//   - Lines at the top level starting with "p ", "r " or "e " and a symbol,
//     or "P " or "R " and a path or library name, are surftrace
//     expression lines; Options.ParseLine parses them with
//     offsets into the whole file.
package script
