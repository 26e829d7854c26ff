#!/usr/bin/env bats
# kvmc-agent in a VM, driven over the two hyperstart ports by
# build/tests/hyper-client.  Each test boots its own VM with a busybox
# container rootfs exported over 9p.
#
# The VMM is build/kvmc-vmm (ports as unix sockets, --port, and 9p shares,
# --share); KVMC_AGENT_VMM=qemu uses QEMU's virtio-serial and virtio-9p
# instead (KVMC_AGENT_ACCEL=kvm|tcg, default kvm), which checks the agent
# against a second, independent implementation of the devices.
#
# Needs: make bins tools guest (build/kvmc-agent, build/tests/hyper-client,
# build/guest/vmlinuz) and busybox-static.  Run as root.

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VMM=${KVMC_AGENT_VMM:-kvmc}
# Generous: the test host may be nested and emulated (see docs).
TIMEOUT=${KVMC_AGENT_TIMEOUT:-180}

setup_file() {
	local f
	for f in build/kvmc-agent build/tests/hyper-client build/guest/vmlinuz; do
		[[ -x $ROOT/$f || -f $ROOT/$f ]] || {
			echo "missing $f: run make bins tools guest" >&2
			return 1
		}
	done
	if [[ $VMM == kvmc && ! -x $ROOT/build/kvmc-vmm ]]; then
		echo "missing build/kvmc-vmm (or set KVMC_AGENT_VMM=qemu)" >&2
		return 1
	fi
	export AGENT_TMP
	AGENT_TMP=$(mktemp -d /tmp/kvmc-agent-it.XXXXXX)
	"$ROOT/guest/mkinitrd.sh" "$ROOT/build/kvmc-agent" "$ROOT/build/kernel" \
		"$AGENT_TMP/initrd.img"
	make_rootfs "$AGENT_TMP/share/rootfs"
	mkdir -p "$AGENT_TMP/share/vol"
	echo "from the volume" > "$AGENT_TMP/share/vol/file"
	echo "# agent tests: VMM $VMM, timeouts ${TIMEOUT}s per step" >&3
}

teardown_file() {
	[[ -n ${AGENT_TMP:-} ]] && rm -rf "$AGENT_TMP"
}

make_rootfs() {
	local r=$1 c
	mkdir -p "$r"/{bin,etc,tmp,root,home/alice}
	install -m 0755 /bin/busybox "$r/bin/busybox"
	for c in sh echo cat env pwd id stty sleep true false kill ls head hostname touch ip wc; do
		ln -sf busybox "$r/bin/$c"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'alice:x:1000:1000:alice:/home/alice:/bin/sh' > "$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'alice:x:1000:' 'staff:x:50:alice' \
		'audio:x:29:' > "$r/etc/group"
	printf '#!/bin/sh\necho not executable\n' > "$r/bin/noexec"
	chmod 0644 "$r/bin/noexec"
}

# Boots a VM in the background; its exit status lands in $D/vmm.status.
boot() {
	D=$(mktemp -d "$AGENT_TMP/vm.XXXXXX")
	if [[ $VMM == qemu ]]; then
		( timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel "${KVMC_AGENT_ACCEL:-kvm}" \
			-m 512 -smp 1 -nographic -no-reboot \
			-kernel "$ROOT/build/guest/vmlinuz" -initrd "$AGENT_TMP/initrd.img" \
			-append "console=ttyS0 reboot=k panic=-1" \
			-device virtio-serial-pci,id=vs0 \
			-chardev socket,id=c0,path="$D/ctl.sock",server=on,wait=off \
			-device virtserialport,bus=vs0.0,chardev=c0,name=sh.hyper.channel.0 \
			-chardev socket,id=c1,path="$D/stream.sock",server=on,wait=off \
			-device virtserialport,bus=vs0.0,chardev=c1,name=sh.hyper.channel.1 \
			-fsdev local,id=fs0,path="$AGENT_TMP/share",security_model=passthrough \
			-device virtio-9p-pci,fsdev=fs0,mount_tag=share0 \
			-netdev user,id=n0,restrict=on \
			-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:01 \
			> "$D/console.log" 2>&1; echo $? > "$D/vmm.status" ) &
	else
		# kvmc-vmm's default command line (reboot=k panic=-1 ...).
		( timeout -k 10 "$TIMEOUT" "$ROOT/build/kvmc-vmm" \
			--kernel "$ROOT/build/guest/vmlinuz" \
			--initrd "$AGENT_TMP/initrd.img" \
			--port "sh.hyper.channel.0=unix:$D/ctl.sock" \
			--port "sh.hyper.channel.1=unix:$D/stream.sock" \
			--share "share0=$AGENT_TMP/share" ${NIC:+--net "$NIC"} \
			> "$D/console.log" 2>&1; echo $? > "$D/vmm.status" ) &
	fi
	VM_PID=$!
}

