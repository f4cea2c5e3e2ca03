package compiler

import (
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// checkHelper emits bpftrace's -k/-kk check of the helper call fn just
// made, its result in R0: when the result is an error (negative, or a
// null pointer from a map lookup), a helper-error record carries it to
// the runtime, which warns at at. -k checks the helpers whose failure is
// unusual; -kk also memory reads and lookups. R0 is kept.
func (g *sgen) checkHelper(fn asm.BuiltinFunc, at lang.Node) {
	lookup := fn == asm.FnMapLookupElem
	level := g.sc.opts.HelperCheck
	if level == 0 || level == 1 && (lookup || isReadHelper(fn)) || at == nil {
		return
	}
	ret := g.Reg()
	g.Emit(asm.Mov.Reg(ret, asm.R0))
	ok := g.Label()
	if lookup {
		g.Jump(asm.JNE.Imm(ret, 0, ""), ok)
	} else {
		g.Jump(asm.JSGE.Imm(ret, 0, ""), ok)
	}
	end := g.Scope()
	g.event(spec.EventHelperError, helperName(fn), "", []*sval{intOf(s64Type, &codegen.InReg{R: ret})}, at)
	end()
	g.Place(ok)
	g.Emit(asm.Mov.Reg(asm.R0, ret))
}

// isReadHelper reports whether fn reads memory (probe_read and kin).
func isReadHelper(fn asm.BuiltinFunc) bool {
	switch fn {
	case asm.FnProbeRead, asm.FnProbeReadStr, asm.FnProbeReadKernel, asm.FnProbeReadUser,
		asm.FnProbeReadKernelStr, asm.FnProbeReadUserStr:
		return true
	}
	return false
}

// helperName is fn as bpftrace's warnings name it: "map_delete_elem",
// and "probe_read" or "probe_read_str" for every read.
func helperName(fn asm.BuiltinFunc) string {
	switch fn {
	case asm.FnProbeReadKernel, asm.FnProbeReadUser:
		return "probe_read"
	case asm.FnProbeReadKernelStr, asm.FnProbeReadUserStr:
		return "probe_read_str"
	}
	name := strings.TrimPrefix(fn.String(), "Fn")
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
