// Package pcapfilter parses pcap-filter expressions, the language tcpdump
// takes (`tcp and dst port 80`), into a small tree of primitives and
// relations, with our own code: no libpcap.
//
// The tree reads packets from the network header: ethertype tests use the
// packet's protocol, offsets such as ip[9] or tcp[13] are relative to the
// IP or transport header. The compiler lowers it to eBPF over an skb.
// Like the rest of lang, the package knows nothing of the kernel.
package pcapfilter
