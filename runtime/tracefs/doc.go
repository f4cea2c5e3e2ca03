// Package tracefs runs a spec.Ftrace through the kernel's tracefs: the
// ftrace backend, for machines that have kprobe_events but cannot load BPF.
//
// A run owns one tracefs instance (instances/surftrace_PID) and one kprobe
// event group (surftrace_PID). It appends its kprobe_events lines, sets
// filters and enables events in its instance only, switches the instance's
// trace_clock to mono (the clock of bpf_ktime_get_ns, so timestamps match
// the bpf backend), reads the events in binary form from the instance's
// per-CPU buffers (per_cpu/cpuN/trace_pipe_raw), decoding pages and entries
// as events/header_page and events/header_event describe them and each
// record with its event's format file, and prints every event in exactly
// the bpf backend's line format, rendering the raw fetched bytes by name
// prefix (ip_ dotted, b16_ byte-swapped, ...) with package render. No
// string a probe fetches can break a line: nothing parses ftrace's text
// but the hist files of keyed counts and the -o script. On every exit it
// removes what it created; at start it removes what earlier runs, whose
// pid is dead, left behind.
//
// Everything written to tracefs is checked against a strict character
// whitelist first, so no name, symbol or filter can smuggle in a line of
// its own. When tracefs still rejects a write, the kernel's error_log entry
// is shown under the offending part of the user's source.
package tracefs
