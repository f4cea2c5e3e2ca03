#!/bin/sh
# Regenerates the golden files from the real bpftrace (Debian's 0.17):
# NAME.txt is text output without the "Attaching" line, NAME.json the
# -f json objects without "attached_probes". Run as root from this directory.
set -e
for bt in *.bt; do
	name=${bt%.bt}
	bpftrace "$bt" 2>/dev/null | sed 1d > "$name.txt"
	bpftrace -f json "$bt" 2>/dev/null | grep '^{' | grep -v attached_probes > "$name.json"
done
