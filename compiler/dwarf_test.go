package compiler

import (
	"debug/dwarf"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel/uelf"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// TestDWARFTypes converts the fixture's structs from DWARF to BTF: member
// offsets, bit fields in DWARF 5's data_bit_offset and DWARF 2's
// bit_offset encodings, the anonymous union, arrays, and the struct that
// points to itself.
func TestDWARFTypes(t *testing.T) {
	for _, g := range []string{"-g", "-gdwarf-2"} {
		f, err := uelf.Open(ktest.BuildDWARF(t, g))
		if err != nil {
			t.Fatal(err)
		}
		f.DWARF()
		f.Close()
		c := dwarfTypes{m: map[dwarf.Type]btf.Type{}}
		find := func(name string) *btf.Struct {
			dt, ok, err := f.NamedType("struct", name)
			if !ok || err != nil {
				t.Fatalf("%s: struct %s: %v %v", g, name, ok, err)
			}
			return c.conv(dt).(*btf.Struct)
		}
		bits := find("surf_bits")
		want := []struct {
			name       string
			off, width btf.Bits
		}{{"id", 0, 0}, {"flag", 32, 1}, {"level", 33, 3}, {"u", 64, 0}}
		if len(bits.Members) != len(want) || bits.Size != 12 {
			t.Fatalf("%s: struct surf_bits: size %d, members %+v", g, bits.Size, bits.Members)
		}
		for i, w := range want {
			m := bits.Members[i]
			if m.Name != w.name || m.Offset != w.off || m.BitfieldSize != w.width {
				t.Errorf("%s: member %d = %s at bit %d width %d; want %s at %d width %d", g, i, m.Name, m.Offset, m.BitfieldSize, w.name, w.off, w.width)
			}
		}
		if u, ok := bits.Members[3].Type.(*btf.Union); !ok || u.Size != 4 || len(u.Members) != 2 {
			t.Errorf("%s: member u is %v, want a union of 2 members, 4 bytes", g, bits.Members[3].Type)
		}
		node := find("surf_node")
		if a, ok := node.Members[1].Type.(*btf.Array); !ok || a.Nelems != 8 || !isChar(a.Type) {
			t.Errorf("%s: name is %v, want char[8]", g, node.Members[1].Type)
		}
		if a, ok := node.Members[2].Type.(*btf.Array); !ok || a.Nelems != 3 || sizeof(a.Type) != 2 || !isSigned(a.Type) {
			t.Errorf("%s: vals is %v, want short[3]", g, node.Members[2].Type)
		}
		if p, ok := node.Members[3].Type.(*btf.Pointer); !ok || p.Target != btf.Type(node) {
			t.Errorf("%s: next is %v, want a pointer to struct surf_node itself", g, node.Members[3].Type)
		}
		if node.Members[3].Offset != 8*24 {
			t.Errorf("%s: next at bit %d, want %d", g, node.Members[3].Offset, 8*24)
		}
	}
}

// TestUprobeArgsErrors checks the messages of args in uprobes that
// cannot have them.
func TestUprobeArgsErrors(t *testing.T) {
	withDWARF := ktest.BuildDWARF(t, "-g")
	without := ktest.BuildProbes(t, "-O0")
	cases := []struct{ src, want string }{
		{"uprobe:" + withDWARF + ":surf_node { print(args->nn); }", "has no argument nn (it has n, c, len, cb)"},
		{"uprobe:" + withDWARF + ":surf_node { print(args->nn); }", "did you mean n?"},
		{"uprobe:" + without + ":surf_add { print(args->a); }", "has no DWARF debug information"},
		{"uretprobe:" + withDWARF + ":surf_node { print(args->n); }", "args exists only in"},
		{"uprobe:" + withDWARF + ":surf_node { print(args->n->nosuch); }", "nosuch"},
	}
	for _, c := range cases {
		prog, err := script.Parse(&lang.Source{Name: "t.st", Text: c.src})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(prog, fakeKernel(t), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.src, err, c.want)
		}
	}
}
