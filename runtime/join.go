package runtime

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/surftrace/surftrace/spec"
)

// join prints a join() record: its strings (as many as its first field
// counts) joined by the event's Format, on one line; in JSON a "join"
// message.
func (p *printer) join(ev *spec.Event, rec *record) error {
	if len(ev.Fields) < 1 {
		return fmt.Errorf("join record without its count")
	}
	n := int(binary.NativeEndian.Uint64(rec.field(ev.Fields[0])))
	parts := make([]string, 0, n)
	for _, f := range ev.Fields[1:min(n+1, len(ev.Fields))] {
		b := rec.field(f)
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		parts = append(parts, string(b))
	}
	text := strings.Join(parts, ev.Format)
	if p.out.Format == JSON {
		return p.write(jsonMessage("join", text))
	}
	return p.write(text + "\n")
}
