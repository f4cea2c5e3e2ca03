package compiler

// x86Regs is struct pt_regs on x86_64.
var x86Regs = &archRegs{
	offsets: map[string]int{
		"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40,
		"r11": 48, "r10": 56, "r9": 64, "r8": 72, "ax": 80, "cx": 88,
		"dx": 96, "si": 104, "di": 112, "orig_ax": 120, "ip": 128,
		"cs": 136, "flags": 144, "sp": 152, "ss": 160,
	},
	args: []string{"di", "si", "dx", "cx", "r8", "r9"},
	ret:  "ax",
	ip:   "ip",
}
