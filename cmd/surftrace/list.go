package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/kernel/tracingdir"
	"github.com/surftrace/surftrace/runtime"
	"github.com/surftrace/surftrace/stdlib"
)

// listStdlib prints `run --list`: each shipped script and its summary.
func listStdlib(w io.Writer) error {
	for _, s := range stdlib.List() {
		fmt.Fprintf(w, "%-12s %s\n", s.Name, s.Summary)
		if params := paramSummary(s.Text, s.File); params != "" {
			fmt.Fprintf(w, "%-12s %s\n", "", params)
		}
	}
	return nil
}

// listProbes prints -l [GLOB]: kprobe-able functions, tracepoints, fentry
// targets, software and hardware events and stdlib scripts, one
// "kind:name" a line, those matching glob (against "kind:name", or
// against the name when glob has no ':'; a short kind, kr:, is the long
// one); kretprobe: lines only for a kretprobe: glob. Only
// the kinds this kernel can attach are listed; notes says which are left
// out and why. Listing tracepoints mounts tracefs when it is missing; when
// it cannot, notes says why they are not listed.
func listProbes(glob string, w, notes io.Writer) error {
	if glob != "" {
		if _, err := path.Match(glob, ""); err != nil {
			return badInput(fmt.Errorf("-l %q: %w", glob, err))
		}
	}
	if kind, rest, ok := strings.Cut(glob, ":"); ok && listKindAliases[kind] != "" {
		glob = listKindAliases[kind] + ":" + rest
	}
	match := func(kind, name string) bool {
		if glob == "" {
			return true
		}
		if ok, _ := path.Match(glob, kind+":"+name); ok {
			return true
		}
		ok, _ := path.Match(glob, name)
		return ok && !strings.Contains(glob, ":")
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	emit := func(kind string, names []string) {
		for _, n := range names {
			if match(kind, n) {
				fmt.Fprintf(bw, "%s:%s\n", kind, n)
			}
		}
	}
	// wants reports whether glob can match names of kind.
	wants := func(kind string) bool {
		k, _, ok := strings.Cut(glob, ":")
		m, _ := path.Match(k, kind)
		return !ok || m
	}
	root, err := tracingdir.Mount(notes)
	if err != nil && wants("tracepoint") {
		fmt.Fprintf(notes, "surftrace: no tracepoint: probes listed: %v\n", err)
	}
	// kretprobe: lines are the kprobe functions again; as bpftrace, they
	// are listed only when the glob names the kind.
	kretprobes := strings.HasPrefix(glob, "kretprobe:")
	switch {
	case !wants("kprobe") && !kretprobes:
	case runtime.HaveKprobes():
		fns := kprobeFunctions(root)
		if wants("kprobe") {
			emit("kprobe", fns)
		}
		if kretprobes {
			emit("kretprobe", fns)
		}
	default:
		fmt.Fprintln(notes, "surftrace: no kprobe: probes listed: this kernel has no kprobes (CONFIG_KPROBES is off)")
	}
	emit("tracepoint", tracepoints(root))
	if wants("fentry") {
		switch err := runtime.FentryWorks(); {
		case err == nil || os.Geteuid() != 0: // without root it cannot be checked
			emit("fentry", btfFunctions())
		default:
			fmt.Fprintf(notes, "surftrace: no fentry: probes listed: this kernel refuses fentry programs (%v)\n", errnoOf(err))
		}
	}
	if wants("tc") {
		emit("tc", tcTargets(notes))
	}
	emit("software", perfEventNames(compiler.SoftwareEvents))
	emit("hardware", perfEventNames(compiler.HardwareEvents))
	emit("stdlib", stdlib.Names())
	return nil
}

// listKindAliases are the short kind names -l accepts in a glob, as in a
// program (kr:vfs_* is kretprobe:vfs_*).
var listKindAliases = map[string]string{
	"k": "kprobe", "kr": "kretprobe", "t": "tracepoint", "f": "fentry", "kfunc": "fentry",
	"s": "software", "h": "hardware",
}

// tcTargets are the tc probes' targets, ingress:DEV and egress:DEV for
// every device of surftrace's network namespace.
func tcTargets(notes io.Writer) []string {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Fprintf(notes, "surftrace: no tc: probes listed: %v\n", err)
		return nil
	}
	var out []string
	for _, dir := range []string{"ingress", "egress"} {
		for _, i := range ifs {
			out = append(out, dir+":"+i.Name)
		}
	}
	return out
}

// perfEventNames spells software and hardware events as bpftrace lists
// them: "alignment-faults:", the colon before the count.
func perfEventNames(evs []compiler.PerfEventName) []string {
	var names []string
	for _, ev := range evs {
		names = append(names, ev.Name+":")
	}
	return names
}

// kprobeFunctions lists available_filter_functions, or the text symbols of
// /proc/kallsyms when tracefs cannot be read.
func kprobeFunctions(root string) []string {
	var names []string
	if root != "" {
		if f, err := os.Open(filepath.Join(root, "available_filter_functions")); err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				name, _, _ := strings.Cut(sc.Text(), " ")
				names = append(names, name)
			}
			if len(names) > 0 {
				return uniq(names)
			}
		}
	}
	syms, err := (&kernel.Host{}).Symbols()
	if err != nil {
		return nil
	}
	for _, s := range syms {
		if s.Func {
			names = append(names, s.Name)
		}
	}
	return uniq(names)
}

