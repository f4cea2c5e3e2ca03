package kernel

import (
	"testing"

	"github.com/cilium/ebpf/btf"
)

func TestCType(t *testing.T) {
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	u8 := &btf.Typedef{Name: "u8", Type: &btf.Int{Name: "unsigned char", Size: 1}}
	skb := &btf.Struct{Name: "sk_buff"}
	for _, tc := range []struct {
		t    btf.Type
		want string
	}{
		{nil, "void"},
		{&btf.Pointer{Target: &btf.Void{}}, "void *"},
		{&btf.Pointer{Target: &btf.Pointer{Target: char}}, "char **"},
		{&btf.Pointer{Target: &btf.Const{Type: skb}}, "const struct sk_buff *"},
		{&btf.Volatile{Type: &btf.Int{Name: "int", Size: 4}}, "volatile int"},
		{&btf.Restrict{Type: &btf.Pointer{Target: char}}, "char *"},
		{&btf.Array{Type: u8, Nelems: 16}, "u8[16]"},
		{&btf.Pointer{Target: &btf.FuncProto{}}, "function *"},
		{&btf.Union{Name: "u"}, "union u"},
		{&btf.Enum{Name: "e"}, "enum e"},
	} {
		if got := CType(tc.t); got != tc.want {
			t.Errorf("CType(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
