#!/usr/bin/env bash
# Checks that every option of a kconfig fragment survived into a final
# .config: Kconfig silently drops a value whose dependencies are not met,
# and a kernel without, say, 9p would only fail at boot.
#
#   scripts/kconfig-check.sh FRAGMENT CONFIG
#
# A `CONFIG_X=V` line needs the same line in CONFIG; a `# CONFIG_X is not
# set` line needs X unset there (absent or "is not set").  Each dropped
# option is named on stderr with its fragment line; exit status 1 then.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 FRAGMENT CONFIG" >&2
	exit 2
fi
frag=$1 conf=$2
for f in "$frag" "$conf"; do
	[[ -r $f ]] || { echo "$0: $f: cannot read" >&2; exit 2; }
done

declare -A have=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		have[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	fi
done < "$conf"

bad=0 n=0 checked=0
while IFS= read -r line; do
	n=$((n + 1))
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		sym=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		checked=$((checked + 1))
		if [[ -z ${have[$sym]+set} ]]; then
			echo "kconfig-check: $frag:$n: $sym=$want was dropped (not set in $conf: a dependency is missing)" >&2
			bad=1
		elif [[ ${have[$sym]} != "$want" ]]; then
			echo "kconfig-check: $frag:$n: $sym=$want became $sym=${have[$sym]} in $conf" >&2
			bad=1
		fi
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		sym=${BASH_REMATCH[1]}
		checked=$((checked + 1))
		if [[ -n ${have[$sym]+set} ]]; then
			echo "kconfig-check: $frag:$n: $sym should be off but is $sym=${have[$sym]} in $conf (something selects it)" >&2
			bad=1
		fi
	elif [[ $line =~ ^[[:space:]]*(#.*)?$ ]]; then
		continue
	else
		echo "kconfig-check: $frag:$n: not a kconfig line: $line" >&2
		bad=1
	fi
done < "$frag"

if (( checked == 0 )); then
	echo "kconfig-check: $frag: no options" >&2
	exit 1
fi
exit $bad
