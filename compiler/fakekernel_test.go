package compiler

import (
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/surftrace/surftrace/kernel"
)

// The fake kernel has the offsets seeds 000 and 004 show: sk_buff.data at
// 0xe8, task_struct.comm at 0xafc and mm at 0x858, mm_struct.mm_users at
// 0x48, and the standard packet headers.
var (
	u8T   = &btf.Int{Name: "unsigned char", Size: 1}
	u16T  = &btf.Int{Name: "unsigned short", Size: 2}
	u32T  = &btf.Int{Name: "unsigned int", Size: 4}
	u64T  = &btf.Int{Name: "long long unsigned int", Size: 8}
	intT  = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	longT = &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	charT = &btf.Int{Name: "char", Size: 1, Encoding: btf.Signed}
	be16  = &btf.Typedef{Name: "__be16", Type: u16T}
	be32  = &btf.Typedef{Name: "__be32", Type: u32T}
)

func mem(name string, t btf.Type, byteOff uint32) btf.Member {
	return btf.Member{Name: name, Type: t, Offset: btf.Bits(8 * byteOff)}
}

func bitMem(name string, t btf.Type, bitOff, size uint32) btf.Member {
	return btf.Member{Name: name, Type: t, Offset: btf.Bits(bitOff), BitfieldSize: btf.Bits(size)}
}

