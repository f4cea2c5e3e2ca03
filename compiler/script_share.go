package compiler

import (
	"reflect"

	"github.com/surftrace/surftrace/lang"
)

// DefaultMaxPrograms is how many BPF programs a script may make when
// Options.MaxPrograms is 0: bpftrace's default for BPFTRACE_MAX_BPF_PROGS.
const DefaultMaxPrograms = 512

// sharesProgram reports whether the wildcard attach points of block p may
// share one program among the functions they match, as bpftrace's do: a
// block that reads probe, which names each function, needs a program per
// function. (func is the kernel's answer in a shared program:
// bpf_get_func_ip.)
func sharesProgram(p *lang.Probe) bool {
	uses := false
	visit := func(e *lang.Ident) {
		if e.Name == "probe" {
			uses = true
		}
	}
	walkIdents(reflect.ValueOf(p.Pred), visit)
	walkIdents(reflect.ValueOf(p.Body), visit)
	return !uses
}

// walkIdents calls fn on every identifier in the syntax tree v.
func walkIdents(v reflect.Value, fn func(*lang.Ident)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if id, ok := v.Interface().(*lang.Ident); ok {
			fn(id)
			return
		}
		walkIdents(v.Elem(), fn)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkIdents(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkIdents(v.Index(i), fn)
		}
	}
}

// checkProgramCount fails at ap when it makes n programs, more than
// the limit (Options.MaxPrograms), as bpftrace counts them: per attach
// point, so BEGIN, END and single probes never reach it. The message is
// bpftrace's, which its users and tests match.
func (sc *scriptComp) checkProgramCount(ap *lang.AttachPoint, n int) {
	limit := sc.opts.MaxPrograms
	if limit <= 0 {
		limit = DefaultMaxPrograms
	}
	if n > limit {
		fail(ap, "failed to compile: Your program is trying to generate more than %d BPF programs, which exceeds the current limit of %d.\n"+
			"You can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable.", n, limit)
	}
}
