package runtime

import (
	"encoding/binary"
	"fmt"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/runtime/render"
)

// record is one decoded ring-buffer record: the fixed header of
// spec.Hdr* and the payload its Event describes.
type record struct {
	event   *spec.Event
	cpu     uint32
	nsecs   uint64 // CLOCK_MONOTONIC, from bpf_ktime_get_ns
	pidTgid uint64
	rawComm []byte // NUL-padded; see comm
	ip      uint64
	payload []byte
}

// tid is the thread id, as ftrace's common_pid.
func (r *record) tid() uint32 { return uint32(r.pidTgid) }

// tgid is the process id.
func (r *record) tgid() uint32 { return uint32(r.pidTgid >> 32) }

// comm is the task's command name.
func (r *record) comm() string { return render.CString(r.rawComm) }

// decodeRecord splits raw into header and payload, finds its Event and
// fills rec, which then points into raw: the run loop decodes every record
// into the same value, so that decoding allocates nothing. The payload is
// checked against the Event's fields, so field never reads past the
// record.
func decodeRecord(raw []byte, events []*spec.Event, rec *record) error {
	if len(raw) < spec.HdrSize {
		return fmt.Errorf("short record: %d bytes, header is %d", len(raw), spec.HdrSize)
	}
	le := binary.LittleEndian
	id := le.Uint32(raw[spec.HdrID:])
	if int(id) >= len(events) {
		return fmt.Errorf("record with unknown event id %d", id)
	}
	*rec = record{
		event:   events[id],
		cpu:     le.Uint32(raw[spec.HdrCPU:]),
		nsecs:   le.Uint64(raw[spec.HdrTime:]),
		pidTgid: le.Uint64(raw[spec.HdrPidTgid:]),
		rawComm: raw[spec.HdrComm:spec.HdrIP],
		ip:      le.Uint64(raw[spec.HdrIP:]),
		payload: raw[spec.HdrSize:],
	}
	need := payloadSize(rec.event)
	if len(rec.payload) < need {
		return fmt.Errorf("record for event %d has %d payload bytes, its fields need %d", id, len(rec.payload), need)
	}
	return nil
}

// payloadSize is the number of payload bytes an event's fields and stack
// id occupy.
func payloadSize(ev *spec.Event) int {
	n := 0
	for _, f := range ev.Fields {
		n = max(n, f.Offset+f.Size)
	}
	if ev.Stack >= 0 {
		n = max(n, ev.Stack+8)
	}
	return n
}

// field returns the bytes of f in the payload.
func (r *record) field(f *spec.Field) []byte {
	return r.payload[f.Offset : f.Offset+f.Size]
}