func fakeTypes(t testing.TB) *btf.Spec {
	t.Helper()
	netDevice := &btf.Struct{Name: "net_device", Size: 0x500, Members: []btf.Member{
		mem("name", &btf.Array{Type: charT, Index: u32T, Nelems: 16}, 0),
		mem("mtu", u32T, 0x100),
	}}
	skb := &btf.Struct{Name: "sk_buff", Size: 0xf8, Members: []btf.Member{
		mem("dev", &btf.Pointer{Target: netDevice}, 0x10),
		mem("len", u32T, 0x70),
		mem("protocol", be16, 0xb4),
		mem("transport_header", u16T, 0xb6),
		mem("network_header", u16T, 0xb8),
		mem("mac_header", u16T, 0xba),
		mem("head", &btf.Pointer{Target: u8T}, 0xe0),
		mem("data", &btf.Pointer{Target: u8T}, 0xe8),
	}}
	addrs := &btf.Struct{Size: 8, Members: []btf.Member{mem("saddr", be32, 0), mem("daddr", be32, 4)}}
	iphdr := &btf.Struct{Name: "iphdr", Size: 20, Members: []btf.Member{
		bitMem("ihl", u8T, 0, 4), bitMem("version", u8T, 4, 4),
		mem("tos", u8T, 1), mem("tot_len", be16, 2), mem("id", be16, 4),
		mem("frag_off", be16, 6), mem("ttl", u8T, 8), mem("protocol", u8T, 9),
		mem("check", u16T, 10),
		mem("", &btf.Union{Size: 8, Members: []btf.Member{mem("", addrs, 0), mem("addrs", addrs, 0)}}, 12),
	}}
	in6 := &btf.Struct{Name: "in6_addr", Size: 16, Members: []btf.Member{
		mem("s6_addr", &btf.Array{Type: u8T, Index: u32T, Nelems: 16}, 0)}}
	ipv6hdr := &btf.Struct{Name: "ipv6hdr", Size: 40, Members: []btf.Member{
		mem("payload_len", be16, 4), mem("nexthdr", u8T, 6), mem("hop_limit", u8T, 7),
		mem("saddr", in6, 8), mem("daddr", in6, 24)}}
	udphdr := &btf.Struct{Name: "udphdr", Size: 8, Members: []btf.Member{
		mem("source", be16, 0), mem("dest", be16, 2), mem("len", be16, 4), mem("check", u16T, 6)}}
	tcphdr := &btf.Struct{Name: "tcphdr", Size: 20, Members: []btf.Member{
		mem("source", be16, 0), mem("dest", be16, 2), mem("seq", be32, 4), mem("ack_seq", be32, 8),
		bitMem("res1", u16T, 96, 4), bitMem("doff", u16T, 100, 4), bitMem("fin", u16T, 104, 1), bitMem("syn", u16T, 105, 1)}}
	icmphdr := &btf.Struct{Name: "icmphdr", Size: 8, Members: []btf.Member{
		mem("type", u8T, 0), mem("code", u8T, 1), mem("checksum", u16T, 2)}}
	ethhdr := &btf.Struct{Name: "ethhdr", Size: 14, Members: []btf.Member{
		mem("h_dest", &btf.Array{Type: u8T, Index: u32T, Nelems: 6}, 0),
		mem("h_source", &btf.Array{Type: u8T, Index: u32T, Nelems: 6}, 6),
		mem("h_proto", be16, 12)}}
	atomic := &btf.Typedef{Name: "atomic_t", Type: &btf.Struct{Size: 4, Members: []btf.Member{mem("counter", intT, 0)}}}
	mm := &btf.Struct{Name: "mm_struct", Size: 0x400, Members: []btf.Member{mem("mm_users", atomic, 0x48)}}
	listHead := &btf.Struct{Name: "list_head", Size: 16}
	listHead.Members = []btf.Member{mem("next", &btf.Pointer{Target: listHead}, 0), mem("prev", &btf.Pointer{Target: listHead}, 8)}
	pidLink := &btf.Struct{Name: "pid_link", Size: 24, Members: []btf.Member{mem("node", listHead, 0), mem("pid", &btf.Pointer{Target: &btf.Void{}}, 16)}}
	task := &btf.Struct{Name: "task_struct", Size: 0xc00, Members: []btf.Member{
		mem("pid", intT, 0x4e8),
		mem("mm", &btf.Pointer{Target: mm}, 0x858),
		mem("pids", &btf.Array{Type: pidLink, Index: u32T, Nelems: 3}, 0x958),
		mem("comm", &btf.Array{Type: charT, Index: u32T, Nelems: 16}, 0xafc),
	}}
	sock := &btf.Struct{Name: "sock", Size: 0x300}
	// kmem_cache at the offsets of issue 15's kernel (size 0x18, name
	// 0x58); files_cachep is a global BTF describes (as pahole's
	// global_var feature emits), process_counts a per-CPU one.
	kmemCache := &btf.Struct{Name: "kmem_cache", Size: 0xd0, Members: []btf.Member{
		mem("size", u32T, 0x18), mem("object_size", u32T, 0x1c), mem("refcount", intT, 0x40),
		mem("name", &btf.Pointer{Target: charT}, 0x58),
	}}
	filesCachep := &btf.Var{Name: "files_cachep", Type: &btf.Pointer{Target: kmemCache}, Linkage: btf.GlobalVar}
	processCounts := &btf.Var{Name: "process_counts", Type: u64T, Linkage: btf.GlobalVar}
	net := &btf.Struct{Name: "net", Size: 0x1000}
	param := func(name string, t btf.Type) btf.FuncParam { return btf.FuncParam{Name: name, Type: t} }
	ptr := func(t btf.Type) btf.Type { return &btf.Pointer{Target: t} }
	funcs := []btf.Type{
		&btf.Func{Name: "ip_output", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: intT,
			Params: []btf.FuncParam{param("net", ptr(net)), param("sk", ptr(sock)), param("skb", ptr(skb))}}},
		&btf.Func{Name: "__netif_receive_skb_core", Linkage: btf.StaticFunc, Type: &btf.FuncProto{Return: intT,
			Params: []btf.FuncParam{param("skb", ptr(skb)), param("pfmemalloc", &btf.Int{Name: "_Bool", Size: 1, Encoding: btf.Bool})}}},
		&btf.Func{Name: "dev_queue_xmit", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: intT,
			Params: []btf.FuncParam{param("skb", ptr(skb))}}},
		&btf.Func{Name: "_do_fork", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: longT,
			Params: []btf.FuncParam{param("parent", ptr(task)), param("clone_flags", u64T)}}},
		&btf.Func{Name: "ip_rcv_core", Linkage: btf.StaticFunc, Type: &btf.FuncProto{Return: ptr(skb),
			Params: []btf.FuncParam{param("skb", ptr(skb)), param("net", ptr(net))}}},
		&btf.Var{Name: "jiffies", Type: &btf.Volatile{Type: u64T}, Linkage: btf.GlobalVar},
		&btf.Datasec{Name: ".data", Size: 0x2000, Vars: []btf.VarSecinfo{{Type: filesCachep, Offset: 0x100, Size: 8},
			{Type: &btf.Var{Name: "init_task", Type: task, Linkage: btf.GlobalVar}, Offset: 0x1000, Size: 0xc00}}},
		&btf.Datasec{Name: ".data..percpu", Size: 0x100, Vars: []btf.VarSecinfo{{Type: processCounts, Offset: 0x20, Size: 8}}},
		iphdr, ipv6hdr, udphdr, tcphdr, icmphdr, ethhdr,
		&btf.Struct{Name: "arphdr", Size: 8, Members: []btf.Member{mem("ar_op", be16, 6)}},
		// Raw tracepoint prototypes: (void *ctx, args...). The second
		// has no format file, so it is not a tracepoint of this kernel.
		&btf.Typedef{Name: "btf_trace_netif_receive_skb", Type: ptr(&btf.FuncProto{Return: &btf.Void{},
			Params: []btf.FuncParam{param("", ptr(&btf.Void{})), param("", ptr(skb))}})},
		&btf.Enum{Name: "skb_drop_reason", Size: 4, Values: []btf.EnumValue{
			{Name: "SKB_NOT_DROPPED_YET", Value: 0}, {Name: "SKB_CONSUMED", Value: 1},
			{Name: "SKB_DROP_REASON_NOT_SPECIFIED", Value: 2}, {Name: "SKB_DROP_REASON_NO_SOCKET", Value: 3}}},
		&btf.Typedef{Name: "btf_trace_kfree_skb", Type: ptr(&btf.FuncProto{Return: &btf.Void{},
			Params: []btf.FuncParam{param("", ptr(&btf.Void{})), param("", ptr(skb)), param("", ptr(&btf.Void{}))}})},
	}
	b, err := btf.NewBuilder(funcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

const statWaitFormat = `name: sched_stat_wait
ID: 300
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:char comm[16];	offset:8;	size:16;	signed:0;
	field:pid_t pid;	offset:24;	size:4;	signed:1;
	field:u64 delay;	offset:32;	size:8;	signed:0;
`

const kfreeSkbFormat = `name: kfree_skb
ID: 1500
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:void * skbaddr;	offset:8;	size:8;	signed:0;
	field:void * location;	offset:16;	size:8;	signed:0;
	field:unsigned short protocol;	offset:24;	size:2;	signed:0;
	field:enum skb_drop_reason reason;	offset:28;	size:4;	signed:0;

print fmt: "skbaddr=%p protocol=%u location=%pS reason: %s", REC->skbaddr, REC->protocol, REC->location, __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" })
`

const netifReceiveFormat = `name: netif_receive_skb
ID: 2303
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:void * skbaddr;	offset:8;	size:8;	signed:0;
	field:unsigned int len;	offset:16;	size:4;	signed:0;
	field:__data_loc char[] name;	offset:20;	size:4;	signed:0;
`

func fakeKernel(t testing.TB) *kernel.Static {
	return &kernel.Static{
		Types: fakeTypes(t),
		Formats: map[string]string{
			"sched/sched_stat_wait": statWaitFormat,
			"net/netif_receive_skb": netifReceiveFormat,
			"skb/kfree_skb":         kfreeSkbFormat,
		},
		Syms: []kernel.Symbol{
			{Name: "_do_fork", Addr: 0xffffffff8108a560, Func: true},
			{Name: "ip_output", Addr: 0xffffffff81900000, Func: true},
			{Name: "ip_rcv_core.isra.0", Addr: 0xffffffff81910000, Func: true},
			{Name: "__netif_receive_skb_core", Addr: 0xffffffff81920000, Func: true},
			{Name: "dev_queue_xmit", Addr: 0xffffffff81930000, Func: true},
			{Name: "wake_up_new_task", Addr: 0xffffffff81940000, Func: true},
			// A clone BTF has no prototype for, as 6.1's
			// __netif_receive_skb_core.constprop.0.
			{Name: "netif_skb_noproto.constprop.0", Addr: 0xffffffff81938000, Func: true},
			{Name: "jiffies", Addr: 0xffffffff82a05000},
			{Name: "files_cachep", Addr: 0xffffffff82b00100},
			{Name: "init_task", Addr: 0xffffffff82b01000},
			{Name: "process_counts", Addr: 0x1f020},
			{Name: "task_group_cache", Addr: 0xffffffff8647bc30},
			// Two static variables of one name.
			{Name: "count", Addr: 0xffffffff82c00010},
			{Name: "count", Addr: 0xffffffff82c00810},
		},
	}
}
