#!/usr/bin/env bats
# The minimal guest kernel's build without building a kernel: the check
# that every option of the fragment survived Kconfig (scripts/kconfig-check.sh),
# the cache of scripts/build-kernel.sh (run on a fake source tarball whose
# "make" only writes files), and the module-free initramfs of
# guest/mkinitrd.sh --no-modules.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CHECK=$TOP/scripts/kconfig-check.sh
FRAG=$TOP/guest/kernel/kvmc.config

setup() {
	TMP=$(mktemp -d /tmp/kvmc-kernel.XXXXXX)
}

teardown() {
	[[ -n ${TMP:-} ]] && rm -rf "$TMP"
	return 0
}

@test "kconfig-check: a config with every fragment option passes" {
	printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_N=64\nCONFIG_S="x y"\n' > "$TMP/frag"
	printf 'CONFIG_A=y\nCONFIG_N=64\nCONFIG_S="x y"\nCONFIG_OTHER=y\n# CONFIG_B is not set\n' > "$TMP/config"
	run "$CHECK" "$TMP/frag" "$TMP/config"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# An off option may also be absent (its menu is off).
	sed -i '/CONFIG_B/d' "$TMP/config"
	run "$CHECK" "$TMP/frag" "$TMP/config"
	[ "$status" -eq 0 ]
}

@test "kconfig-check: a dropped, changed or selected option is named with its fragment line" {
	printf '# c\nCONFIG_A=y\nCONFIG_NET_9P=y\nCONFIG_N=64\n# CONFIG_MODULES is not set\n' > "$TMP/frag"
	printf 'CONFIG_A=y\nCONFIG_N=32\nCONFIG_MODULES=y\n# CONFIG_NET_9P is not set\n' > "$TMP/config"
	run "$CHECK" "$TMP/frag" "$TMP/config"
	[ "$status" -eq 1 ]
	echo "$output"
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "kconfig-check: $TMP/frag:3: CONFIG_NET_9P=y was dropped (not set in $TMP/config: a dependency is missing)" ]
	[ "${lines[1]}" = "kconfig-check: $TMP/frag:4: CONFIG_N=64 became CONFIG_N=32 in $TMP/config" ]
	[ "${lines[2]}" = "kconfig-check: $TMP/frag:5: CONFIG_MODULES should be off but is CONFIG_MODULES=y in $TMP/config (something selects it)" ]
}

@test "kconfig-check: a malformed fragment, an empty one and missing files are errors" {
	printf 'CONFIG_A=y\nCONFIG_B y\n' > "$TMP/frag"
	: > "$TMP/config"
	run "$CHECK" "$TMP/frag" "$TMP/config"
	[ "$status" -eq 1 ]
	[[ $output == *"$TMP/frag:2: not a kconfig line: CONFIG_B y"* ]]
	printf '# only comments\n' > "$TMP/frag"
	run "$CHECK" "$TMP/frag" "$TMP/config"
	[ "$status" -eq 1 ]
	[ "$output" = "kconfig-check: $TMP/frag: no options" ]
	run "$CHECK" "$TMP/nonexistent" "$TMP/config"
	[ "$status" -eq 2 ]
	[[ $output == *"$TMP/nonexistent: cannot read"* ]]
	run "$CHECK" "$TMP/frag"
	[ "$status" -eq 2 ]
	[[ $output == usage:* ]]
}

@test "kconfig-check: the real fragment has no line the check cannot read" {
	# The fragment itself, as a config, must pass (every line parsed).
	grep -v '^# CONFIG_.* is not set$' "$FRAG" > "$TMP/config"
	run "$CHECK" "$FRAG" "$TMP/config"
	[ "$status" -eq 0 ]
	grep -q '^# CONFIG_MODULES is not set$' "$FRAG"
	grep -q '^CONFIG_PVH=y$' "$FRAG"
}

# fake_source DROP: a linux-source tarball whose merge_config.sh writes the
# fragment as .config (without the line matching DROP, if given) and whose
# make writes a vmlinux naming the run in a section.
fake_source() {
	local d=$TMP/src/linux-source-6.1
	mkdir -p "$d/scripts/kconfig"
	cat > "$d/scripts/kconfig/merge_config.sh" <<-EOF
	#!/bin/bash
	[[ \$1 == -n && \$2 == -O ]] || exit 9
	grep -v '${1:-^\$^}' "\$4" | grep -v '^# CONFIG_.* is not set\$' > "\$3/.config"
	EOF
	chmod +x "$d/scripts/kconfig/merge_config.sh"
	# An ELF with a symbol table (build-kernel strips it) and a section
	# naming the build.
	printf 'vmlinux:\n\techo "built $$(date +%%s%%N)" > $(O)/stamp\n\tobjcopy --add-section .stamp=$(O)/stamp --add-symbol kvmc_stamp=.stamp:0 /bin/true $(O)/vmlinux\n' \
		> "$d/Makefile"
	tar -C "$TMP/src" -cJf "$TMP/linux.tar.xz" linux-source-6.1
}

