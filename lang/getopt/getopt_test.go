package getopt

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

const src = `BEGIN {
	$port = getopt("port", 0);      // only packets to or from this port
	$addr = getopt("addr", "");     // only this IPv4 address
	if (getopt("stack")) {          // print the kernel stack of each drop
		printf("%d %s\n", $port, $addr);
	}
	$again = getopt("port", 0);
	$neg = getopt("min", -5);
}`

func parse(t *testing.T, text string) *lang.Program {
	t.Helper()
	prog, err := script.Parse(&lang.Source{Name: "t.st", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func TestDeclared(t *testing.T) {
	params, err := Declared(parse(t, src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Param{
		{Name: "port", Kind: Int, Default: "0", Doc: "only packets to or from this port"},
		{Name: "addr", Kind: String, Default: "", Doc: "only this IPv4 address"},
		{Name: "stack", Kind: Bool, Default: "false", Doc: "print the kernel stack of each drop"},
		{Name: "min", Kind: Int, Default: "-5"},
	}
	if len(params) != len(want) {
		t.Fatalf("got %d params, want %d: %+v", len(params), len(want), params)
	}
	for i, p := range params {
		p.At = lang.Span{}
		if !reflect.DeepEqual(p, want[i]) {
			t.Errorf("param %d = %+v, want %+v", i, p, want[i])
		}
	}
	usage := Usage(params)
	for _, line := range []string{
		"  --port=INT     only packets to or from this port\n",
		"  --stack        print the kernel stack of each drop\n",
		"  --min=INT      (default -5)\n",
	} {
		if !strings.Contains(usage, line) {
			t.Errorf("usage lacks %q:\n%s", line, usage)
		}
	}
}

func TestDeclaredErrors(t *testing.T) {
	for text, want := range map[string]string{
		`BEGIN { $x = getopt("p", 0); $y = getopt("p", "a"); }`:                           `t.st:1:35: getopt("p") was declared at t.st:1:14 as int with default "0"; here string with "a"`,
		`BEGIN { $x = getopt($1); }`:                                                      `getopt's name must be a string literal`,
		`BEGIN { $x = getopt("p", 1+1); }`:                                                `getopt's default must be an integer, string or boolean literal`,
		`BEGIN { $x = getopt(); }`:                                                        `getopt takes a name, an optional default`,
		`BEGIN { $x = getopt("p", 0, "a,b"); }`:                                           `only a string parameter has choices`,
		`BEGIN { $x = getopt("p", "", 7); }`:                                              `getopt's choices must be a string literal`,
		`BEGIN { $x = getopt("p", "", "a"); $y = getopt("p", "", "b"); }`:                 `was declared at`,
		`BEGIN { $x = getopt("p", "", "a"); $y = getopt("p", ""); $z = getopt("p", 1); }`: `was declared at`,
	} {
		_, err := Declared(parse(t, text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", text, err, want)
		}
	}
}

func TestParse(t *testing.T) {
	params, _ := Declared(parse(t, src))
	values, pos, err := Parse(params, []string{"--port", "53", "x", "--", "--addr=192.0.2.2", "--stack", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if values["port"] != "53" || values["addr"] != "192.0.2.2" || values["stack"] != "true" || strings.Join(pos, ",") != "x,7" {
		t.Errorf("values %v, positional %q", values, pos)
	}
	for args, want := range map[string]string{
		"--prot=5":       "unknown parameter --prot (did you mean --port?); it takes --port, --addr, --stack, --min",
		"--port=http":    `--port takes an integer, not "http"`,
		"--port":         "--port needs a value (int)",
		"--stack=yes":    `--stack takes true, false, 1 or 0, not "yes"`,
		"--min=-7 --x=1": "unknown parameter --x",
	} {
		_, _, err := Parse(params, strings.Fields(args))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line with %q", args, err, want)
		}
	}
	short := []Param{{Name: "t", Kind: String}, {Name: "v", Kind: Bool, Default: "false"}}
	values, pos, err = Parse(short, []string{"-t", "tcp,udp", "-1", "-x", "-v", "--t=icmp"})
	if err != nil || values["t"] != "icmp" || values["v"] != "true" || strings.Join(pos, ",") != "-1,-x" {
		t.Errorf("one-letter parameters: values %v, positional %q, err %v", values, pos, err)
	}
	if _, _, err := Parse(short, []string{"-t"}); err == nil || err.Error() != "-t needs a value (string)" {
		t.Errorf("-t without a value: err = %v", err)
	}
	if u := Usage(short); !strings.Contains(u, "  -t=STRING") || !strings.Contains(u, "  -v") {
		t.Errorf("usage of one-letter parameters:\n%s", u)
	}
	layers := []Param{{Name: "t", Kind: String, Choices: []string{"tcp", "udp", "link-in"}}}
	if values, _, err := Parse(layers, []string{"-t", "udp,link-in"}); err != nil || values["t"] != "udp,link-in" {
		t.Errorf("choices: values %v, err %v", values, err)
	}
	params, err = Declared(parse(t, `BEGIN { $u = getopt("t", ""); $t = getopt("t", "", "tcp,udp"); // only these
}`))
	if err != nil || !slices.Equal(params[0].Choices, []string{"tcp", "udp"}) || !strings.Contains(Usage(params), "(tcp,udp)") {
		t.Errorf("declared choices: %+v, %v\n%s", params, err, Usage(params))
	}
	want := `-t: "lnk-in" is none of tcp, udp, link-in (did you mean link-in?)`
	if _, _, err := Parse(layers, []string{"-t", "tcp,lnk-in"}); err == nil || err.Error() != want {
		t.Errorf("bad choice: err = %v, want %s", err, want)
	}
	if _, _, err := Parse(nil, []string{"--x"}); err == nil || err.Error() != "unknown parameter --x: the script declares none" {
		t.Errorf("no params: err = %v", err)
	}
}

func TestBind(t *testing.T) {
	prog := parse(t, src)
	params, _ := Declared(prog)
	bound := Bind(prog, params, map[string]string{"port": "53", "stack": "true"})
	if len(bound) != 5 {
		t.Errorf("bound %d calls, want 5", len(bound))
	}
	dump := lang.Dump(prog)
	if strings.Contains(dump, "getopt") {
		t.Errorf("getopt left after Bind:\n%s", dump)
	}
	for _, want := range []string{"53", "(StrLit)", `Op="-"`, "5"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %s:\n%s", want, dump)
		}
	}
}

// A $NAME in an attach point's target takes the parameter's value, or its
// default; a $NAME no getopt declares stays.
func TestBindTarget(t *testing.T) {
	prog := parse(t, `tc:ingress:$dev, tc:egress:$dev, tc:egress:$other { @x = getopt("dev", "lo"); }`)
	params, err := Declared(prog)
	if err != nil {
		t.Fatal(err)
	}
	Bind(prog, params, map[string]string{"dev": "veth0"})
	var got []string
	for _, ap := range prog.Probes[0].Attach {
		got = append(got, ap.Target)
	}
	if want := "ingress:veth0 egress:veth0 egress:$other"; strings.Join(got, " ") != want {
		t.Errorf("targets %q, want %s", got, want)
	}
	prog = parse(t, `tc:ingress:$dev { @x = getopt("dev", "lo"); }`)
	Bind(prog, params, nil)
	if got := prog.Probes[0].Attach[0].Target; got != "ingress:lo" {
		t.Errorf("default: target %q, want ingress:lo", got)
	}
}
