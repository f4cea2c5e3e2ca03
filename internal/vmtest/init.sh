#!/bin/busybox sh
# /init of the vmtest initramfs. It loads the modules listed in
# /modules.order, mounts the host root read-only (9p tag hostroot) and the
# writable results share (9p tag results), prepares a chroot of the host
# root with the usual kernel filesystems and a writable /tmp, runs
# /run/vmtest/cmd.sh in it, writes its exit status to the results share
# and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1

fail() {
	echo "vmtest: init: $*"
	poweroff -f
}
must() {
	"$@" || fail "failed: $*"
}

must mount -t proc proc /proc
must mount -t sysfs sys /sys
while read -r ko; do
	must insmod "$ko"
done </modules.order

opts=trans=virtio,version=9p2000.L,msize=262144
r=/newroot
must mount -t 9p -o "$opts,ro,cache=loose" hostroot $r
must mount -t 9p -o "$opts" results /results

must mount -t proc proc $r/proc
must mount -t sysfs sys $r/sys
must mount -t devtmpfs dev $r/dev
must mkdir -p $r/dev/pts $r/dev/shm
must mount -t devpts devpts $r/dev/pts
must mount -t tmpfs shm $r/dev/shm
must mount -t tracefs tracefs $r/sys/kernel/tracing
must mount -t debugfs debugfs $r/sys/kernel/debug
must mount -t bpf bpf $r/sys/fs/bpf
must mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
# /tmp is writable but still shows the host's /tmp (a checkout may live
# there): an overlay of a tmpfs on the read-only 9p /tmp.
must mount -t tmpfs scratch /scratch
must mkdir -p /scratch/tmp /scratch/work
must chmod 1777 /scratch/tmp
must mount -t overlay -o lowerdir=$r/tmp,upperdir=/scratch/tmp,workdir=/scratch/work overlay $r/tmp
must mount -t tmpfs run $r/run
must mkdir -p $r/run/netns $r/run/vmtest
must mount --bind /results $r/run/vmtest
must ip link set lo up
hostname vmtest

echo "vmtest: guest ready after $(cut -d' ' -f1 /proc/uptime)s on kernel $(uname -r)"
chroot $r /bin/sh /run/vmtest/cmd.sh
rc=$?
echo "$rc" >/results/status
sync
umount /results
poweroff -f
