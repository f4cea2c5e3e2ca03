package tracefs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/surftrace/surftrace/internal/ktest"
)

// TestRawPagesFromKernel captures pages from the running kernel's
// trace_pipe_raw: one thread calls getppid a known number of times with
// sys_enter_getppid enabled, filtered to it, in an instance of the test's
// own, with a pause that makes the kernel write a time extend. The records decoded with the kernel's own header_page, header_event
// and format file must be those calls: the event id, the thread, the
// syscall number, and the same times the instance's text `trace` file
// shows for them.
func TestRawPagesFromKernel(t *testing.T) {
	root := ktest.RequireTracefs(t)
	fs := fsys(root)
	ev := "events/syscalls/sys_enter_getppid"
	if !fs.exists(ev) {
		t.Skipf("no %s on this kernel (CONFIG_FTRACE_SYSCALLS)", ev)
	}
	inst := path.Join("instances", fmt.Sprintf("surftrace_rawtest_%d", os.Getpid()))
	if err := os.Mkdir(fs.path(inst), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		fs.write(path.Join(inst, ev, "enable"), "0")
		if err := os.Remove(fs.path(inst)); err != nil {
			t.Errorf("remove the instance: %v", err)
		}
	})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	for _, w := range [][2]string{
		{"trace_clock", "mono"},
		{path.Join(ev, "filter"), fmt.Sprintf("common_pid==%d", tid)},
		{path.Join(ev, "enable"), "1"},
	} {
		if err := fs.write(path.Join(inst, w[0]), w[1]); err != nil {
			t.Fatalf("write %s: %v", w[0], err)
		}
	}
	const calls = 7
	for i := range calls {
		if i == 4 {
			// More than 2^27 ns between two events: the kernel writes
			// a time extend entry before the fifth.
			time.Sleep(150 * time.Millisecond)
		}
		unix.Getppid()
	}
	if err := fs.write(path.Join(inst, ev, "enable"), "0"); err != nil {
		t.Fatal(err)
	}

	// What ftrace's own text shows for them, before the raw reads consume them.
	text, err := fs.read(path.Join(inst, "trace"))
	if err != nil {
		t.Fatal(err)
	}
	var wantTimes []string
	for _, m := range regexp.MustCompile(`(?m)-`+strconv.Itoa(tid)+` .*?(\d+\.\d{6}): sys_getppid\(\)$`).FindAllStringSubmatch(text, -1) {
		wantTimes = append(wantTimes, m[1])
	}
	if len(wantTimes) != calls {
		t.Fatalf("trace shows %d calls, want %d:\n%s", len(wantTimes), calls, text)
	}

	hp, err1 := fs.read(path.Join(inst, "events/header_page"))
	he, err2 := fs.read(path.Join(inst, "events/header_event"))
	ftext, err3 := fs.read(path.Join(inst, ev, "format"))
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	l, err := parseRingLayout(hp, he)
	if err != nil {
		t.Fatal(err)
	}
	format, err := parseFormat(ftext)
	if err != nil {
		t.Fatal(err)
	}
	pidField, _ := format.field("common_pid")
	nrField, ok := format.field("__syscall_nr")
	if !ok {
		t.Fatalf("no __syscall_nr in\n%s", ftext)
	}
	var gotTimes []string
	pages := 0
	cpus, err := os.ReadDir(fs.path(inst, "per_cpu"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cpu := range cpus {
		fd, err := unix.Open(fs.path(inst, "per_cpu", cpu.Name(), "trace_pipe_raw"), unix.O_RDONLY|unix.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		page := make([]byte, l.pageSize())
		for {
			n, err := unix.Read(fd, page)
			if errors.Is(err, unix.EAGAIN) || (err == nil && n == 0) {
				break
			}
			if err != nil {
				unix.Close(fd)
				t.Fatalf("read %s: %v", cpu.Name(), err)
			}
			pages++
			_, err = l.decodePage(page[:n], func(ts uint64, rec []byte) {
				pid, _ := pidField.bytes(rec)
				nr, _ := nrField.bytes(rec)
				if id := binary.LittleEndian.Uint16(rec); id != format.ID || int(int32(binary.LittleEndian.Uint32(pid))) != tid ||
					int(int32(binary.LittleEndian.Uint32(nr))) != unix.SYS_GETPPID {
					t.Errorf("record %x: want event %d, pid %d, nr %d", rec, format.ID, tid, unix.SYS_GETPPID)
				}
				us := (ts + 500) / 1000 // the text rounds to the microsecond (ns2usecs)
				gotTimes = append(gotTimes, fmt.Sprintf("%d.%06d", us/1e6, us%1e6))
			})
			if err != nil {
				t.Errorf("%s: %v", cpu.Name(), err)
			}
		}
		unix.Close(fd)
	}
	t.Logf("%d pages; times %v", pages, gotTimes)
	if strings.Join(gotTimes, " ") != strings.Join(wantTimes, " ") {
		t.Errorf("decoded times %v, trace shows %v", gotTimes, wantTimes)
	}
}

// TestRawMissedEventsFromKernel overflows a small buffer of an instance of
// the test's own before reading it: the kernel overwrites the oldest pages
// and says so on the first page read, and what the pages hold plus what
// they and the instance's stats say was lost is every call.
func TestRawMissedEventsFromKernel(t *testing.T) {
	root := ktest.RequireTracefs(t)
	fs := fsys(root)
	ev := "events/syscalls/sys_enter_getppid"
	if !fs.exists(ev) {
		t.Skipf("no %s on this kernel (CONFIG_FTRACE_SYSCALLS)", ev)
	}
	inst := path.Join("instances", fmt.Sprintf("surftrace_rawtest_%d", os.Getpid()))
	if err := os.Mkdir(fs.path(inst), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		fs.write(path.Join(inst, ev, "enable"), "0")
		if err := os.Remove(fs.path(inst)); err != nil {
			t.Errorf("remove the instance: %v", err)
		}
	})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	for _, w := range [][2]string{
		{"buffer_size_kb", "8"},
		{path.Join(ev, "filter"), fmt.Sprintf("common_pid==%d", tid)},
		{path.Join(ev, "enable"), "1"},
	} {
		if err := fs.write(path.Join(inst, w[0]), w[1]); err != nil {
			t.Fatalf("write %s: %v", w[0], err)
		}
	}
	const calls = 20000
	for range calls {
		unix.Getppid()
	}
	if err := fs.write(path.Join(inst, ev, "enable"), "0"); err != nil {
		t.Fatal(err)
	}
	hp, err1 := fs.read(path.Join(inst, "events/header_page"))
	he, err2 := fs.read(path.Join(inst, "events/header_event"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	l, err := parseRingLayout(hp, he)
	if err != nil {
		t.Fatal(err)
	}
	var records, lost uint64
	missed := 0
	cpus, err := os.ReadDir(fs.path(inst, "per_cpu"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cpu := range cpus {
		fd, err := unix.Open(fs.path(inst, "per_cpu", cpu.Name(), "trace_pipe_raw"), unix.O_RDONLY|unix.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		page := make([]byte, l.pageSize())
		for {
			n, err := unix.Read(fd, page)
			if errors.Is(err, unix.EAGAIN) || (err == nil && n == 0) {
				break
			}
			if err != nil {
				unix.Close(fd)
				t.Fatalf("read %s: %v", cpu.Name(), err)
			}
			info, err := l.decodePage(page[:n], func(uint64, []byte) { records++ })
			if err != nil {
				t.Errorf("%s: %v", cpu.Name(), err)
			}
			if info.Missed {
				missed++
				lost += info.Lost
			}
		}
		unix.Close(fd)
	}
	r := &run{fs: fs, inst: inst}
	stats, err := r.statsLost()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records read; %d pages said events were lost (counting %d); the stats count %d", records, missed, lost, stats)
	if missed == 0 {
		t.Errorf("no page says events were lost")
	}
	if records+max(lost, stats) != calls {
		t.Errorf("%d read + %d lost = %d, want %d calls", records, max(lost, stats), records+max(lost, stats), calls)
	}
}
