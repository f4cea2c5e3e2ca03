package compiler

import (
	"fmt"
	"sort"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// scriptIdent generates one builtin identifier of scripts (pid, comm,
// ...), as scriptFunc does a builtin function: adding an identifier is
// one entry in scriptIdents.
type scriptIdent func(g *sgen, e *lang.Ident) *sval

// scriptIdents are the builtin identifiers, by name; scriptIdentNames
// lists them with arg0..arg9 and sarg0..sarg9, sorted, for did-you-mean
// hints. init fills both: the generators refer back to the table through
// the expressions they generate.
var (
	scriptIdents     map[string]scriptIdent
	scriptIdentNames []string
)

func init() {
	pidTgid := func() codegen.Node { return &codegen.Helper{Fn: asm.FnGetCurrentPidTgid} }
	uidGid := func() codegen.Node { return &codegen.Helper{Fn: asm.FnGetCurrentUidGid} }
	u32 := func(n func() codegen.Node) scriptIdent {
		return func(*sgen, *lang.Ident) *sval { return intOf(u32Type, n()) }
	}
	helper := func(fn asm.BuiltinFunc) func() codegen.Node {
		return func() codegen.Node { return &codegen.Helper{Fn: fn} }
	}
	scriptIdents = map[string]scriptIdent{
		"pid":    u32(func() codegen.Node { return codegen.Bin(asm.RSh, pidTgid(), &codegen.Const{V: 32}) }),
		"tid":    u32(func() codegen.Node { return codegen.Truncate(pidTgid(), 4, false) }),
		"uid":    u32(func() codegen.Node { return codegen.Truncate(uidGid(), 4, false) }),
		"gid":    u32(func() codegen.Node { return codegen.Bin(asm.RSh, uidGid(), &codegen.Const{V: 32}) }),
		"cpu":    u32(helper(asm.FnGetSmpProcessorId)),
		"numaid": u32(helper(asm.FnGetNumaNodeId)),
		"username": func(*sgen, *lang.Ident) *sval {
			return &sval{kind: skInt, v: &value{t: u64Type, n: codegen.Truncate(uidGid(), 4, false)}, rend: render{r: spec.RenderUsername, size: 8}}
		},
		"cpid": func(g *sgen, e *lang.Ident) *sval {
			if !g.sc.opts.Child {
				fail(e, "cpid cannot be used without a child command (-c)")
			}
			return intOf(u32Type, &codegen.Const{V: uint64(g.sc.opts.PID)})
		},
		"comm":    func(g *sgen, _ *lang.Ident) *sval { return g.comm() },
		"nsecs":   func(g *sgen, _ *lang.Ident) *sval { return intOf(u64Type, g.eager(asm.FnKtimeGetNs)) },
		"elapsed": func(g *sgen, _ *lang.Ident) *sval { return intOf(u64Type, g.elapsed()) },
		"rand":    func(g *sgen, _ *lang.Ident) *sval { return intOf(u32Type, g.eager(asm.FnGetPrandomU32)) },
		"jiffies": func(g *sgen, _ *lang.Ident) *sval { return intOf(u64Type, g.eager(asm.FnJiffies64)) },
		"cgroup": func(*sgen, *lang.Ident) *sval {
			return intOf(u64Type, &codegen.Helper{Fn: asm.FnGetCurrentCgroupId})
		},
		"curtask": func(g *sgen, _ *lang.Ident) *sval {
			var t btf.Type = u64Type
			if task, err := g.sc.ki.resolveType("struct", "task_struct", 1); err == nil {
				t = task
				if g.t.user {
					t = kernelPtr(t) // in a uprobe, too, it points into the kernel
				}
			}
			return intOf(t, &codegen.Helper{Fn: asm.FnGetCurrentTask})
		},
		"ctx": func(g *sgen, e *lang.Ident) *sval {
			// The program's context (pt_regs, a tracepoint's record,
			// ...), as bpftrace's ctx: a pointer to cast and read through.
			if g.t.kind == spec.AttachTracepoint {
				fail(e, "use args instead of ctx in tracepoint")
			}
			return intOf(&btf.Pointer{Target: &btf.Void{}}, &codegen.InReg{R: g.Ctx})
		},
		"retval": func(g *sgen, e *lang.Ident) *sval { return g.retval(e) },
		"skb":    func(g *sgen, e *lang.Ident) *sval { return g.skb(e) },
		"func":   (*sgen).funcIdent,
		"probe":  func(g *sgen, _ *lang.Ident) *sval { return strLit(g.t.name) },
		"kstack": func(g *sgen, _ *lang.Ident) *sval { return g.kstack() },
		"ustack": func(g *sgen, _ *lang.Ident) *sval { return g.ustack() },
		"args": func(_ *sgen, e *lang.Ident) *sval {
			fail(e, "args is a struct; name a field: args->NAME")
			return nil
		},
	}
	for name := range scriptIdents {
		scriptIdentNames = append(scriptIdentNames, name)
	}
	for i := range 10 {
		scriptIdentNames = append(scriptIdentNames, fmt.Sprintf("arg%d", i), fmt.Sprintf("sarg%d", i))
	}
	sort.Strings(scriptIdentNames)
}

// funcIdent is the probed function's name: a constant where the probe
// names one function, else the kernel's own answer (bpf_get_func_ip) for
// a program that serves many.
func (g *sgen) funcIdent(e *lang.Ident) *sval {
	if g.t.targets != nil {
		g.Emit(asm.Mov.Reg(asm.R1, g.Ctx))
		return &sval{kind: skInt, v: &value{t: u64Type, n: g.eager(asm.FnGetFuncIp)}, rend: render{r: spec.RenderSym, size: 8}}
	}
	if g.t.fn == "" {
		fail(e, "func exists only in kprobe, kretprobe, uprobe, uretprobe, fentry and fexit probes")
	}
	return strLit(g.t.fn)
}
