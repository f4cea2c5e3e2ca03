package tracefs

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
)

// rawBTF is what "bpftool btf dump format raw" says about the structs and
// unions of a BTF: each type id's name and members.
type rawBTF struct {
	byName map[string]int
	types  map[int]*rawType
}

type rawType struct {
	kind, name string
	members    []rawMember
}

type rawMember struct {
	name   string
	typeID int
	bitOff int
}

var (
	rawTypeLine   = regexp.MustCompile(`^\[(\d+)\] (\S+) '([^']*)'`)
	rawMemberLine = regexp.MustCompile(`^\s+'([^']*)' type_id=(\d+) bits_offset=(\d+)`)
)

// parseRawBTF parses bpftool's raw dump.
func parseRawBTF(out []byte) *rawBTF {
	b := &rawBTF{byName: map[string]int{}, types: map[int]*rawType{}}
	var cur *rawType
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := rawTypeLine.FindStringSubmatch(sc.Text()); m != nil {
			id, _ := strconv.Atoi(m[1])
			cur = &rawType{kind: m[2], name: m[3]}
			b.types[id] = cur
			if (cur.kind == "STRUCT" || cur.kind == "UNION") && cur.name != "(anon)" {
				if _, dup := b.byName[cur.name]; !dup {
					b.byName[cur.name] = id
				}
			}
			continue
		}
		if m := rawMemberLine.FindStringSubmatch(sc.Text()); m != nil && cur != nil {
			id, _ := strconv.Atoi(m[2])
			off, _ := strconv.Atoi(m[3])
			cur.members = append(cur.members, rawMember{name: m[1], typeID: id, bitOff: off})
		}
	}
	return b
}

// offset returns the byte offset of member name in struct st, looking
// through anonymous structs and unions as C does.
func (b *rawBTF) offset(st, name string) (int, bool) {
	id, ok := b.byName[st]
	if !ok {
		return 0, false
	}
	return b.find(id, name)
}

func (b *rawBTF) find(id int, name string) (int, bool) {
	t := b.types[id]
	if t == nil {
		return 0, false
	}
	for _, m := range t.members {
		if m.name == name {
			return m.bitOff / 8, true
		}
	}
	for _, m := range t.members {
		if m.name == "(anon)" {
			if off, ok := b.find(m.typeID, name); ok {
				return m.bitOff/8 + off, true
			}
		}
	}
	return 0, false
}

// TestOffsetsAgreeWithBpftool compiles the seed lines against the running
// kernel's BTF and checks every offset in the -S text against what
// "bpftool btf dump file /sys/kernel/btf/vmlinux format raw" says:
// sk_buff.data, iphdr.protocol and .daddr, udphdr.dest (after a 20-byte
// IPv4 header), task_struct.comm and .mm, mm_struct.mm_users. It needs
// bpftool and the kernel's BTF (the VM; the host too where they exist).
func TestOffsetsAgreeWithBpftool(t *testing.T) {
	bpftool, err := exec.LookPath("bpftool")
	if err != nil {
		if bpftool, err = exec.LookPath("/usr/sbin/bpftool"); err != nil {
			t.Skip("no bpftool")
		}
	}
	out, err := exec.Command(bpftool, "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw").Output()
	if err != nil {
		t.Skipf("bpftool btf dump: %v", err)
	}
	raw := parseRawBTF(out)
	off := func(st, name string) int {
		o, ok := raw.offset(st, name)
		if !ok {
			t.Fatalf("bpftool's dump has no %s.%s", st, name)
		}
		return o
	}
	skbData := off("sk_buff", "data")
	hex := func(n int) string { return fmt.Sprintf("%#x", n) }
	cases := []struct{ src, want string }{{
		seed000Line,
		fmt.Sprintf("ip_output proto=+%s(+%s(%%dx)):u8 ip_dst=+%s(+%s(%%dx)):u32 b16_dest=+%s(+%s(%%dx)):u16 comm=$comm body=+%s(+%s(%%dx)):string",
			hex(off("iphdr", "protocol")), hex(skbData), hex(off("iphdr", "daddr")), hex(skbData),
			hex(20+off("udphdr", "dest")), hex(skbData), hex(20+8), hex(skbData)),
	}, {
		// seed 004's fork line, on 6.1's wake_up_new_task(struct task_struct *p)
		`p wake_up_new_task comm=%0->comm users=S%0->mm->mm_users`,
		fmt.Sprintf("wake_up_new_task comm=+%s(%%di):string users=+%s(+%s(%%di)):s32",
			hex(off("task_struct", "comm")), hex(off("mm_struct", "mm_users")), hex(off("task_struct", "mm"))),
	}}
	t.Logf("bpftool: sk_buff.data=%#x iphdr.protocol=%#x iphdr.daddr=%#x udphdr.dest=%#x task_struct.comm=%#x task_struct.mm=%#x mm_struct.mm_users=%#x",
		skbData, off("iphdr", "protocol"), off("iphdr", "daddr"), off("udphdr", "dest"),
		off("task_struct", "comm"), off("task_struct", "mm"), off("mm_struct", "mm_users"))
	for _, c := range cases {
		prog, err := line.Parse(&lang.Source{Name: "<line>", Text: c.src}, 0)
		if err != nil {
			t.Fatal(err)
		}
		f, err := compiler.CompileFtrace(prog, &kernel.Host{}, compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		show := ShowText(f)
		t.Logf("-S:\n%s", show)
		if !strings.Contains(show, "/p0 "+c.want+"' >> ") {
			t.Errorf("-S text of %s:\n%s\nwant the definition %q (offsets from bpftool)", c.src, show, c.want)
		}
	}
}
