package compiler

import "strconv"

// arm64Regs is struct user_pt_regs on arm64: x0..x30, sp, pc, pstate.
var arm64Regs = func() *archRegs {
	r := &archRegs{
		offsets: map[string]int{"sp": 248, "pc": 256, "pstate": 264},
		ret:     "x0",
		ip:      "pc",
	}
	for i := 0; i <= 30; i++ {
		r.offsets["x"+strconv.Itoa(i)] = 8 * i
	}
	for i := 0; i < 8; i++ {
		r.args = append(r.args, "x"+strconv.Itoa(i))
	}
	return r
}()
