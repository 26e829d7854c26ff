#!/usr/bin/env bash
# Downloads Debian's current kernel package (linux-image-amd64's
# dependency) and extracts it under DIR.  Never installs it on the host.
# DIR/vmlinuz, DIR/modules (the lib/modules/VERSION tree), DIR/config and
# DIR/version are the stable names the rest of the build uses.
set -euo pipefail
dir=${1:?usage: fetch-kernel.sh DIR}

dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }') || true
if [[ -z $dep ]]; then
	apt-get update -q >/dev/null
	dep=$(apt-cache depends linux-image-amd64 |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
[[ -n $dep ]] || { echo "fetch-kernel: cannot resolve linux-image-amd64" >&2; exit 1; }

mkdir -p "$dir/deb"
if ! ls "$dir/deb/${dep}_"*.deb >/dev/null 2>&1; then
	echo "fetch-kernel: downloading $dep"
	(cd "$dir/deb" && apt-get download -q "$dep" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
fi
deb=$(ls "$dir/deb/${dep}_"*.deb | tail -n1)
[[ -f $deb ]] || { echo "fetch-kernel: download of $dep failed" >&2; exit 1; }

rm -rf "$dir/root"
dpkg-deb -x "$deb" "$dir/root"
ver=${dep#linux-image-}
ln -sfn "root/boot/vmlinuz-$ver" "$dir/vmlinuz"
ln -sfn "root/boot/config-$ver" "$dir/config"
ln -sfn "root/lib/modules/$ver" "$dir/modules"
# The package ships no modules.dep (depmod runs at install): make it here.
depmod -b "$dir/root" "$ver"
echo "$ver" > "$dir/version"
touch "$dir/.stamp"
echo "fetch-kernel: $ver in $dir"