# Runs a hyper-client script (stdin) against the VM.
client() {
	"$ROOT/build/tests/hyper-client" --timeout "$TIMEOUT" \
		"$D/ctl.sock" "$D/stream.sock"
}

# Ends the VM through DESTROYPOD if a test left it running.
teardown() {
	if [[ -n ${VM_PID:-} ]] && kill -0 "$VM_PID" 2>/dev/null; then
		printf 'ack DESTROYPOD\n' | client >/dev/null 2>&1
		wait "$VM_PID"
	fi
	[[ -n ${TAP:-} ]] && ip link del "$TAP" 2>/dev/null
	TAP=
	if [[ -n ${D:-} && -f $D/console.log ]]; then
		echo "--- console (last lines) ---"
		tail -n 20 "$D/console.log"
	fi
}

start_pod='ack STARTPOD {"hostname":"kvmc-test","shareDir":"share0"}'

@test "agent: READY, GETVERSION, echo hi exits 0, DESTROYPOD ends the VMM with status 0" {
	boot
	run client <<-EOF
		ready
		ack GETVERSION
		ack PING
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["echo","hi"],"stdio":1,"stderr":2}}
		out 1
		out 2
		exit c1 init
		ack DESTROYPOD
		gone
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"ACK 4244"* ]]
	[[ $output == *'out 1 "hi\n"'* ]]
	[[ $output == *'out 2 ""'* ]]
	[[ $output == *"exit c1 init 0"* ]]
	wait "$VM_PID"
	[ "$(cat "$D/vmm.status")" -eq 0 ]
}

@test "agent: exit statuses 1, 137 (SIGKILL), 126 and 127" {
	boot
	run client <<-EOF
		ready
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["sh","-c","exit 1"],"stdio":1}}
		exit c1 init
		ack NEWCONTAINER {"id":"c2","rootfs":"rootfs","process":{"args":["sleep","1000"],"stdio":3}}
		ack EXECCMD {"container":"c2","process":{"id":"self","args":["sh","-c","kill -9 \$\$"],"stdio":9}}
		exit c2 self
		ack KILLCONTAINER {"container":"c2","signal":9}
		exit c2 init
		ack NEWCONTAINER {"id":"c3","rootfs":"rootfs","process":{"args":["/bin/noexec"],"stdio":5,"stderr":6}}
		exit c3 init
		out 6
		ack NEWCONTAINER {"id":"c4","rootfs":"rootfs","process":{"args":["no-such-cmd"],"stdio":7,"stderr":8}}
		exit c4 init
		out 8
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit c1 init 1"* ]]
	[[ $output == *"exit c2 self 137"* ]]
	[[ $output == *"exit c2 init 137"* ]]
	[[ $output == *"exit c3 init 126"* ]]
	[[ $output == *"exit c4 init 127"* ]]
	[[ $output == *"out 8 "*"not found"* ]]
}

