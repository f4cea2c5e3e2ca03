package compiler

import (
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/kernel"
)

// seedKernel describes the kernel a seed document's ftrace text was made
// on. Seed 000's is the compiler's fake kernel (fakeKernel); seed 004's
// differs in sk_buff.data (0xf0) and task_struct.pids (0x970), which
// kernel builds with just the types and offsets that seed's text shows.
type seedKernel struct {
	skbData uint32 // offset of sk_buff.data: 0xe8 in seed 000, 0xf0 in seed 004
}

// ulT is the C unsigned long.
var ulT = &btf.Int{Name: "unsigned long", Size: 8}

// fn is a kernel function with named parameters.
func fn(name string, ret btf.Type, params ...btf.FuncParam) *btf.Func {
	return &btf.Func{Name: name, Type: &btf.FuncProto{Return: ret, Params: params}, Linkage: btf.GlobalFunc}
}

// kernel returns the kernel.Static: BTF made in the test, the functions as
// symbols, and sched_stat_wait's format.
func (sk seedKernel) kernel(t *testing.T) *kernel.Static {
	t.Helper()
	if sk.skbData == 0xe8 {
		return fakeKernel(t)
	}
	skb := &btf.Struct{Name: "sk_buff", Size: 0x100}
	skb.Members = []btf.Member{
		mem("head", &btf.Pointer{Target: u8T}, skb.Size-0x10),
		mem("data", &btf.Pointer{Target: u8T}, sk.skbData),
		mem("transport_header", u16T, 0xb4), mem("network_header", u16T, 0xb6), mem("mac_header", u16T, 0xb8),
	}
	iphdr := &btf.Struct{Name: "iphdr", Size: 20, Members: []btf.Member{
		bitMem("ihl", u8T, 0, 4), bitMem("version", u8T, 4, 4), mem("tos", u8T, 1), mem("tot_len", be16, 2),
		mem("id", be16, 4), mem("frag_off", be16, 6), mem("ttl", u8T, 8), mem("protocol", u8T, 9),
		mem("check", u16T, 10), mem("saddr", be32, 12), mem("daddr", be32, 16),
	}}
	udphdr := &btf.Struct{Name: "udphdr", Size: 8, Members: []btf.Member{
		mem("source", be16, 0), mem("dest", be16, 2), mem("len", be16, 4), mem("check", u16T, 6),
	}}
	icmphdr := &btf.Struct{Name: "icmphdr", Size: 8, Members: []btf.Member{
		mem("type", u8T, 0), mem("code", u8T, 1), mem("checksum", u16T, 2), mem("un", u32T, 4),
	}}
	ethhdr := &btf.Struct{Name: "ethhdr", Size: 14, Members: []btf.Member{
		mem("h_dest", &btf.Array{Type: u8T, Index: u32T, Nelems: 6}, 0),
		mem("h_source", &btf.Array{Type: u8T, Index: u32T, Nelems: 6}, 6), mem("h_proto", be16, 12),
	}}
	atomic := &btf.Typedef{Name: "atomic_t", Type: &btf.Struct{Size: 4, Members: []btf.Member{mem("counter", intT, 0)}}}
	mm := &btf.Struct{Name: "mm_struct", Size: 0x100, Members: []btf.Member{mem("mm_users", atomic, 0x48)}}
	hnode := &btf.Struct{Name: "hlist_node", Size: 16}
	hnode.Members = []btf.Member{mem("next", &btf.Pointer{Target: hnode}, 0), mem("pprev", &btf.Pointer{Target: &btf.Pointer{Target: hnode}}, 8)}
	pidLink := &btf.Struct{Name: "pid_link", Size: 24, Members: []btf.Member{mem("node", hnode, 0), mem("pid", &btf.Pointer{Target: &btf.Void{}}, 16)}}
	task := &btf.Struct{Name: "task_struct", Size: 0xc00, Members: []btf.Member{
		mem("mm", &btf.Pointer{Target: mm}, 0x858), mem("pids", &btf.Array{Type: pidLink, Index: u32T, Nelems: 3}, 0x970),
		mem("comm", &btf.Array{Type: charT, Index: u32T, Nelems: 16}, 0xafc),
	}}
	ptr := func(t btf.Type) btf.Type { return &btf.Pointer{Target: t} }
	net, sock := &btf.Struct{Name: "net", Size: 8}, &btf.Struct{Name: "sock", Size: 8}
	funcs := []*btf.Func{
		fn("ip_output", intT, btf.FuncParam{Name: "net", Type: ptr(net)}, btf.FuncParam{Name: "sk", Type: ptr(sock)}, btf.FuncParam{Name: "skb", Type: ptr(skb)}),
		fn("__netif_receive_skb_core", intT, btf.FuncParam{Name: "skb", Type: ptr(skb)}, btf.FuncParam{Name: "pfmemalloc", Type: u8T}),
		fn("dev_queue_xmit", intT, btf.FuncParam{Name: "skb", Type: ptr(skb)}),
		fn("_do_fork", longT, btf.FuncParam{Name: "parent", Type: ptr(task)}, btf.FuncParam{Name: "source", Type: ptr(task)}, btf.FuncParam{Name: "clone_flags", Type: ulT}),
	}
	b, err := btf.NewBuilder(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := &kernel.Static{Formats: map[string]string{"sched/sched_stat_wait": statWaitFormat}}
	for i, typ := range []btf.Type{iphdr, udphdr, icmphdr, ethhdr, funcs[0], funcs[1], funcs[2], funcs[3]} {
		if _, err := b.Add(typ); err != nil {
			t.Fatal(err)
		}
		if f, ok := typ.(*btf.Func); ok {
			k.Syms = append(k.Syms, kernel.Symbol{Name: f.Name, Addr: 0xffffffff81000000 + uint64(i)<<12, Func: true})
		}
	}
	if k.Types, err = b.Spec(); err != nil {
		t.Fatal(err)
	}
	return k
}
