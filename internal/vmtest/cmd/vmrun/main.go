// Command vmrun boots the vmtest VM and runs one command in it, from the
// current directory and with the current environment:
//
//	go run ./internal/vmtest/cmd/vmrun [flags] -- CMD [ARGS...]
//
// It exits with the command's exit status, or 125 when the harness fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/surftrace/surftrace/internal/vmtest"
)

func main() {
	cache := flag.String("cache", ".cache/vm", "directory for the kernel packages and run scratch")
	kernel := flag.String("kernel", vmtest.DefaultSeries, "kernel series to boot: "+seriesNames())
	timeout := flag.Duration("timeout", 10*time.Minute, "limit for boot, command and power-off")
	mem := flag.String("m", "2G", "guest memory")
	cpus := flag.Int("smp", 1, "guest CPUs (1: under TCG a second vCPU starves on a 2-core host and cross-CPU code patching stalls the guest)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: vmrun [flags] -- CMD [ARGS...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	dir, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code, err := vmtest.Run(ctx, vmtest.Config{
		CacheDir: *cache,
		Kernel:   *kernel,
		Dir:      dir,
		Env:      os.Environ(),
		Args:     flag.Args(),
		Timeout:  *timeout,
		Memory:   *mem,
		CPUs:     *cpus,
		Console:  os.Stdout,
		Log:      os.Stderr,
	})
	if err != nil {
		fatal(err)
	}
	os.Exit(code)
}

func seriesNames() string {
	var names []string
	for _, s := range vmtest.AllSeries {
		names = append(names, s.Name)
	}
	return strings.Join(names, " or ")
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "vmrun:", err)
	os.Exit(125)
}