// tracepoints lists available_events as subsys:event.
func tracepoints(root string) []string {
	if root == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(root, "available_events"))
	if err != nil {
		return nil
	}
	return uniq(strings.Fields(string(data)))
}

// btfFunctions lists the kernel's BTF functions: fentry/fexit targets.
// kernel.Host keeps the list on disk, so -l walks every kernel type only
// the first time on a kernel.
func btfFunctions() []string {
	names, err := (&kernel.Host{}).Functions()
	if err != nil {
		return nil
	}
	return names
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// describe prints -lv: a function's parameters (kprobe:F, fentry:F or F),
// a tracepoint's fields (tracepoint:S:E or S/E), or a struct's members
// with their offsets ('struct NAME').
func describe(c *config, what string, w io.Writer) error {
	k, err := targetKernel(c)
	if err != nil {
		return badInput(err)
	}
	if name, ok := strings.CutPrefix(what, "struct "); ok {
		return describeStruct(k, strings.TrimSpace(name), w)
	}
	kind, name, _ := strings.Cut(what, ":")
	if name == "" {
		kind, name = "", kind
	}
	switch kind {
	case "tracepoint", "t":
		return describeTracepoint(k, name, w)
	case "", "kprobe", "k", "kretprobe", "kr", "fentry", "f", "fexit", "fr", "p", "r":
		if strings.Contains(name, "/") || strings.Contains(name, ":") {
			return describeTracepoint(k, name, w)
		}
		return describeFunc(k, name, w)
	}
	return badInput(fmt.Errorf("-lv %q: describe kprobe:F, tracepoint:S:E or 'struct NAME'", what))
}

func describeFunc(k kernel.Kernel, name string, w io.Writer) error {
	spec, err := k.BTF()
	if err != nil {
		return err
	}
	var fn *btf.Func
	if err := spec.TypeByName(name, &fn); err != nil {
		return badInput(fmt.Errorf("-lv %s: no function %s in BTF", name, name))
	}
	proto := fn.Type.(*btf.FuncProto)
	fmt.Fprintf(w, "%s\n", name)
	for i, p := range proto.Params {
		fmt.Fprintf(w, "    %%%d %s %s\n", i, kernel.CType(p.Type), p.Name)
	}
	fmt.Fprintf(w, "    $retval %s\n", kernel.CType(proto.Return))
	return nil
}

func describeStruct(k kernel.Kernel, name string, w io.Writer) error {
	spec, err := k.BTF()
	if err != nil {
		return err
	}
	var st *btf.Struct
	if err := spec.TypeByName(name, &st); err != nil {
		return badInput(fmt.Errorf("-lv 'struct %s': no such struct in BTF", name))
	}
	fmt.Fprintf(w, "struct %s { // size %d\n", name, st.Size)
	printMembers(w, st.Members, 0, "    ")
	fmt.Fprintln(w, "}")
	return nil
}

// printMembers prints members at base bits, one a line with its byte
// offset (and bit offset:size for bitfields); the members of anonymous
// structs and unions are printed inline, indented, as C reaches them.
func printMembers(w io.Writer, ms []btf.Member, base btf.Bits, indent string) {
	for _, m := range ms {
		at := base + m.Offset
		if m.Name == "" {
			var inner []btf.Member
			switch t := btf.UnderlyingType(m.Type).(type) {
			case *btf.Struct:
				inner = t.Members
			case *btf.Union:
				inner = t.Members
			}
			if inner != nil {
				fmt.Fprintf(w, "%s0x%-10x %s {\n", indent, at/8, kernel.CType(m.Type))
				printMembers(w, inner, at, indent+"    ")
				fmt.Fprintf(w, "%s}\n", indent)
				continue
			}
		}
		off := fmt.Sprintf("0x%x", at/8)
		if m.BitfieldSize > 0 {
			off = fmt.Sprintf("0x%x:%d:%d", at/8, at%8, m.BitfieldSize)
		}
		fmt.Fprintf(w, "%s%-12s %s %s;\n", indent, off, kernel.CType(m.Type), m.Name)
	}
}

func describeTracepoint(k kernel.Kernel, name string, w io.Writer) error {
	sub, ev, ok := strings.Cut(strings.ReplaceAll(name, "/", ":"), ":")
	if !ok {
		return badInput(fmt.Errorf("-lv %s: a tracepoint is SUBSYS:EVENT", name))
	}
	format, err := k.TracepointFormat(sub, ev)
	if errors.Is(err, os.ErrNotExist) {
		return badInput(fmt.Errorf("-lv tracepoint:%s:%s: no such tracepoint", sub, ev))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "tracepoint:%s:%s\n", sub, ev)
	for _, l := range strings.Split(format, "\n") {
		l = strings.TrimSpace(l)
		if f, ok := strings.CutPrefix(l, "field:"); ok && !strings.Contains(f, "common_") {
			fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(f, "\t", " "))
		}
	}
	return nil
}
