// Package spec is the contract between the compiler and the runtime: the
// blueprints the compiler produces (Program for the bpf backend, Ftrace
// for the ftrace backend) and what every part means — probes and their
// attach kinds, the record header and the Events that describe payloads,
// how each Field renders, how script maps print, where a record carries a
// captured packet. The compiler fills these values; runtime and its
// subpackages read them. spec imports no other surftrace package but lang
// (for positions).
package spec
