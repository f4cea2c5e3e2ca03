package compiler

import "fmt"

// archRegs describes one architecture's struct pt_regs as a BPF kprobe
// program sees it.
type archRegs struct {
	offsets map[string]int // register name (without '%') to byte offset
	args    []string       // argument registers in order
	ret     string         // return value register
	ip      string         // instruction pointer register
}

// regsFor returns the register table of arch.
func regsFor(arch string) (*archRegs, error) {
	switch arch {
	case "x86_64", "amd64", "":
		return x86Regs, nil
	case "arm64", "aarch64":
		return arm64Regs, nil
	}
	return nil, fmt.Errorf("unsupported architecture %q (want x86_64 or arm64)", arch)
}

// names lists the register names, for did-you-mean hints.
func (r *archRegs) names() []string {
	out := make([]string, 0, len(r.offsets))
	for n := range r.offsets {
		out = append(out, n)
	}
	return out
}
