#!/usr/bin/env bash
# deps.sh: install the Debian packages the tests need, only when missing.
# Quick (no network) when everything is already there.
set -euo pipefail

packages=(qemu-system-x86 cpio busybox-static iproute2 bpftrace bpftool jq tshark prometheus tcpdump nftables systemtap-sdt-dev gcc g++ libc6-dbg)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
# The VM harness downloads linux-image-6.1.0-*-amd64; apt must know it.
kernel_known=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null | head -1)

if [ ${#missing[@]} -eq 0 ] && [ -n "$kernel_known" ]; then
	echo "deps: all present (${packages[*]})"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]:-apt package lists}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
