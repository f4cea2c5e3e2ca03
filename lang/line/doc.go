// Package line parses surftrace expression lines into the lang AST.
//
// A line is one probe, as surftrace users type it:
//
//	p ip_output proto=@(struct iphdr *)l3%2->protocol comm=$comm f:proto==17
//	r _do_fork r=$retval
//	e sched/sched_stat_wait f:delay>1000000
//
// p attaches a kprobe to SYMBOL[+OFF] (OFF decimal or 0x hex), r a
// kretprobe to SYMBOL, e a tracepoint to SUBSYS/EVENT (or SUBSYS:EVENT).
// Each NAME=VALUE becomes a lang.TraceField of the line's one
// lang.TraceStmt, and the optional f:FILTER, which runs to the end of the
// line, becomes the probe's predicate.
//
// A VALUE is an optional format letter (S signed, U unsigned, X hex; a
// letter is a format only when %, @, $, ! or ( follows it directly), then a
// primary and a chain of ->m, .m and [i]:
//
//	%0 .. %N           lang.ArgRef, the Nth argument (digits only)
//	%di, %r12, %x0     lang.RegRef; the compiler checks the name per arch
//	$retval $comm $stack   lang.Ident
//	@symbol, @0xADDR   lang.SymRef, the value stored at a kernel global
//	!(TYPE)X, (TYPE)X  lang.Cast
//	@(struct T *)TAG X lang.SkbCast, binding to X only, so that
//	                   @(struct iphdr *)l3%0->saddr is the member saddr of
//	                   the cast of %0
//	name               lang.Ident (a tracepoint field)
//
// The skb cast's TAG says where skb->data points when the probe fires: l2,
// l3 or l4 (Layer 2, 3 or 4), or nothing (Layer 0, meaning l3, as in
// surftrace). Our extension, the tag h (Layer -1), reads the header from
// skb->head plus the skb's mac_header, network_header or transport_header
// field, so it is right at any hook whatever skb->data points at.
//
// A FILTER combines comparisons (== != < > <= >=, ~ for a glob match, &
// for a bit test) with !, && and || (|| binds loosest, then &&, then the
// comparisons, then !) and parentheses. The left of a comparison is a field
// name, common_pid, $comm, a number or a string; the right is a number
// (lang.IntLit), a "string" (lang.StrLit) or a bare word such as
// 10.0.1.221, ::1, aa:bb:cc:dd:ee:ff, systemd or ssh* (lang.WordLit, which
// the compiler reads according to the other side).
//
// Parse reports every mistake as a *lang.Error positioned in the source, one
// per bad line; the grammar is in testdata/grammar.ebnf.
package line
