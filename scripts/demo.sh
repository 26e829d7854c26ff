#!/usr/bin/env bash
# `make demo`: runs a container from the embedded busybox bundle in its own
# KVM micro-VM through `kvmc run`, and prints its output.  Runs where
# /dev/kvm works (make demo wraps it in tests/kvmhost/run otherwise).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /run/kvmc-demo.XXXXXX 2>/dev/null || mktemp -d /tmp/kvmc-demo.XXXXXX)
root=$work/state
cleanup() {
	"$top/build/kvmc" --root "$root" delete --force kvmc-demo >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/mkbundle.sh" "$work/bundle" "$@"
export KVMC_CONFIG=${KVMC_CONFIG:-$top/build/kvmc.conf}
echo "demo: kvmc run --bundle $work/bundle kvmc-demo (config $KVMC_CONFIG)"
"$top/build/kvmc" --root "$root" run --bundle "$work/bundle" kvmc-demo
