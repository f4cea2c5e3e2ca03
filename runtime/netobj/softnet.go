package netobj

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Softnet is one CPU's row of /proc/net/softnet_stat, whose columns are
// hexadecimal: the packets its softirq processed, those its backlog
// dropped because it held net.core.netdev_max_backlog already, and the
// times the softirq ran out of budget (time_squeeze):
//
//	cpu 1 softnet_stat: processed 450370 dropped 54 time_squeeze 1
func Softnet(cpu int) string {
	b, err := os.ReadFile("/proc/net/softnet_stat")
	if err != nil {
		return fmt.Sprintf("softnet_stat: %v", err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		// The 13th column is the CPU (4.20 and later); rows are the
		// online CPUs in order.
		row := i
		if len(f) >= 13 {
			if n, err := strconv.ParseUint(f[12], 16, 32); err == nil {
				row = int(n)
			}
		}
		if row != cpu {
			continue
		}
		var v [3]uint64
		for j := range v {
			v[j], _ = strconv.ParseUint(f[j], 16, 64)
		}
		return fmt.Sprintf("cpu %d softnet_stat: processed %d dropped %d time_squeeze %d", cpu, v[0], v[1], v[2])
	}
	return fmt.Sprintf("softnet_stat: no row for cpu %d", cpu)
}
