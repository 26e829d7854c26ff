#!/bin/sh
# POSIX battery for a shared directory: runs the same operations in DIR
# and prints one line per result, free of inode numbers and clocks, so a
# run on a 9p mount diffs clean against a run on a local directory.
# Needs only busybox sh and its applets; posix-probe (tests/tools), when on
# PATH, adds locks, mmap, xattrs, open-unlink-fstat, utimensat, sparse I/O.
#
#   posix-battery.sh DIR [NFILES]    (NFILES for the big readdir, 10000)
set -u
d=$1
n=${2:-10000}
cd "$d" || { echo "battery: cannot cd to $d"; exit 1; }

# r NAME CMD...: one line, the output with newlines as '|', and the status.
r() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s: %s rc=%d\n' "$name" "$(printf '%s' "$out" | tr '\n' '|')" "$rc"
}
# Directory sizes differ between file systems: only files show theirs.
export ST='%n %F mode=%a size=%s links=%h uid=%u gid=%g'
export SD='%n %F mode=%a links=%h uid=%u gid=%g'

# create / read / write / append / truncate
r create sh -c 'echo hello > f && cat f'
r append sh -c 'echo world >> f && cat f'
r overwrite sh -c 'printf XY | dd of=f bs=1 seek=2 conv=notrunc 2>/dev/null; cat f'
r truncate-shrink sh -c 'truncate -s 3 f && cat f && stat -c "$ST" f'
r truncate-grow sh -c 'truncate -s 100000 f && stat -c "$ST" f'
r big-write sh -c 'dd if=/dev/zero bs=65536 count=64 2>/dev/null | tr "\0" a > big && stat -c "$ST" big && md5sum < big'
r big-read sh -c 'cat big | wc -c'
r sparse-dd sh -c 'dd if=/dev/zero of=sp bs=1 count=1 seek=5368709120 2>/dev/null; stat -c "$ST" sp'

# names
r mkdir sh -c 'mkdir -p a/b/c && stat -c "$SD" a a/b a/b/c'
r rename sh -c 'mv f a/g && ls a && stat -c "$ST" a/g'
r rename-dir sh -c 'mv a/b a/bb && ls a a/bb'
r rename-over sh -c 'echo 1 > x1 && echo 2 > x2 && mv x1 x2 && cat x2 && ls x1'
r link sh -c 'ln a/g hard && stat -c "$ST" hard a/g'
r symlink sh -c 'ln -s a/g soft && readlink soft && cat soft | wc -c'
r symlink-dangling sh -c 'ln -s /nowhere/at/all dang && readlink dang && cat dang'
r symlink-dir sh -c 'ln -s a/bb sdir && ls sdir/ && ls -d sdir/c'
r unlink sh -c 'rm hard && stat -c "$ST" a/g && ls hard'
r rmdir-nonempty sh -c 'rmdir a/bb'
r rmdir sh -c 'rmdir a/bb/c && rmdir a/bb && ls a'
r long-name sh -c 'touch $(printf "%0255d" 0) && ls | grep -c 00000; touch $(printf "%0256d" 0)'
r odd-names sh -c 'touch -- " sp ace" "new
line" "tab	x" "-dash" && ls | wc -l'

# attributes
r chmod sh -c 'chmod 0751 a/g && stat -c "$ST" a/g && chmod 4755 a/g && stat -c "$ST" a/g'
r chown sh -c 'chown 1234:5678 a/g && stat -c "$ST" a/g'
r touch-date sh -c 'touch -d "2001-02-03 04:05:06" a/g && stat -c %Y a/g'
r mkfifo sh -c 'mkfifo p && stat -c "$ST" p && (echo through > p &) && cat p'
r statfs sh -c 'stat -f -c "namelen=%l" .'

# readdir: many entries, listed whole and compared
mkdir many
r readdir-create sh -c "cd many && seq 1 $n | sed 's/^/entry-/' | xargs touch && ls | wc -l"
r readdir-list sh -c 'ls many | sort | md5sum'
r readdir-remove sh -c "cd many && seq 1 2 $n | sed 's/^/entry-/' | xargs rm && ls | wc -l"
r readdir-find sh -c 'find many -type f | wc -l'

# what needs system calls busybox does not make
if command -v posix-probe >/dev/null 2>&1; then
	for t in locks mmap unlinked xattr utimens sparse; do
		r "probe-$t" posix-probe "$t" "probe-$t"
	done
else
	echo "probe: skipped (no posix-probe)"
fi

# the tree at the end
r tree sh -c 'ls -la . a | awk "NF >= 9 && \$9 != \"..\" { s = \$1 ~ /^d/ ? \"-\" : \$5; print \$1, \$3, \$4, s, \$9, \$10, \$11 }"'
