package compiler

import (
	"path"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler/internal/codegen"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// tc makes a traffic-control classifier probe, tc:ingress:DEVICE or
// tc:egress:DEVICE. The device (a name or a glob over names) is resolved
// by the runtime when it attaches: the compiler does not look at the
// machine's devices. The body's skb is the program's context. A device
// left empty by a parameter (tc:ingress:$dev without --dev) makes no
// probe: a script's optional tc probes attach only when given a device.
func (sc *scriptComp) tc(ap *lang.AttachPoint) []*target {
	dir, dev, _ := strings.Cut(ap.Target, ":")
	if dev == "" {
		return nil
	}
	kind := spec.AttachTCIngress
	if dir == "egress" {
		kind = spec.AttachTCEgress
	}
	if _, err := path.Match(dev, ""); err != nil {
		fail(ap, "bad wildcard %q", dev)
	}
	return []*target{{ap: ap, kind: kind, name: "tc:" + dir + ":" + dev, target: dev, typ: ebpf.SchedCLS}}
}

// returnCode is what the probe's program returns: 0, but for a tc
// probe TC_ACT_UNSPEC, which leaves the packet's fate to what follows.
func (t *target) returnCode() int32 {
	if t.kind.TC() {
		return spec.TCActUnspec
	}
	return 0
}

// tcSkb is a tc probe's skb: the context pointer, which is the kernel's
// struct sk_buff address (the program sees it as struct __sk_buff, but
// the kernel passes the sk_buff itself). Member reads go through
// bpf_probe_read_kernel, as on a kprobe; the address may be stored and
// compared because surftrace runs with CAP_PERFMON (pointer leaks are
// allowed to it).
func (g *sgen) tcSkb(at lang.Node) *sval {
	t, err := lookupNamed(g.sc.ki.vmlinux(), "struct", "sk_buff")
	if err != nil {
		fail(at, "no struct sk_buff in BTF")
	}
	return intOf(&btf.Pointer{Target: t}, &codegen.InReg{R: g.Ctx})
}

// tcRefuses are the builtins whose helpers the kernel does not give tc
// programs (those of the current task, and stacks).
var tcRefuses = map[string]bool{
	"pid": true, "tid": true, "uid": true, "gid": true, "username": true, "comm": true,
	"cgroup": true, "curtask": true, "kstack": true, "ustack": true,
}