@test "agent: env exactly, PATH default, cwd created, user and additional groups by name and number" {
	boot
	run client <<-EOF
		ready
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["sh","-c","env | sort; pwd; id"],"stdio":1,"envs":[{"env":"FOO","value":"bar baz"}],"workdir":"/made/here","user":"alice","additionalGroups":["staff","29","7"]}}
		out 1
		exit c1 init
		ack NEWCONTAINER {"id":"c2","rootfs":"rootfs","process":{"args":["id"],"stdio":3,"user":"1234","group":"staff"}}
		out 3
		exit c2 init
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'FOO=bar baz\n'* ]]
	[[ $output == *'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'* ]]
	[[ $output == *'HOME=/home/alice\n'* ]]
	[[ $output == *'/made/here\n'* ]]
	[[ $output == *'uid=1000(alice) gid=1000(alice) groups=7,29(audio),50(staff)'* ]]
	[[ $output == *'uid=1234 gid=50(staff)'* ]]
	[[ $output == *"exit c1 init 0"* ]]
	# Nothing but FOO, PATH, HOME (and busybox's own PWD/SHLVL).
	[[ $output != *'TERM='* ]]
}

@test "agent: hostname, dns, sysctl, and a read-only fsmap bind" {
	boot
	run client <<-EOF
		ready
		ack STARTPOD {"hostname":"kvmc-test","shareDir":"share0","dns":["192.0.2.53"]}
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","fsmap":[{"source":"vol","path":"/data/vol","readOnly":true}],"sysctl":{"kernel.domainname":"kvmc-dom"},"process":{"args":["sh","-c","hostname; cat /etc/resolv.conf /proc/sys/kernel/domainname /data/vol/file; touch /data/vol/x 2>/dev/null || echo read-only"],"stdio":1}}
		out 1
		exit c1 init
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'out 1 "kvmc-test\nnameserver 192.0.2.53\nkvmc-dom\nfrom the volume\nread-only\n"'* ]]
	[[ $output == *"exit c1 init 0"* ]]
	[ ! -e "$AGENT_TMP/share/vol/x" ]
}

@test "agent: stdin piped, then EOF ends cat" {
	boot
	run client <<-EOF
		ready
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["cat"],"stdio":1}}
		stdin 1 hello\n
		wait-text 1 hello
		stdin 1 world\n
		eof 1
		out 1
		exit c1 init
		ack NEWCONTAINER {"id":"c2","rootfs":"rootfs","process":{"args":["cat"],"stdio":3,"stdin":false}}
		out 3
		exit c2 init
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'out 1 "hello\nworld\n"'* ]]
	[[ $output == *"exit c1 init 0"* ]]
	[[ $output == *'out 3 ""'* ]]
	[[ $output == *"exit c2 init 0"* ]]
}

# The process starts reading late and the client stops reading for a while,
# so the agent's 1 MiB stdin and output limits are reached.
@test "agent: 3 MB through stdin and 3 MB of output arrive whole (back-pressure both ways)" {
	boot
	run client <<-EOF
		ready
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["sh","-c","sleep 2; wc -c"],"stdio":1}}
		stdin-bytes 1 3000000
		eof 1
		out 1
		exit c1 init
		ack NEWCONTAINER {"id":"c2","rootfs":"rootfs","process":{"args":["head","-c","3000000","/dev/zero"],"stdio":3}}
		sleep 3000
		count 3
		exit c2 init
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'out 1 "3000000\n"'* ]]
	[[ $output == *"count 3 3000000"* ]]
	[[ $output == *"exit c2 init 0"* ]]
}

@test "agent: terminal process sees WINSIZE through stty size" {
	boot
	run client <<-EOF
		ready
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"terminal":true,"args":["sh","-c","stty size; read x; stty size; test -t 0 && echo tty"],"stdio":1}}
		wait-text 1 24 80
		ack WINSIZE {"seq":1,"row":33,"column":101}
		stdin 1 go\n
		wait-text 1 33 101
		out 1
		exit c1 init
		error WINSIZE {"seq":99,"row":1,"column":1}
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"33 101"* ]]
	[[ $output == *'tty\r\n'* ]]
	[[ $output == *"exit c1 init 0"* ]]
}

