package runtime

import (
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// openCPUClock opens a software CPU-clock perf event on cpu that fires
// every period, for interval probes.
func openCPUClock(period time.Duration, cpu int) (*os.File, error) {
	if period <= 0 {
		return nil, fmt.Errorf("interval %v is not positive", period)
	}
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_SOFTWARE,
		Config: unix.PERF_COUNT_SW_CPU_CLOCK,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample: uint64(period.Nanoseconds()),
	}
	fd, err := unix.PerfEventOpen(&attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("perf_event_open cpu-clock: %w", err)
	}
	return os.NewFile(uintptr(fd), "perf-event"), nil
}
