# bench/density/smaps.awk: one JSON object of a process's memory (KiB)
# from its /proc/PID/smaps.
#   awk -v guest_kib=K -f smaps.awk /proc/PID/smaps
# With guest_kib > 0, the anonymous mappings of at least 15/16 of it are
# the guest's RAM: "guest_rss_kib" (the guest pages touched) and
# "guest_size_kib"; every "own_*" figure leaves them out.  rss: resident;
# pss: resident, shared pages divided among the processes that map them;
# private: mapped by this process only (Private_Clean + Private_Dirty);
# anon: anonymous (heap, stacks, relocated data); anon_huge: of which in
# transparent huge pages.
function flush() {
	if (!have)
		return
	g = guest_kib > 0 && anon_map && size >= guest_kib * 15 / 16
	if (g) {
		guest_rss += rss; guest_size += size
	} else {
		o_rss += rss; o_pss += pss; o_priv += priv; o_anon += anon; o_huge += huge
	}
	t_rss += rss
	have = rss = pss = priv = anon = huge = 0
}
# mawk has no strtonum: hexadecimal by hand (doubles hold 2^53 exactly,
# more than the 47 bits of a user address).
function hex(s,    i, v) {
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
BEGIN { guest_kib += 0 }
$1 ~ /^[0-9a-f]+-[0-9a-f]+$/ {
	flush()
	split($1, r, "-")
	size = (hex(r[2]) - hex(r[1])) / 1024
	anon_map = NF < 6
	have = 1
	next
}
$1 == "Rss:" { rss = $2 }
$1 == "Pss:" { pss = $2 }
$1 == "Private_Clean:" || $1 == "Private_Dirty:" { priv += $2 }
$1 == "Anonymous:" { anon = $2 }
$1 == "AnonHugePages:" { huge = $2 }
END {
	flush()
	printf "{\"rss_kib\":%d,\"guest_rss_kib\":%d,\"guest_size_kib\":%d,", t_rss, guest_rss, guest_size
	printf "\"own_rss_kib\":%d,\"own_pss_kib\":%d,\"own_private_kib\":%d,", o_rss, o_pss, o_priv
	printf "\"own_anon_kib\":%d,\"own_anon_huge_kib\":%d}\n", o_anon, o_huge
}
