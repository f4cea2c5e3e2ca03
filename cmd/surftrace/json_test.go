package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// JSON lines on fixture traffic: jq parses every line, and each object has
// the shape docs/output.md gives.

// jqLines runs `jq -c .` over out and fails unless it parses every line
// into exactly one value.
func jqLines(t *testing.T, out string) {
	t.Helper()
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Fatalf("jq is missing (make deps installs it): %v", err)
	}
	cmd := exec.Command(jq, "-c", ".")
	cmd.Stdin = strings.NewReader(out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq -c .: %v\n%s", err, stderr.String())
	}
	if n, want := strings.Count(string(got), "\n"), strings.Count(out, "\n"); n != want {
		t.Errorf("jq read %d values from %d lines", n, want)
	}
}

// decodeLines decodes every line of out as one JSON object.
func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var o map[string]any
		d := json.NewDecoder(strings.NewReader(l))
		d.UseNumber()
		if err := d.Decode(&o); err != nil || d.More() {
			t.Errorf("not one JSON object: %q (%v)", l, err)
			continue
		}
		objs = append(objs, o)
	}
	return objs
}

// wantKeys checks that o has exactly the keys want, plus any of optional.
func wantKeys(t *testing.T, o map[string]any, want []string, optional ...string) {
	t.Helper()
	for _, k := range want {
		if _, ok := o[k]; !ok {
			t.Errorf("no %q in %v", k, o)
		}
	}
	allowed := strings.Join(append(want, optional...), " ") + " "
	for k := range o {
		if !strings.Contains(" "+allowed, " "+k+" ") {
			t.Errorf("unexpected key %q in %v", k, o)
		}
	}
}

// checkEvent checks the schema of an event object; it returns its fields.
func checkEvent(t *testing.T, o map[string]any) map[string]any {
	t.Helper()
	wantKeys(t, o, []string{"type", "probe", "time", "cpu", "pid", "tgid", "comm", "where", "fields"}, "stack")
	for _, k := range []string{"probe", "comm", "where"} {
		if _, ok := o[k].(string); !ok {
			t.Errorf("%s is %T, want a string: %v", k, o[k], o)
		}
	}
	for _, k := range []string{"time", "cpu", "pid", "tgid"} {
		if _, ok := o[k].(json.Number); !ok {
			t.Errorf("%s is %T, want a number: %v", k, o[k], o)
		}
	}
	if tm, _ := o["time"].(json.Number); !regexpMatch(`^\d+\.\d{6}$`, string(tm)) {
		t.Errorf("time %q, want seconds with 6 decimals", tm)
	}
	if s, ok := o["stack"]; ok {
		frames, _ := s.([]any)
		if len(frames) == 0 {
			t.Errorf("stack %v, want frames", s)
		}
		for _, f := range frames {
			if fs, ok := f.(string); !ok || !regexpMatch(`^\w[\w.]*\+0x[0-9a-f]+( \[\w+\])?$`, fs) {
				t.Errorf("stack frame %v, want SYMBOL+0xOFF", f)
			}
		}
	}
	fields, ok := o["fields"].(map[string]any)
	if !ok {
		t.Fatalf("fields is %T: %v", o["fields"], o)
	}
	for name, v := range fields {
		pair, ok := v.(map[string]any)
		if !ok {
			t.Errorf("field %s is %T, want {value, raw}", name, v)
			continue
		}
		wantKeys(t, pair, []string{"value", "raw"})
	}
	return fields
}

