package main

import (
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/kernel"
)

// targetKernel is the kernel c compiles for: this one, or with --btf FILE
// the one FILE describes (types only: no tracepoint formats, no symbols).
// --arch is the description's Machine, not a wrapper around it: a wrapper
// would hide the description's optional abilities (tracepoint lists, the
// symbol and struct indexes) from the compiler.
func targetKernel(c *config) (kernel.Kernel, error) {
	if c.btfFile == "" {
		return &kernel.Host{Machine: c.arch, Note: c.notes}, nil
	}
	spec, err := btf.LoadSpec(c.btfFile)
	if err != nil {
		return nil, fmt.Errorf("--btf %s: %w", c.btfFile, err)
	}
	arch := c.arch
	if arch == "" {
		arch = (&kernel.Host{}).Arch()
	}
	return &kernel.Static{Machine: arch, Types: spec}, nil
}
