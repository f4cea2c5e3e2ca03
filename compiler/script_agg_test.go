package compiler

import (
	"strings"
	"testing"

	"github.com/surftrace/surftrace/spec"
)

// describeField prints a field's layout: render/offset/size and parts.
func describeField(f *spec.Field) string {
	s := f.Name + ":" + f.Render.String() + "@" + itoa(f.Offset) + "/" + itoa(f.Size)
	if len(f.Elems) > 0 {
		var parts []string
		for _, e := range f.Elems {
			parts = append(parts, describeField(e))
		}
		s += "{" + strings.Join(parts, " ") + "}"
	}
	return s
}

// TestAggregateLayout checks how struct and array values are laid out
// in map values, keys and tuples: members at their C offsets, char
// arrays as strings, bitfields left out, slots rounded to 8 bytes.
func TestAggregateLayout(t *testing.T) {
	src := `struct Foo { int m; struct { short x[2]; char s[3]; } in; unsigned int b:3; long n[2][1]; }
	BEGIN { $f = *(struct Foo *)0; @f = $f; @k[$f.in.x, 1] = 1; @t = (1, $f.in); @n = $f.n[1]; }`
	p, err := compileScript(t, src)
	if err != nil {
		t.Fatal(err)
	}
	in := "in:struct@4/8{x:array@0/4{:s@0/2 :s@2/2} s:string@4/3}"
	want := map[string]string{
		"@f": ":struct@0/32{m:s@0/4 " + in + " n:array@16/16{:array@0/8{:s@0/8} :array@8/8{:s@0/8}}} key=8",
		"@k": ":s@0/8 key=16 x:array@0/4{:s@0/2 :s@2/2} key1:s@8/8",
		"@t": ":tuple@0/16{:s@0/8 :struct@8/8{x:array@0/4{:s@0/2 :s@2/2} s:string@4/3}} key=8",
		"@n": ":array@0/8{:s@0/8} key=8",
	}
	for _, m := range p.ScriptMaps {
		got := describeField(m.Value) + " key=" + itoa(int(p.Maps[m.Name].KeySize))
		for _, k := range m.Key {
			got += " " + describeField(k)
		}
		if w, ok := want[m.Name]; ok && got != w {
			t.Errorf("%s:\n got %s\nwant %s", m.Name, got, w)
		}
		delete(want, m.Name)
	}
	for name := range want {
		t.Errorf("no map %s", name)
	}
}

// TestAggregateErrors checks what structs and arrays as values refuse.
func TestAggregateErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`struct A { int x[4]; } BEGIN { $a = ((struct A *)0)->x; $i = 1; @x = $a[$i]; }`, "1:70: an array value is indexed by a constant"},
		{`struct A { int x[4]; } BEGIN { $a = ((struct A *)0)->x; @x = $a[4]; }`, "the index 4 is out of bounds for array of size 4"},
		{`struct A { int b:3; int c; } BEGIN { $a = *(struct A *)0; @x = $a.b; }`, "bitfield b of a struct value cannot be read"},
		{`struct A { int m; } BEGIN { $a = *(struct A *)0; @x = $a.n; }`, "struct A has no member n"},
		{`struct A { int m; } BEGIN { $a = *(struct A *)0; @x = $a->m; }`, "->m: struct A is not a pointer; use ."},
		{`struct A { int m; } struct B { int m; } BEGIN { $a = *(struct A *)0; $a = *(struct B *)0; }`, "type mismatch: $a holds struct A, cannot assign struct B"},
		{`struct A { int m; } struct B { int m; } BEGIN { @a = *(struct A *)0; @a = *(struct B *)0; }`, "map @a holds struct A; cannot assign struct B"},
		{`struct A { int m; } struct B { int m; } BEGIN { @a[*(struct A *)0] = 1; @a[*(struct B *)0] = 1; }`, "map @a: key 1 is struct or array here"},
		{`struct A { int m; } BEGIN { $a = *(struct A *)0; if ($a == 1) { exit(); } }`, "cannot compare struct A with s64"},
		{`struct A { int x[2]; } BEGIN { $a = ((struct A *)0)->x; if ($a < $a) { exit(); } }`, "structs and arrays compare with == and != only"},
	} {
		_, err := compileScript(t, tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %q", tc.src, err, tc.want)
		}
	}
}
