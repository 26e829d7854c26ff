#!/usr/bin/env bash
# Prints the uncompressed vmlinux ELF inside a bzImage, found through the
# boot protocol's setup header (payload_offset/payload_length, 2.08+), for
# booting through PVH.
set -euo pipefail
img=${1:?usage: extract-vmlinux.sh BZIMAGE}

u8()  { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

[[ $(od -An -c -j 0x202 -N4 "$img" | tr -d ' ') == HdrS ]] ||
	{ echo "extract-vmlinux: $img: not a bzImage" >&2; exit 1; }
setup_sects=$(u8 "$img" $((0x1f1)))
(( setup_sects == 0 )) && setup_sects=4
off=$(( (setup_sects + 1) * 512 + $(u32 "$img" $((0x248))) ))
len=$(u32 "$img" $((0x24c)))
magic=$(od -An -tx1 -j "$off" -N4 "$img" | tr -d ' ')
case $magic in
fd377a58) dec=(xz -dc) ;;
28b52ffd) dec=(zstd -dc) ;;
1f8b*)    dec=(gzip -dc) ;;
*) echo "extract-vmlinux: $img: unknown payload compression ($magic)" >&2; exit 1 ;;
esac
# Decompressors stop at the stream's end; trailing bytes (the size word)
# make some complain, so only their output counts: it must be ELF.
tail -c +$((off + 1)) "$img" | head -c "$len" | "${dec[@]}" 2>/dev/null > /dev/stdout || true