// TestJSONEventsOnFixtureTraffic decodes UDP datagrams that B drops, as in
// TestKfreeSkbDecodesUDP, in JSON with stacks.
func TestJSONEventsOnFixtureTraffic(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	const n = 3
	udp := `e skb/kfree_skb proto=@(struct iphdr *)h skbaddr->protocol ` +
		`ip_dst=@(struct iphdr *)h skbaddr->daddr b16_dest=@(struct udphdr *)h skbaddr->dest ` +
		`B16_len=@(struct udphdr *)h skbaddr->len body=@(struct udphdr *)h skbaddr->Sdata[0] ` +
		`f:proto==17&&ip_dst==192.0.2.2&&b16_dest==9988`
	sentinel := `e skb/kfree_skb b16_dest=@(struct udphdr *)h skbaddr->dest f:b16_dest==9999`
	c := startCLI(t, "-q", "-s", "--format", "json", "--duration", "60s", "--max-events", "4", udp, sentinel)
	must(t, "udp/9988")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), []byte(hello), n, 5*time.Second))
	time.Sleep(200 * time.Millisecond)
	must(t, "sentinel")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9999"), []byte("end"), 1, 5*time.Second))
	if code := c.wait(t, 20*time.Second); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	out := c.stdout.String()
	jqLines(t, out)
	objs := decodeLines(t, out)
	if len(objs) != n+1 {
		t.Fatalf("%d objects, want %d", len(objs), n+1)
	}
	lines := strings.Split(out, "\n")
	for i, o := range objs {
		if o["type"] != "event" {
			t.Errorf("type %v, want event", o["type"])
		}
		fields := checkEvent(t, o)
		if o["where"] != "skb:kfree_skb" {
			t.Errorf("where %v", o["where"])
		}
		if _, ok := o["stack"]; !ok {
			t.Errorf("-s, and no stack: %v", o)
		}
		if i == n {
			if o["probe"] != "e1" || len(fields) != 1 {
				t.Errorf("sentinel %v", o)
			}
			continue
		}
		if o["probe"] != "e0" {
			t.Errorf("probe %v, want e0", o["probe"])
		}
		// The value as the text line shows it, the raw host-order integer
		// or the bytes in hex: ip_dst 192.0.2.2 is c0 00 02 02 in memory,
		// dest 9988 is 27 04.
		want := map[string][2]string{
			"proto":    {"17", "17"},
			"ip_dst":   {`"192.0.2.2"`, "33685696"},
			"b16_dest": {"9988", "1063"},
			"B16_len":  {`"0x13"`, "4864"},
		}
		for name, vr := range want {
			pair, _ := fields[name].(map[string]any)
			if got := [2]string{jsonText(pair["value"]), jsonText(pair["raw"])}; got != vr {
				t.Errorf("%s: value, raw %v, want %v", name, got, vr)
			}
		}
		body, _ := fields["body"].(map[string]any)
		if body["value"] != hello {
			t.Errorf("body value %v, want %q", body["value"], hello)
		}
		if raw, _ := body["raw"].(string); !strings.HasPrefix(raw, "48656c6c6f20576f726c64") || !regexpMatch(`^[0-9a-f]+$`, raw) {
			t.Errorf("body raw %q, want the payload in lowercase hex", raw)
		}
		// Fields keep the line's order.
		last := -1
		for _, name := range []string{"proto", "ip_dst", "b16_dest", "B16_len", "body"} {
			at := strings.Index(lines[i], `"`+name+`":`)
			if at < last {
				t.Errorf("field %s out of the line's order: %s", name, lines[i])
			}
			last = at
		}
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestJSONScriptMaps runs a .st script with printf, count, a keyed count,
// hist and stats over bounded UDP traffic, and checks every object.
func TestJSONScriptMaps(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	p := netfix.NewPair(t)
	script := filepath.Join(t.TempDir(), "maps.st")
	src := `tracepoint:net:netif_receive_skb /args->len == 1139/ {
	printf("len %d\n", args->len);
	@n = count();
	@by[args->len, "udp"] = count();
	@h = hist(args->len);
	@s = stats(args->len);
}
tracepoint:net:netif_receive_skb /args->len == 1361/ { exit(); }
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startCLI(t, "-q", "--format", "json", "--duration", "60s", script)
	const n = 4
	must(t, "udp")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), make([]byte, 1111), n, 5*time.Second))
	time.Sleep(200 * time.Millisecond)
	must(t, "exit")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9988"), make([]byte, 1333), 1, 5*time.Second))
	if code := c.wait(t, 20*time.Second); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	out := c.stdout.String()
	jqLines(t, out)
	for _, o := range decodeLines(t, out) {
		wantKeys(t, o, []string{"type", "data"})
	}
	// bpftrace's -f json layout, byte for byte; maps print sorted by name,
	// and 1139 falls in hist's [1K, 2K).
	want := `{"type": "printf", "data": "len 1139\n"}
{"type": "printf", "data": "len 1139\n"}
{"type": "printf", "data": "len 1139\n"}
{"type": "printf", "data": "len 1139\n"}
{"type": "map", "data": {"@by": {"1139,udp": 4}}}
{"type": "hist", "data": {"@h": [{"min": 1024, "max": 2047, "count": 4}]}}
{"type": "map", "data": {"@n": 4}}
{"type": "stats", "data": {"@s": {"count": 4, "average": 1139, "total": 4556}}}
`
	if out != want {
		t.Errorf("printed\n%swant\n%s", out, want)
	}
}
