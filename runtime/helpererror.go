package runtime

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/spec"
)

// helperError prints a helper-error record (-k, -kk) as bpftrace does,
// into the output: the call's position, "WARNING: Failed to HELPER:
// strerror (ret)" (a failed lookup says only its result, 0), the source
// line and a caret; in JSON a "helper_error" object.
func (p *printer) helperError(ev *spec.Event, rec *record) error {
	if len(ev.Fields) != 1 {
		return fmt.Errorf("helper error record with %d values", len(ev.Fields))
	}
	ret := int64(binary.NativeEndian.Uint64(rec.field(ev.Fields[0])))
	if p.out.Format == JSON {
		return p.write(fmt.Sprintf(`{"type": "helper_error", "helper": %s, "retcode": %d, "line": %d, "col": %d}`+"\n",
			jsonString(ev.Format), ret, ev.Pos.Line, ev.Pos.Col))
	}
	msg := fmt.Sprintf("Failed to %s: %d", ev.Format, ret)
	if ret < 0 {
		msg = fmt.Sprintf("Failed to %s: %s (%d)", ev.Format, strerror(syscall.Errno(-ret)), ret)
	}
	at := &lang.Error{Span: lang.Span{Pos: ev.Pos}, Msg: "WARNING: " + msg}
	return p.write(at.Error() + "\n")
}
