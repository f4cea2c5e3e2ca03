package spec

// The user-space attach kinds. Their values stand apart from the kernel
// kinds' so that other kinds can be added without renumbering.
const (
	// AttachUprobe: Target is the ELF file's path, Offset the file
	// offset of the instruction.
	AttachUprobe AttachKind = 64 + iota
	// AttachUretprobe: as AttachUprobe, at the function's returns.
	AttachUretprobe
	// AttachUsdt: as AttachUprobe at a USDT probe's address;
	// Probe.Semaphore, when not 0, is the file offset of its semaphore,
	// which the kernel counts up while the probe is attached.
	AttachUsdt
)

func init() {
	kindNames[AttachUprobe] = "uprobe"
	kindNames[AttachUretprobe] = "uretprobe"
	kindNames[AttachUsdt] = "usdt"
}

// User reports whether k attaches in user space (uprobe, uretprobe,
// usdt): its programs read memory with the user helpers.
func (k AttachKind) User() bool {
	return k == AttachUprobe || k == AttachUretprobe || k == AttachUsdt
}

// A RenderStackID value of a user stack (ustack) carries the process's
// tgid in bits StackPIDShift to 62, whose maps the runtime reads to name
// the frames; a kernel stack has 0 there.
const (
	StackPIDShift = 41
	StackPIDMask  = 1<<22 - 1
)

// RenderUsym is a 16-byte value: a user address (u64), then the process's
// tgid (u64), shown as the name of the function that holds the address in
// that process (usym()), or the address in hex when it has none.
const RenderUsym Render = 64
