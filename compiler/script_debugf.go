package compiler

import (
	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/lang"
)

// maxDebugfArgs is how many values bpf_trace_printk takes after its
// format (MAX_TRACE_PRINTK_VARARGS in kernel/trace/bpf_trace.c).
const maxDebugfArgs = 3

// debugfCall generates debugf(FORMAT, ...), bpftrace's debugging print:
// a bpf_trace_printk call, whose text the kernel appends to the tracefs
// trace buffer ("bpf_trace_printk: TEXT" lines in trace and trace_pipe)
// rather than to the tracer's output, as bpftrace does. The kernel
// formats the text, so the format must be one bpf_trace_printk accepts
// and a string argument is passed as the address of its bytes.
func (g *sgen) debugfCall(e *lang.Call) {
	format := g.literal(e.Args[0], "debugf's format")
	verbs, bad := traceFormatVerbs(format)
	if bad != "" {
		fail(e.Args[0], "debugf: bpf_trace_printk cannot format %q (it takes %%d %%i %%u %%x %%X with l or ll, %%c, %%s, %%p, %%pK, %%px, %%pS, %%pB, %%ps, flags 0+- and a width)", bad)
	}
	if len(verbs) > maxDebugfArgs {
		fail(e.Args[0], "debugf: bpf_trace_printk takes at most %d conversions, the format has %d", maxDebugfArgs, len(verbs))
	}
	if len(verbs) != len(e.Args)-1 {
		fail(e, "debugf: the format has %d conversions but %d arguments follow", len(verbs), len(e.Args)-1)
	}
	args := make([]*sval, len(verbs))
	regs := make([]asm.Register, len(verbs))
	for i, verb := range verbs {
		at := e.Args[i+1]
		a := g.settle(g.expr(at), at)
		switch {
		case a.kind == skTuple || a.kind == skVoid || a.kind == skInt && a.rend.size > 0 && !isIntegerRender(a.rend.r):
			fail(at, "debugf cannot print %s: the kernel formats debugf's text, and this value is shown in user space (use printf)", a.describe())
		case verb == 's' && a.kind != skStr:
			fail(at, "debugf: %%s needs a string, got %s", a.describe())
		case verb != 's' && a.kind != skInt:
			fail(at, "debugf: %%%c needs a number, got %s", verb, a.describe())
		case a.kind == skInt:
			regs[i] = g.Val(g.intNode(a, at))
		}
		args[i] = a
	}
	// Strings go to scratch space of their own, NUL-terminated, since the
	// kernel reads them by address when it formats the text.
	strOff := make([]int, len(args))
	for i, a := range args {
		if a.kind == skStr {
			size := (a.size + 7) &^ 7
			strOff[i] = g.region(size)
			g.putBytes(strOff[i], size, a)
		}
	}
	fmtOff := g.region(len(format) + 1)
	g.storeBytes(fmtOff, []byte(format), len(format)+1)
	g.bufAddr(asm.R1, fmtOff)
	g.Emit(asm.Mov.Imm(asm.R2, int32(len(format)+1)))
	for i, a := range args {
		r := asm.R3 + asm.Register(i)
		if a.kind == skStr {
			g.bufAddr(r, strOff[i])
		} else {
			g.Emit(asm.Mov.Reg(r, regs[i]))
		}
	}
	g.Call(asm.FnTracePrintk)
	g.checkHelper(asm.FnTracePrintk, e)
}

// traceFormatVerbs lists the conversions of a bpf_trace_printk format,
// by their last letter, as the kernel's bpf_bprintf_prepare parses them
// (6.1): flags from "0+- ", a width, then %c, %s, %p with one of the
// suffixes that print a number or a kernel symbol, or up to two 'l's and
// one of d i u x X. bad is the first conversion the kernel refuses.
func traceFormatVerbs(format string) (verbs []byte, bad string) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		start := i
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) && (format[i] == '0' || format[i] == '+' || format[i] == '-' || format[i] == ' ') {
			i++
		}
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			i++
		}
		if i >= len(format) {
			return nil, format[start:]
		}
		switch c := format[i]; c {
		case 'c', 's':
			verbs = append(verbs, c)
		case 'p':
			if i+1 < len(format) && isAlnum(format[i+1]) {
				switch format[i+1] {
				case 'K', 'x', 'S', 'B', 's':
					i++
				default:
					return nil, format[start : i+2]
				}
			}
			verbs = append(verbs, 'p')
		default:
			for n := 0; n < 2 && i < len(format) && format[i] == 'l'; n++ {
				i++
			}
			if i >= len(format) || !isIntVerb(format[i]) {
				return nil, format[start:min(i+1, len(format))]
			}
			verbs = append(verbs, format[i])
		}
	}
	return verbs, ""
}

func isIntVerb(c byte) bool { return c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'X' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
