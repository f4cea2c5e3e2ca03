package codegen

import "github.com/cilium/ebpf/asm"

// dropUnreachable removes instructions no path from the entry reaches:
// the kernel verifier rejects unreachable code, which a script makes
// after return or exit() and under conditions folded to constants.
func dropUnreachable(code []vins) []vins {
	at := map[int]int{}
	for i, v := range code {
		if v.label > 0 {
			at[v.label] = i
		}
	}
	live := make([]bool, len(code))
	work := []int{0}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		for ; i < len(code) && !live[i]; i++ {
			live[i] = true
			v := code[i]
			if v.label > 0 {
				continue
			}
			op := v.ins.OpCode
			isJump := op.Class().IsJump()
			if isJump && op.JumpOp() == asm.Exit {
				break
			}
			if v.target > 0 {
				work = append(work, at[v.target])
				if op.JumpOp() == asm.Ja {
					break
				}
			}
		}
	}
	out := code[:0:0]
	for i, v := range code {
		if live[i] || v.label > 0 {
			out = append(out, v)
		}
	}
	return out
}
