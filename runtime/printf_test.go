package runtime

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// printfCall is one printf() of testdata/bpftrace/printf.bt: bpftrace
// integers are s64 and strings 64 bytes.
type printfCall struct {
	format string
	args   []any // int64 or string
}

var printfCalls = []printfCall{
	{"%d|%5d|%-5d|%05d|%d\n", []any{int64(42), int64(42), int64(42), int64(42), int64(-42)}},
	{"%u|%x|%X|%08x|%lu|%llu|%ld|%lld\n", []any{int64(42), int64(255), int64(255), int64(255), int64(7), int64(8), int64(-9), int64(-10)}},
	{"%s|%10s|%-10s|%c|%%|%p\n", []any{"abc", "abc", "abc", int64(65), int64(4096)}},
	{"%d|%u|%x\n", []any{int64(-1), int64(-1), int64(-1)}},
	{"tab\there \"quoted\" back\\slash\n", nil},
	{"no newline", nil},
	{" then newline\n", nil},
}

// encode lays the arguments out as a record payload.
func (c printfCall) encode() ([]*spec.Field, []byte) {
	var fields []*spec.Field
	var payload []byte
	for _, a := range c.args {
		switch v := a.(type) {
		case int64:
			fields = append(fields, intField(len(payload)))
			payload = append(payload, s64(v)...)
		case string:
			fields = append(fields, strField(len(payload), 64))
			payload = append(payload, str(v, 64)...)
		}
	}
	return fields, payload
}

func TestPrintfMatchesBpftrace(t *testing.T) {
	r := testRenderer()
	var text, json strings.Builder
	for _, c := range printfCalls {
		fields, payload := c.encode()
		s := string(r.appendPrintf(nil, c.format, fields, payload))
		text.WriteString(s)
		json.WriteString(jsonMessage("printf", s))
	}
	text.WriteString(exitDump(Text, nil, nil, r))
	if got, want := text.String(), golden(t, "bpftrace/printf.txt"); got != want {
		t.Errorf("text differs from bpftrace\n--- got\n%q\n--- want\n%q", got, want)
	}
	if got, want := json.String(), golden(t, "bpftrace/printf.json"); got != want {
		t.Errorf("JSON differs from bpftrace\n--- got\n%s--- want\n%s", got, want)
	}
}

func TestPrintfConversions(t *testing.T) {
	r := testRenderer()
	for _, tc := range []struct {
		format string
		field  *spec.Field
		value  []byte
		want   string
	}{
		{"%i", intField(0), s64(-3), "-3"},
		{"%hhd", intField(0), s64(255), "-1"},
		{"%hu", intField(0), s64(-1), "65535"},
		{"%lx", intField(0), s64(-1), "ffffffffffffffff"},
		{"%.2s", strField(0, 8), str("abcdef", 8), "ab"},
		{"%s", &spec.Field{Size: 4, Render: spec.RenderIPv4}, []byte{10, 0, 1, 221}, "10.0.1.221"},
		{"%d", &spec.Field{Size: 2, Render: spec.RenderBE}, []byte{0x27, 0x04}, "9988"},
		{"%-8p|", intField(0), s64(4096), "0x1000  |"},
		{"%r", &spec.Field{Size: 2, Render: spec.RenderBuf}, []byte{'a', 1}, `a\x01`},
		{"%s", &spec.Field{Size: 2, Render: spec.RenderBuf}, []byte{'a', 1}, `a\x01`},
		{"100%%", nil, nil, "100%"},
		{"%q", intField(0), s64(1), "%q"},
		{"%d %d", intField(0), s64(1), "1 %d"},
		{"end%", nil, nil, "end%"},
	} {
		var fields []*spec.Field
		if tc.field != nil {
			fields = []*spec.Field{tc.field}
		}
		if got := string(r.appendPrintf(nil, tc.format, fields, tc.value)); got != tc.want {
			t.Errorf("appendPrintf(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

// TestPrintfEnum: an enum field prints its name with %s (padded as any
// string), its number with %d, and the number where it has no name.
func TestPrintfEnum(t *testing.T) {
	r := testRenderer()
	names := map[uint64]string{3: "NO_SOCKET"}
	f := &spec.Field{Size: 8, Render: spec.RenderEnum, Enum: names}
	for _, c := range []struct {
		format string
		v      int64
		want   string
	}{
		{"%s", 3, "NO_SOCKET"},
		{"%-12s|", 3, "NO_SOCKET   |"},
		{"%d", 3, "3"},
		{"%s", 99, "99"},
	} {
		if got := string(r.appendPrintf(nil, c.format, []*spec.Field{f}, s64(c.v))); got != c.want {
			t.Errorf("sprintf(%q, %d) = %q, want %q", c.format, c.v, got, c.want)
		}
	}
}

// %rx and %rh print every byte of a buffer in hex, as bpftrace does.
func TestHexBytes(t *testing.T) {
	b := []byte("Hi\x00")
	if got := hexBytes(b, 'x'); got != `\x48\x69\x00` {
		t.Errorf("%%rx = %q", got)
	}
	if got := hexBytes(b, 'h'); got != "48 69 00" {
		t.Errorf("%%rh = %q", got)
	}
}
