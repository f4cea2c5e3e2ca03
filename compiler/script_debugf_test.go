package compiler

import "testing"

// traceFormatVerbs accepts what the kernel's bpf_bprintf_prepare accepts
// and names the first conversion it refuses.
func TestTraceFormatVerbs(t *testing.T) {
	for _, tc := range []struct {
		format string
		verbs  string
		bad    string
	}{
		{"plain text", "", ""},
		{"100%% %d", "d", ""},
		{"%s %d %x", "sdx", ""},
		{"%5d|%-4d|%lu|%llx|%lX|%05x", "dduxXx", ""},
		{"%i %c %p %pS %pK", "icppp", ""}, // every p form is 'p'
		{"%hd", "", "%h"},
		{"%.2d", "", "%."},
		{"%lllu", "", "%lll"},
		{"%r", "", "%r"},
		{"%pZ", "", "%pZ"},
		{"tail %", "", "%"},
		{"%l", "", "%l"},
	} {
		verbs, bad := traceFormatVerbs(tc.format)
		want := tc.verbs
		if bad != tc.bad || string(verbs) != string(want) {
			t.Errorf("traceFormatVerbs(%q) = %q, %q; want %q, %q", tc.format, verbs, bad, want, tc.bad)
		}
	}
}
