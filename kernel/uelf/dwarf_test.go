package uelf

import (
	"debug/dwarf"
	"reflect"
	"testing"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestParams lists the fixture's parameters with their types spelled as
// bpftrace 0.17 lists them (-lv uprobe:BIN:FUNC, checked against Debian's
// bpftrace), for gcc's default DWARF version and for DWARF 2.
func TestParams(t *testing.T) {
	want := map[string][]string{
		"surf_ints": {"int a", "unsigned char b", "long int c", "char d"},
		"surf_ptrs": {"const char* s", "int* p", "void* v", "char** argv", "const int* const cp", "const <unknown type>* cv"},
		"surf_node": {"struct surf_node* n", "enum surf_color c", "surf_len_t len", "<unknown type>* cb"},
		"main":      {"int argc", "char** argv"},
	}
	for _, g := range []string{"-g", "-gdwarf-2"} {
		f, err := Open(ktest.BuildDWARF(t, g))
		if err != nil {
			t.Fatal(err)
		}
		if f.DWARF() == nil {
			t.Fatalf("%s: no DWARF", g)
		}
		f.Close() // the DWARF stays readable
		for fn, w := range want {
			ps, ok, err := f.Params(fn)
			if err != nil || !ok {
				t.Errorf("%s: Params(%s) = %v, %v", g, fn, ok, err)
				continue
			}
			var got []string
			for _, p := range ps {
				got = append(got, TypeName(p.Type)+" "+p.Name)
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s: %s params %q, want %q", g, fn, got, w)
			}
		}
		if _, ok, err := f.Params("surf_nosuch"); ok || err != nil {
			t.Errorf("%s: Params(surf_nosuch) = %v, %v; want none", g, ok, err)
		}
	}
	// Without -g there is nothing to find.
	f, err := Open(ktest.BuildProbes(t, "-O0"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.DWARF() != nil {
		t.Error("a binary built without -g has DWARF")
	}
	if _, ok, err := f.Params("surf_add"); ok || err != nil {
		t.Errorf("Params without DWARF = %v, %v; want none", ok, err)
	}
}

// TestNamedType finds the fixture's struct by name, with its members at
// their offsets, and nothing for a name it does not define.
func TestNamedType(t *testing.T) {
	f, err := Open(ktest.BuildDWARF(t, "-g"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	typ, ok, err := f.NamedType("struct", "surf_node")
	if err != nil || !ok {
		t.Fatalf("NamedType(struct surf_node) = %v, %v", ok, err)
	}
	st := typ.(*dwarf.StructType)
	var got []string
	for _, m := range st.Field {
		got = append(got, m.Name)
	}
	if want := []string{"id", "name", "vals", "next"}; !reflect.DeepEqual(got, want) {
		t.Errorf("struct surf_node members %v, want %v", got, want)
	}
	if st.Field[1].ByteOffset != 4 || st.Field[2].ByteOffset != 12 {
		t.Errorf("name at %d, vals at %d; want 4 and 12", st.Field[1].ByteOffset, st.Field[2].ByteOffset)
	}
	if _, ok, _ := f.NamedType("enum", "surf_color"); !ok {
		t.Error("no enum surf_color")
	}
	for _, miss := range [][2]string{{"struct", "surf_color"}, {"union", "surf_node"}, {"struct", "nosuch"}} {
		if _, ok, err := f.NamedType(miss[0], miss[1]); ok || err != nil {
			t.Errorf("NamedType(%s %s) = %v, %v; want none", miss[0], miss[1], ok, err)
		}
	}
}
