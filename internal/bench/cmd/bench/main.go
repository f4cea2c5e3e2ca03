// Command bench runs surftrace and bpftrace side by side (package
// internal/bench) and prints a markdown table; -json writes the same as
// JSON. With -vm it then boots the 6.1 VM and runs itself there with
// -kprobes, adding that kernel's table. It exits 0 unless the harness
// itself cannot run; `make bench` never fails the build on the figures.
//
//	go run ./internal/bench/cmd/bench [-runs 7] [-dd 1000000] [-json .cache/bench.json] [-vm]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/surftrace/surftrace/internal/bench"
	"github.com/surftrace/surftrace/internal/vmtest"
)

// jsonMark starts the JSON line a run in the VM prints on the console.
const jsonMark = "BENCH-JSON: "

func main() {
	var c bench.Config
	flag.StringVar(&c.Surftrace, "surftrace", "bin/surftrace", "surftrace `BINARY`")
	flag.StringVar(&c.Bpftrace, "bpftrace", "bpftrace", "bpftrace `BINARY`")
	flag.IntVar(&c.Runs, "runs", 7, "runs of the start program per tool (medians)")
	flag.IntVar(&c.DDCount, "dd", 1000000, "bytes dd copies one at a time (two syscalls each)")
	flag.IntVar(&c.UDPCount, "udp", 20000, "loopback datagrams for the skb-cast program")
	flag.BoolVar(&c.Kprobes, "kprobes", false, "programs on kprobes instead of tracepoints (the 6.1 VM)")
	flag.BoolVar(&c.Smoke, "smoke", false, "only the start program and the printf program")
	jsonOut := flag.String("json", "", "also write the reports as JSON to `FILE`")
	vm := flag.Bool("vm", false, "then run with -kprobes in the 6.1 VM")
	vmCache := flag.String("vm-cache", ".cache/vm", "the VM's cache directory")
	vmRuns := flag.Int("vm-runs", 3, "-runs in the VM, where every exec is slow (TCG)")
	vmDD := flag.Int("vm-dd", 100000, "-dd in the VM")
	inVM := flag.Bool("in-vm", false, "print the report as one JSON line for the host (used by -vm)")
	host := flag.Bool("host", true, "run on this kernel (-host=false -vm: only in the VM)")
	verbose := flag.Bool("v", false, "log every run on stderr")
	flag.Parse()
	if *verbose {
		c.Log = os.Stderr
	}
	if p, err := exec.LookPath(c.Bpftrace); err == nil {
		c.Bpftrace = p
	}
	var reports []*bench.Report
	if *inVM {
		// The VM's / (and so /var/cache) is the host's, read-only: give
		// surftrace the writable cache directory a machine has.
		d, err := os.MkdirTemp("", "bench-cache")
		if err != nil {
			fatal(err)
		}
		os.Setenv("XDG_CACHE_HOME", d)
	}
	if *host || *inVM {
		r, err := bench.Run(c)
		if err != nil {
			fatal(err)
		}
		if *inVM {
			b, _ := json.Marshal(r)
			os.RemoveAll(os.Getenv("XDG_CACHE_HOME"))
			fmt.Printf("%s%s\n", jsonMark, b)
			return
		}
		reports = append(reports, r)
	}
	if *vm {
		vc := c
		vc.Runs, vc.DDCount, vc.UDPCount = *vmRuns, *vmDD, c.UDPCount/10
		vr, err := runInVM(vc, *vmCache, *verbose)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: VM:", err)
		} else {
			reports = append(reports, vr)
		}
	}
	for _, r := range reports {
		r.Markdown(os.Stdout)
		fmt.Println()
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(reports, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fatal(err)
		}
	}
}

// runInVM boots the VM and runs this binary in it with -kprobes -in-vm.
func runInVM(c bench.Config, cache string, verbose bool) (*bench.Report, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, _ := os.Getwd()
	args := []string{self, "-in-vm", "-kprobes", "-surftrace", c.Surftrace, "-bpftrace", c.Bpftrace,
		"-runs", fmt.Sprint(c.Runs), "-dd", fmt.Sprint(c.DDCount), "-udp", fmt.Sprint(c.UDPCount)}
	if c.Smoke {
		args = append(args, "-smoke")
	}
	if verbose {
		args = append(args, "-v")
	}
	var console bytes.Buffer
	var w io.Writer = &console
	if verbose {
		w = io.MultiWriter(&console, os.Stderr)
	}
	code, err := vmtest.Run(context.Background(), vmtest.Config{CacheDir: cache, Dir: dir, Env: os.Environ(), Args: args,
		Timeout: 60 * time.Minute, Memory: "2G", CPUs: 1, Console: w, Log: os.Stderr})
	if err != nil {
		return nil, err
	}
	for _, line := range bytes.Split(console.Bytes(), []byte("\n")) {
		if i := bytes.Index(line, []byte(jsonMark)); i >= 0 {
			var r bench.Report
			if err := json.Unmarshal(bytes.TrimSpace(line[i+len(jsonMark):]), &r); err != nil {
				return nil, err
			}
			return &r, nil
		}
	}
	return nil, fmt.Errorf("exit status %d and no report:\n%s", code, tailBytes(console.Bytes()))
}

func tailBytes(b []byte) []byte {
	if len(b) > 2000 {
		return b[len(b)-2000:]
	}
	return b
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
