# shellcheck shell=bash
# timeout_diag SECS CMD...: runs CMD like timeout(1) (exit 124 when it
# had to be stopped), but before stopping it prints, on stderr, what each
# thread of CMD and of its children was doing: name, state, kernel wait
# channel, the syscall it sits in (/proc/TID/syscall) and its kernel
# stack.  A VM that hangs in a test then says where, instead of only that
# it timed out.
timeout_diag() {
	local secs=$1 pid waited=0 rc p t
	shift
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if ((waited >= secs)); then
			echo "timeout_diag: '$1' still running after ${secs}s; its threads:" >&2
			for p in $pid $(pgrep -P "$pid"); do
				for t in /proc/"$p"/task/*; do
					[[ -d $t ]] || continue
					printf 'timeout_diag: pid %s tid %s %s state %s wchan %s syscall %s\n' \
						"$p" "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
						"$(awk '{ print $3 }' "$t/stat" 2>/dev/null)" \
						"$(cat "$t/wchan" 2>/dev/null)" \
						"$(cat "$t/syscall" 2>/dev/null)" >&2
					sed 's/^/timeout_diag:   /' "$t/stack" >&2 2>/dev/null
				done
			done
			kill -TERM "$pid" 2>/dev/null
			sleep 10
			kill -KILL "$pid" 2>/dev/null
			wait "$pid"
			return 124
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$pid"
	rc=$?
	return $rc
}
