package main

import (
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/surftrace/surftrace/compiler"
)

// kernel is the kernel c compiles for: this one, or with --btf FILE the
// one FILE describes (types only: no tracepoint formats, no symbols), and
// with --arch its register table.
func kernel(c *config) (compiler.Kernel, error) {
	if c.btfFile == "" {
		k := compiler.Kernel(&compiler.HostKernel{Note: c.notes})
		if c.arch != "" && c.arch != k.Arch() {
			k = archKernel{k, c.arch}
		}
		return k, nil
	}
	spec, err := btf.LoadSpec(c.btfFile)
	if err != nil {
		return nil, fmt.Errorf("--btf %s: %w", c.btfFile, err)
	}
	arch := c.arch
	if arch == "" {
		arch = (&compiler.HostKernel{}).Arch()
	}
	return &compiler.StaticKernel{Machine: arch, Types: spec}, nil
}

// archKernel is a kernel seen with another architecture's registers.
type archKernel struct {
	compiler.Kernel
	arch string
}

func (k archKernel) Arch() string { return k.arch }
