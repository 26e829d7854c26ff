#!/usr/bin/env bash
# Makes an OCI bundle whose rootfs is Debian's busybox-static: the
# embedded default image of `make demo` and of the integration tests.
#   mkbundle.sh DIR [ARG...]     process.args = ARG... (default: a greeting)
# DIR should be on a tmpfs when the bundle is exported from inside the test
# host (its 9p root cannot hold fifos or sockets).
set -euo pipefail
dir=${1:?usage: mkbundle.sh DIR [ARG...]}
shift
bb=/bin/busybox
[[ -x $bb ]] && "$bb" --list >/dev/null 2>&1 ||
	{ echo "mkbundle: $bb (busybox-static) is missing: run 'make deps'" >&2; exit 1; }
file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$bb" 2>&1 | grep -q 'not a dynamic executable' ||
	{ echo "mkbundle: $bb is not static: install busybox-static" >&2; exit 1; }

(( $# )) || set -- sh -c 'echo "Hello from a kvmc VM: $(uname -sr), $(nproc) CPU(s)"'

root=$dir/rootfs
# MKBUNDLE_TEMPLATE=DIR: copy DIR/rootfs (a bundle this script made)
# instead of building it: one cp instead of one ln per applet, which is
# most of a bundle's cost in the emulated test host (about 40 s loaded).
if [[ -n ${MKBUNDLE_TEMPLATE:-} ]]; then
	mkdir -p "$dir"
	cp -a "$MKBUNDLE_TEMPLATE/rootfs" "$root"
else
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,run,var/tmp,home}
	cp "$bb" "$root/bin/busybox"
	for a in $("$bb" --list); do
		[[ $a == busybox ]] || ln -sf busybox "$root/bin/$a"
	done
	chmod 1777 "$root/tmp" "$root/var/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nuser:x:1000:1000:user:/home:/bin/sh\n' > "$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\nuser:x:1000:\nextra:x:2000:user\n' > "$root/etc/group"
fi

json_args=
for a in "$@"; do
	a=${a//\\/\\\\}; a=${a//\"/\\\"}
	json_args+="${json_args:+, }\"$a\""
done
cat > "$dir/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ $json_args ],
		"env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" ],
		"cwd": "/",
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs", "readonly": false },
	"hostname": "kvmc",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
	],
	"linux": {
		"namespaces": [ { "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ]
	}
}
JSON