@test "agent: an exec'd process is signalled with SIGTERM; KILLCONTAINER; REMOVECONTAINER" {
	boot
	run client <<-EOF
		ready
		$start_pod
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["sleep","1000"],"stdio":1}}
		ack EXECCMD {"container":"c1","process":{"id":"e1","args":["sh","-c","trap 'echo got TERM; exit 3' TERM; echo armed; while :; do sleep 1; done"],"stdio":3}}
		wait-text 3 armed
		ack EXECCMD {"container":"c1","process":{"id":"e0","args":["cat","/proc/1/comm"],"stdio":11}}
		out 11
		exit c1 e0
		error SIGNALPROCESS {"container":"c1","process":"nope","signal":15}
		error EXECCMD {"container":"c1","process":{"id":"e1","args":["true"],"stdio":9}}
		error REMOVECONTAINER {"container":"c1"}
		ack SIGNALPROCESS {"container":"c1","process":"e1","signal":15}
		out 3
		exit c1 e1
		ack KILLCONTAINER {"container":"c1","signal":9}
		exit c1 init
		ack REMOVECONTAINER {"container":"c1"}
		error REMOVECONTAINER {"container":"c1"}
		error EXECCMD {"container":"c1","process":{"id":"e2","args":["true"],"stdio":5}}
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["true"],"stdio":7}}
		exit c1 init
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'out 3 "armed\ngot TERM\n"'* ]]
	# The container's /proc shows its own pid namespace.
	[[ $output == *'out 11 "sleep\n"'* ]]
	[[ $output == *"exit c1 e1 3"* ]]
	[[ $output == *"exit c1 init 137"* ]]
	[[ $output == *"exit c1 init 0"* ]]
}

@test "agent: garbage gets ERROR and the agent still answers PING" {
	boot
	run client <<-EOF
		ready
		error 999
		error FINISHPOD_DEPRECATED
		error NEWCONTAINER {not json
		error NEWCONTAINER []
		error NEWCONTAINER {"id":"../../x","process":{"args":["true"],"stdio":1}}
		error NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["true"],"stdio":1}}
		error EXECCMD {"container":"ghost","process":{"id":"e","args":["true"],"stdio":1}}
		error KILLCONTAINER {"container":"ghost","signal":9}
		error WINSIZE {}
		raw-error 0000000c00000003
		raw-error 0000000600000010deadbeef00ff00ff
		ack PING
		$start_pod
		error STARTPOD {"hostname":"again"}
		ack PING
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"ERROR command 999: not supported"* ]]
	[[ $output == *"ERROR payload: malformed JSON"* ]]
	[[ $output == *"no shareDir"* ]]
	[[ $output == *"container ghost: not found"* ]]
}

@test "agent: SETUPINTERFACE by MAC with address and MTU, SETUPROUTE default" {
	# A NIC with a known MAC: QEMU's user network, or for kvmc-vmm a tap
	# of the test's own (nothing behind it: the agent only configures it).
	if [[ $VMM == kvmc ]]; then
		TAP=kvmcagt$$
		ip tuntap add dev "$TAP" mode tap vnet_hdr
		NIC="tap=$TAP,mac=02:00:00:00:00:01"
	fi
	boot
	NIC=
	run client <<-EOF
		ready
		$start_pod
		ack SETUPINTERFACE {"macAddr":"02:00:00:00:00:01","newDeviceName":"eth7","ipAddresses":[{"ipAddress":"192.0.2.15","netMask":"255.255.255.0"}],"mtu":"1400"}
		ack SETUPROUTE {"routes":[{"dest":"default","gateway":"192.0.2.1"},{"dest":"198.51.100.0/24","device":"eth7"}]}
		error SETUPINTERFACE {"macAddr":"02:00:00:00:00:99"}
		error SETUPROUTE {"routes":[{"dest":"default","gateway":"not-an-ip"}]}
		ack NEWCONTAINER {"id":"c1","rootfs":"rootfs","process":{"args":["sh","-c","ip addr show eth7; ip route"],"stdio":1}}
		out 1
		exit c1 init
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"eth7: <"*"UP"*"mtu 1400"* ]]
	[[ $output == *"inet 192.0.2.15/24"* ]]
	[[ $output == *"default via 192.0.2.1 dev eth7"* ]]
	[[ $output == *"198.51.100.0/24 dev eth7"* ]]
}
