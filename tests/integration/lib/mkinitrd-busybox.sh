#!/usr/bin/env bash
# mkinitrd-busybox.sh OUT INIT_SCRIPT: a gzip'd cpio with busybox-static
# and INIT_SCRIPT as /init (run by busybox sh), for VMM boot tests.
set -euo pipefail
out=${1:?usage: mkinitrd-busybox.sh OUT INIT_SCRIPT}
init=${2:?usage: mkinitrd-busybox.sh OUT INIT_SCRIPT}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
cp /bin/busybox "$d/bin/busybox"
{ echo '#!/bin/busybox sh'; echo '/bin/busybox --install -s /bin'; cat "$init"; } > "$d/init"
chmod +x "$d/init"
(cd "$d" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
