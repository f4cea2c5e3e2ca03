package compiler

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/script"
)

// hostScripts run on this host: tracepoints, BEGIN, END and interval.
var hostScripts = map[string]string{
	"begin_printf": `BEGIN { printf("hello %s %d %-5s|%x\n", comm, pid, "ab", 255); exit(); }`,
	"vars_loops": `BEGIN {
		$i = 0; $sum = 0;
		while ($i <= 100) { $i++; if ($i < 10) { continue; } if ($i > 50) { break; } $sum += $i; }
		unroll(4) { $sum <<= 1; }
		$s = "abc"; $t = (1, "two");
		if ($s == "abc" && $t.0 == 1 || strncmp($s, "abd", 2) == 0) { printf("%d %s %s\n", $sum, $s, $t.1); }
		$x = $sum > 10 ? $sum : -1;
		@m[1, "a"] = $x; @m[1, "a"]++; @ = 3; --@;
		print(@m); print($x); time("%H\n"); exit();
	}`,
	"aggregations": `tracepoint:sched:sched_switch {
		@c[comm] = count(); @s = sum(args->prev_pid); @a = avg(args->next_pid);
		@mn = min(args->prev_prio); @mx = max(args->next_prio); @st = stats(args->prev_pid);
		@h = hist(args->prev_pid); @l[cpu] = lhist(args->next_pid, 0, 10000, 1000);
		@names[args->next_comm] = args->next_pid;
	}
	interval:ms:100 { print(@c); clear(@c); zero(@s); }
	END { clear(@names); }`,
	"skb_casts": `tracepoint:net:netif_receive_skb {
		$skb = (struct sk_buff *)args->skbaddr;
		$ip_src = @(struct iphdr *)h $skb->saddr;
		$b16_dport = @(struct udphdr *)l3 (args->skbaddr)->dest;
		if ($skb->protocol == 0x0008 && $ip_src == pton("127.0.0.1")) {
			@pkts[ntop($ip_src), $b16_dport] = count();
			printf("%s %d %s\n", ntop($ip_src), $b16_dport, args->name);
		}
		@len = hist(args->len);
		@stacks[kstack] = count();
	}`,
	"predicates": `tracepoint:syscalls:sys_enter_openat /pid != 0 && comm != "swapper"/ {
		@filename[tid] = args->filename;
	}
	tracepoint:syscalls:sys_exit_openat /@filename[tid]/ {
		$ret = args->ret;
		$fd = $ret >= 0 ? $ret : -1;
		printf("%-6d %-16s %4d %s\n", pid, comm, $fd, str(@filename[tid]));
		delete(@filename[tid]);
	}
	END { clear(@filename); }`,
	"elapsed_ksym": `tracepoint:skb:kfree_skb { @where[ksym(args->location)] = count(); @e = max(elapsed); @t[curtask->pid] = sum(1); }`,
	"wildcard":     `tracepoint:skb:* { @[probe] = count(); }`,
	// Structs and arrays as values: copied from user and kernel memory
	// into variables, map values and keys, tuples; their members and
	// elements read back, also from a map and a tuple in a map.
	"aggregates": `struct Foo { int m; struct { int x[2]; char s[3]; } in; long n[2][3]; }
	tracepoint:syscalls:sys_enter_openat {
		$f = *(struct Foo *)args->filename;
		@f = $f; @k[$f, comm] = 1; @t = (1, $f.in); $x = $f.in.x; $n = $f.n;
		printf("%d %d %s %d %d\n", $f.in.x[1], @f.in.x[0], $f.in.s, @t.1.x[1], $n[1][2]);
		print($f); print($x); @a[$x] = $f.n;
		$w = curtask->se.load;
		@w[$w, 2] = (curtask->se.load, $w.weight);
		if ($x == @f.in.x) { print(sizeof($w)); }
	}`,
	// Small enough for scratch space on the stack, where every access
	// must be aligned: members of 1, 2 and 4 bytes, a nested struct.
	"aggregates_stack": `struct P { char a; short c; struct { char d; int e; } in; }
	tracepoint:syscalls:sys_enter_openat {
		$p = *(struct P *)args->filename; $i = $p.in;
		@[$p.a, $p.c, $i.e] = count();
		if ($i == $p.in) { @w = curtask->se.load; }
	}`,
}

// loadScript compiles text against the host and loads every program.
func loadScript(t *testing.T, name, text string, opts Options) error {
	t.Helper()
	prog, err := script.Parse(&lang.Source{Name: name, Text: text})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	p, err := Compile(prog, &kernel.Host{}, opts)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	spec := &ebpf.CollectionSpec{Maps: p.Maps, Programs: map[string]*ebpf.ProgramSpec{}}
	for _, pr := range p.Probes {
		spec.Programs[pr.Name+"#"+strings.Repeat("x", pr.Index)] = pr.Spec
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{LogSizeStart: 1 << 20}})
	if err != nil {
		return err
	}
	coll.Close()
	return nil
}

func TestVerifierScripts(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	ktest.RequireTracefs(t)
	for name, text := range hostScripts {
		t.Run(name, func(t *testing.T) {
			if err := loadScript(t, name, text, Options{}); err != nil {
				t.Errorf("load: %v", verifierTail(err))
			}
		})
	}
}

// TestVerifierShippedScripts compiles and loads every script under
// stdlib/ and scripts/. Kprobe programs load on this host even where
// they cannot attach.
func TestVerifierShippedScripts(t *testing.T) {
	ktest.RequireRoot(t)
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	ktest.RequireTracefs(t)
	files, _ := filepath.Glob("../stdlib/*.st")
	more, _ := filepath.Glob("../scripts/*.st")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no scripts found")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			err = loadScript(t, filepath.Base(file), string(text), Options{Params: []string{"192.0.2.2"}})
			if errors.Is(err, ebpf.ErrNotSupported) {
				t.Skipf("%v", err)
			}
			if err != nil {
				t.Errorf("load: %v", verifierTail(err))
			}
		})
	}
}
