package spec

// The traffic-control attach kinds: the probe's program
// (BPF_PROG_TYPE_SCHED_CLS) runs for every packet that enters (ingress)
// or leaves (egress) the devices Probe.Target names, a device name or a
// glob over the names of the devices in the tracer's network namespace.
// Its context is the packet's struct sk_buff. The program only observes:
// it returns TCActUnspec, so the packet goes on as if it were not there.
const (
	AttachTCIngress AttachKind = 96 + iota
	AttachTCEgress
)

// TCActUnspec is what a tc probe's program returns: TC_ACT_UNSPEC, which
// is also tcx's TCX_NEXT. The next tcx program or tc filter runs and the
// packet takes the verdict it would have without the probe. (TC_ACT_OK
// would end the chain at the probe and skip the programs after it.)
const TCActUnspec = -1

func init() {
	kindNames[AttachTCIngress] = "tc:ingress"
	kindNames[AttachTCEgress] = "tc:egress"
}

// TC reports whether k is a traffic-control kind.
func (k AttachKind) TC() bool { return k == AttachTCIngress || k == AttachTCEgress }
