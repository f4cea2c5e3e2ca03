package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// TestFieldlessTracepointLine: an e line that names no field prints every
// field of the record after the common ones, in format order, each as its
// type reads: char arrays as strings, signed:1 integers signed, pointers
// in hex, enums by name; and the ftrace lowering asks for the same fields.
func TestFieldlessTracepointLine(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`e sched/sched_stat_wait f:delay>1000000`, "comm:16:string pid:4:signed delay:8:unsigned"},
		{`e skb/kfree_skb f:protocol==2048`, "skbaddr:8:hex location:8:hex protocol:2:unsigned reason:4:enum"},
	} {
		p, err := Compile(parseLine(t, tc.line), fakeKernel(t), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		var got []string
		for _, f := range p.Events[0].Fields {
			got = append(got, fmt.Sprintf("%s:%d:%s", f.Name, f.Size, renderName(f.Render)))
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: fields %s, want %s", tc.line, s, tc.want)
		}
		ft, err := CompileFtrace(parseLine(t, tc.line), fakeKernel(t), Options{})
		if err != nil {
			t.Fatalf("%s: ftrace: %v", tc.line, err)
		}
		var names []string
		for _, f := range ft.Probes[0].Fields {
			names = append(names, f.TPField)
		}
		if s, want := strings.Join(names, " "), fieldNames(tc.want); s != want {
			t.Errorf("%s: ftrace fields %s, want %s", tc.line, s, want)
		}
	}
}

func renderName(r spec.Render) string {
	return map[spec.Render]string{spec.RenderUnsigned: "unsigned", spec.RenderSigned: "signed", spec.RenderHex: "hex",
		spec.RenderString: "string", spec.RenderEnum: "enum", spec.RenderBytes: "bytes"}[r]
}

func fieldNames(spec string) string {
	var out []string
	for _, f := range strings.Fields(spec) {
		name, _, _ := strings.Cut(f, ":")
		out = append(out, name)
	}
	return strings.Join(out, " ")
}

// TestFieldlessLineNoPrefixRender: the kernel's field names ask for no
// render (mac_header_valid is a bool, ip_summed a number), and arrays
// other than strings print as raw bytes.
func TestFieldlessLineNoPrefixRender(t *testing.T) {
	k := fakeKernel(t)
	k.Formats["net/netif_rx_entry"] = `name: netif_rx_entry
ID: 2400
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:__data_loc char[] name;	offset:8;	size:4;	signed:0;
	field:bool mac_header_valid;	offset:12;	size:1;	signed:0;
	field:u8 ip_summed;	offset:13;	size:1;	signed:0;
	field:__u8 saddr[4];	offset:14;	size:4;	signed:0;
	field:int delta;	offset:20;	size:4;	signed:1;
`
	p, err := Compile(parseLine(t, `e net/netif_rx_entry`), k, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Events[0].Fields {
		got = append(got, fmt.Sprintf("%s:%d:%s", f.Name, f.Size, renderName(f.Render)))
	}
	want := "name:" + fmt.Sprint(p.Events[0].Fields[0].Size) + ":string mac_header_valid:1:unsigned ip_summed:1:unsigned saddr:4:bytes delta:4:signed"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("fields %s, want %s", s, want)
	}
}
