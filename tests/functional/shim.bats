#!/usr/bin/env bats
# kvmc-shim's command line: bad options are named, and a proxy that never
# appears ends the shim after --connect-timeout with the VM-gone status.

load kvmc_helpers

setup() {
	kvmc_setup
	SHIM=$(dirname "$KVMC")/kvmc-shim
}
teardown() { kvmc_teardown; }

@test "kvmc-shim: a bad --connect-timeout, --stdio or --ready-fd is named, status 125" {
	run "$SHIM" --proxy "$TMP/p.sock" --container c --process init --stdio 1 --connect-timeout 0
	[ "$status" -eq 125 ]
	[[ $output == *"--connect-timeout: '0' is not a number of seconds"* ]]
	run "$SHIM" --proxy "$TMP/p.sock" --container c --process init --stdio 1 --connect-timeout 9x
	[ "$status" -eq 125 ]
	[[ $output == *"--connect-timeout: '9x'"* ]]
	run "$SHIM" --proxy "$TMP/p.sock" --container c --process init --stdio zero
	[ "$status" -eq 125 ]
	[[ $output == *"--stdio: 'zero' is not a stream number"* ]]
	run "$SHIM" --proxy "$TMP/p.sock" --container c --process init --stdio 1 --ready-fd 1
	[ "$status" -eq 125 ]
	[[ $output == *"--ready-fd: '1' is not a descriptor"* ]]
	run "$SHIM" --container c --process init --stdio 1
	[ "$status" -eq 125 ]
	[[ $output == *"--proxy, --container, --process and --stdio are required"* ]]
}

@test "kvmc-shim: no proxy socket within --connect-timeout: the socket named, status 137" {
	run timeout 60 "$SHIM" --proxy "$TMP/none/p.sock" --container c --process init \
		--stdio 1 --connect-timeout 1
	echo "$output"
	[ "$status" -eq 137 ]
	[[ $output == *"$TMP/none/p.sock"* ]]
}