build() {
	KVMC_LINUX_SOURCE=$TMP/linux.tar.xz KVMC_KERNEL_CACHE=$TMP/cache \
		"$TOP/scripts/build-kernel.sh" "$TMP/out"
}

@test "build-kernel: builds once into the cache, then only copies" {
	fake_source
	run build
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"built $TMP/out/kvmc-vmlinux in "*" s, "*" s of CPU (make -j"* ]]
	first=$(sha256sum < "$TMP/out/kvmc-vmlinux")
	readelf -p .stamp "$TMP/out/kvmc-vmlinux" | grep -q ' built [0-9]'
	# Stripped: no symbol table left.
	! readelf -S "$TMP/out/kvmc-vmlinux" | grep -q '\.symtab'

	grep -q '^CONFIG_PVH=y$' "$TMP/out/kvmc-vmlinux.config"
	# Nothing of the build is left in the output directory.
	[ "$(ls "$TMP/out")" = "$(printf 'kvmc-vmlinux\nkvmc-vmlinux.config')" ]

	touch -d @0 "$TMP/out/kvmc-vmlinux"
	run build
	[ "$status" -eq 0 ]
	[[ $output == *"from the cache"* ]]
	[ "$(sha256sum < "$TMP/out/kvmc-vmlinux")" = "$first" ]
	# An unchanged kernel is not rewritten (make sees nothing new).
	[ "$(stat -c %Y "$TMP/out/kvmc-vmlinux")" -eq 0 ]

	# Another source is another cache entry: built again.
	echo >> "$TMP/src/linux-source-6.1/Makefile"
	tar -C "$TMP/src" -cJf "$TMP/linux.tar.xz" linux-source-6.1
	run build
	[ "$status" -eq 0 ]
	[[ $output == *"built "* ]]
	[ "$(sha256sum < "$TMP/out/kvmc-vmlinux")" != "$first" ]
	[ "$(ls -d "$TMP"/cache/???????????????? | wc -l)" -eq 2 ]
}

@test "build-kernel: an option Kconfig dropped fails the build naming it" {
	fake_source CONFIG_9P_FS_POSIX_ACL
	run build
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"kvmc.config:"*": CONFIG_9P_FS_POSIX_ACL=y was dropped"* ]]
	[[ $output == *"options above were dropped by Kconfig"* ]]
	[ ! -e "$TMP/out/kvmc-vmlinux" ]
	# A failed build is not cached.
	[ -z "$(ls -d "$TMP"/cache/???????????????? 2>/dev/null)" ]
}

@test "build-kernel: a missing source tarball is named" {
	KVMC_LINUX_SOURCE=$TMP/none.tar.xz KVMC_KERNEL_CACHE=$TMP/cache \
		run "$TOP/scripts/build-kernel.sh" "$TMP/out"
	[ "$status" -eq 1 ]
	[[ $output == "build-kernel: $TMP/none.tar.xz: not found"* ]]
	[ ! -e "$TMP/cache" ]
}

@test "mkinitrd --no-modules: the agent, stripped, as /init and no module list" {
	[[ -x $TOP/build/kvmc-agent ]] || skip "build/kvmc-agent missing: run 'make'"
	run "$TOP/guest/mkinitrd.sh" --no-modules "$TOP/build/kvmc-agent" "$TMP/initrd.img"
	[ "$status" -eq 0 ]
	run cpio -t --quiet < "$TMP/initrd.img"
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "dev init proc run sys tmp " ]
	(cd "$TMP" && cpio -i --quiet init < initrd.img)
	strip -o "$TMP/agent" "$TOP/build/kvmc-agent"
	cmp "$TMP/init" "$TMP/agent"
	run "$TOP/guest/mkinitrd.sh" --no-modules "$TMP/missing" "$TMP/x.img"
	[ "$status" -eq 1 ]
	[[ $output == *"$TMP/missing: not found"* ]]
}
