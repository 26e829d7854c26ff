#!/bin/busybox sh
# /init of the 9p test guest (see p9-guest.sh).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m.ko 2>/dev/null
done

# Every fid holds descriptors, and with cache=mmap the client keeps a fid
# (or two) per file it has seen: the default 4096 is far too few.
ulimit -n 1048576

arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
mode=$(arg p9mode)
n=$(arg p9n)
tag=$(arg p9tag)
rotag=$(arg p9rotag)
caches=$(arg p9cache | tr , ' ')

# Guest-side escape attempts: each must fail; the host checks its side.
escapes() {
	m=$1
	fail=0
	mknod "$m/esc-null" c 1 3 2>/dev/null && { echo "mknod c succeeded"; fail=1; }
	mknod "$m/esc-sda" b 8 0 2>/dev/null && { echo "mknod b succeeded"; fail=1; }
	ln -s / "$m/esc-root" && ls "$m/esc-root/" >/dev/null
	cat "$m/hostlink/secret" 2>/dev/null && { echo "host link followed"; fail=1; }
	ls "$m/../" >/dev/null
	mkdir "$m/esc-dir" && ln -s ../../../../.. "$m/esc-dir/up" &&
		touch "$m/esc-dir/up/esc-planted" 2>/dev/null
	return $fail
}

# bench/9p: the workloads on the share, one "bench ..." line each.
if [ "$mode" = bench ]; then
	mkdir -p /mnt/p9
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=${caches:-none} \
		"$tag" /mnt/p9 || echo "bench: mount failed"
	mkdir -p /mnt/p9/bench
	p9-bench seqwrite /mnt/p9/bench "$(arg p9mib)"
	echo 3 > /proc/sys/vm/drop_caches
	p9-bench seqread /mnt/p9/bench
	p9-bench randread /mnt/p9/bench "$(arg p9ops)"
	p9-bench meta /mnt/p9/bench "$(arg p9files)"
	p9-bench tree /mnt/p9/bench "$(arg p9tree)"
	echo 3 > /proc/sys/vm/drop_caches
	p9-bench lsR /mnt/p9/bench
	rm -rf /mnt/p9/bench
	umount /mnt/p9
	caches=
	mode=done
fi

for cache in ${caches:-none}; do
	[ "$mode" = done ] && break
	rm -rf /run/plain
	mkdir -p /run/plain /mnt/p9
	opts=version=9p2000.L,cache=$cache
	case $mode in
	fd)
		rm -rf /run/export && mkdir -p /run/export
		p9-serve /run/export -- mount -t 9p \
			-o trans=fd,rfdno=3,wfdno=3,msize=262144,$opts none /mnt/p9
		;;
	virtio)
		mount -t 9p -o trans=virtio,msize=512000,$opts "$tag" /mnt/p9
		;;
	esac
	if ! grep -q " /mnt/p9 9p " /proc/mounts; then
		echo "P9TEST $cache FAIL: mount"
		continue
	fi
	mkdir /mnt/p9/b-$cache
	# Each step's name on the console as it ends: a hang shows where.
	posix-battery.sh /mnt/p9/b-$cache "$n" 2>&1 | tee /run/out.9p |
		cut -c1-40 | sed "s/^/9p-step-$cache: /"
	posix-battery.sh /run/plain "$n" > /run/out.plain 2>&1
	# v9fs without a page cache refuses shared writable mappings.
	if [ "$cache" = none ]; then
		sed -i '/^probe-mmap:/d' /run/out.plain /run/out.9p
	fi
	xres=
	if [ "$mode" = virtio ]; then
		# kvmc-vmm's sandbox keeps no CAP_SYS_ADMIN (docs/sandbox.md),
		# so guest root cannot set trusted.* on the host, as root in a
		# runc container with Docker's default capabilities cannot: the
		# probe must see EPERM there, not what the guest's tmpfs allows.
		# (xattrs that succeed over 9p: p9-fd.bats, the unit tests.)
		x=$(grep '^probe-xattr:' /run/out.9p)
		case $x in
		"probe-xattr: setxattr: Operation not permitted|"*"getxattr removed: No data available rc=0") ;;
		*) xres=FAIL; echo "xattr under the sandbox: want EPERM, got: $x" ;;
		esac
		sed -i '/^probe-xattr:/d' /run/out.plain /run/out.9p
	fi
	if diff -u /run/out.plain /run/out.9p > /run/diff && [ -z "$xres" ]; then
		res=PASS
	else
		res=FAIL
		cat /run/diff
	fi
	sed "s/^/9p-$cache: /" /run/out.9p
	escapes /mnt/p9 || res=FAIL
	echo "P9TEST $cache $res"
	rm -rf /mnt/p9/b-$cache
	umount /mnt/p9
done
# A read-only share (virtio): reads work, every modification is EROFS.
if [ -n "$rotag" ]; then
	mkdir -p /mnt/ro
	res=PASS
	if mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 \
		"$rotag" /mnt/ro; then
		[ "$(cat /mnt/ro/file)" = readonly ] || { echo "ro: read"; res=FAIL; }
		for op in "touch /mnt/ro/new" "mkdir /mnt/ro/d" "rm /mnt/ro/file" \
			"chmod 777 /mnt/ro/file" "ln -s x /mnt/ro/l" \
			"mv /mnt/ro/file /mnt/ro/moved" "truncate -s 0 /mnt/ro/file"; do
			out=$($op 2>&1) && { echo "ro: $op succeeded"; res=FAIL; }
			case $out in
			*"Read-only file system"*) ;;
			*) echo "ro: $op: $out"; res=FAIL ;;
			esac
		done
		(echo x >> /mnt/ro/file) 2>/dev/null && { echo "ro: append"; res=FAIL; }
		umount /mnt/ro
	else
		res=FAIL
	fi
	echo "P9TEST ro $res"
fi
echo P9TEST-END
sync
# Through the i8042 reset line: kvmc-vmm (reboot=k) and QEMU (-no-reboot)
# both end there.
reboot -f
