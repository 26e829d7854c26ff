# kvmc — top-level build. Plain GNU make; everything lands in build/.
#
#   make            host binaries, the static guest agent and the guest image
#   make deps       Debian packages + the Debian guest kernel (idempotent)
#   make kernel     kvmc's minimal guest kernel (docs/kernel.md; cached)
#   make check      deps, build, unit (ASan+UBSan), functional (BATS) and
#                   integration tests (inside tests/kvmhost), one summary line
#   make check-fast unit + functional only
#   make demo       deps, build, `kvmc run` of the embedded busybox bundle
#   make install PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
B       := build
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

CC      ?= gcc
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GITREV  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
	   -Wstrict-prototypes -Wmissing-prototypes -Wvla
BASEFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -g $(WARN) \
	   -DKVMC_VERSION='"$(VERSION)"' -DKVMC_GITREV='"$(GITREV)"' \
	   -DKVMC_PREFIX='"$(PREFIX)"'
CFLAGS  ?= -O2
ALL_CFLAGS := $(BASEFLAGS) $(CFLAGS) -fstack-protector-strong -D_FORTIFY_SOURCE=2
SAN_CFLAGS := $(BASEFLAGS) -O1 -fsanitize=address,undefined \
	   -fno-sanitize-recover=all -fno-omit-frame-pointer
LDLIBS  := -lpthread -luuid

# Source sets: every .c of a component except its main.c goes in the
# component's library, so unit tests link exactly what the binaries run.
lib_SRCS     := $(wildcard lib/*.c)
vmm_SRCS     := $(filter-out vmm/main.c,$(wildcard vmm/*.c))
virtio_SRCS  := $(wildcard devices/virtio/*.c)
p9_SRCS      := $(wildcard p9/*.c)
proxy_SRCS   := $(wildcard proxy/*.c)
runtime_SRCS := $(filter-out runtime/main.c,$(wildcard runtime/*.c))
shim_SRCS    := $(filter-out shim/main.c,$(wildcard shim/*.c))
guest_SRCS   := $(filter-out guest/main.c,$(wildcard guest/*.c))
COMPONENTS   := lib vmm virtio p9 proxy runtime shim guest

obj   = $(patsubst %.c,$(B)/obj/%.o,$(1))
sobj  = $(patsubst %.c,$(B)/san/%.o,$(1))

BINS := $(B)/kvmc $(B)/kvmc-vmm $(B)/kvmc-shim $(B)/kvmc-agent

.PHONY: all bins guest tools unit-tests kernel debian-kernel deps check check-fast check-unit \
	check-functional check-integration check-integration-full demo install clean fuzz \
	bench
all: bins guest tools $(B)/kvmc.conf

bins: $(BINS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

# The agent is PID 1 of a VM with no libraries: built static, separately.
$(B)/static/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# kvmc-vmm and kvmc-shim run once per VM and per process for as long as
# it lives: static, their pages are their own (no ld.so relocations, no
# libc mapped whole), ~0.8 MiB less RSS each (docs/benchmarks.md,
# bench/density).
$(B)/kvmc-vmm: $(call obj,vmm/main.c $(vmm_SRCS) $(virtio_SRCS) $(p9_SRCS) \
		$(proxy_SRCS) $(lib_SRCS))
	$(Q)$(CC) $(ALL_CFLAGS) -static -o $@ $^ $(LDLIBS)

$(B)/kvmc: $(call obj,runtime/main.c $(runtime_SRCS) $(lib_SRCS))
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/kvmc-shim: $(call obj,shim/main.c $(shim_SRCS) $(lib_SRCS))
	$(Q)$(CC) $(ALL_CFLAGS) -static -o $@ $^ $(LDLIBS)

$(B)/kvmc-agent: $(patsubst %.c,$(B)/static/%.o,guest/main.c $(guest_SRCS) $(lib_SRCS))
	$(Q)$(CC) $(ALL_CFLAGS) -static -o $@ $^ -lpthread

# --- guest image -----------------------------------------------------------
# Debian's kernel and its modules, downloaded and extracted (never installed).
KERNEL_DIR := $(B)/kernel
debian-kernel: $(KERNEL_DIR)/.stamp
$(KERNEL_DIR)/.stamp: scripts/fetch-kernel.sh
	$(Q)scripts/fetch-kernel.sh $(KERNEL_DIR)

# kvmc's minimal kernel (guest/kernel/kvmc.config, docs/kernel.md), built
# from linux-source-6.1 in a cache outside the tree: seconds when cached.
# Its module-free initramfs is part of `guest`, so it never lags the agent.
kernel: $(B)/guest/kvmc-initrd.img
	$(Q)scripts/build-kernel.sh $(B)/guest

guest: $(B)/guest/initrd.img $(B)/guest/vmlinuz $(B)/guest/vmlinux \
	$(B)/guest/kvmc-initrd.img

# kvmc's runtime configuration for running from the build tree (its paths
# are relative to build/): scripts/demo.sh and the tests use it.
$(B)/kvmc.conf: runtime/kvmc.conf.in
	@mkdir -p $(B)
	$(Q)sed 's|@PREFIX@/share/kvmc/|guest/|g; s|@PREFIX@/bin/||g' $< > $@
# One recipe makes both (grouped): as two targets, make -j2 ran it twice
# at once and the second mv found no vmlinux.tmp.
$(B)/guest/vmlinuz $(B)/guest/vmlinux &: $(KERNEL_DIR)/.stamp scripts/extract-vmlinux.sh
	@mkdir -p $(B)/guest
	$(Q)cp $(KERNEL_DIR)/vmlinuz $(B)/guest/vmlinuz
	$(Q)scripts/extract-vmlinux.sh $(B)/guest/vmlinuz > $(B)/guest/vmlinux.tmp
	$(Q)mv $(B)/guest/vmlinux.tmp $(B)/guest/vmlinux
$(B)/guest/initrd.img: $(B)/kvmc-agent $(KERNEL_DIR)/.stamp guest/mkinitrd.sh
	@mkdir -p $(B)/guest
	$(Q)guest/mkinitrd.sh $(B)/kvmc-agent $(KERNEL_DIR) $@
$(B)/guest/kvmc-initrd.img: $(B)/kvmc-agent guest/mkinitrd.sh
	@mkdir -p $(B)/guest
	$(Q)guest/mkinitrd.sh --no-modules $(B)/kvmc-agent $@

# --- tests -------------------------------------------------------------------
.SECONDEXPANSION:
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/*_test.c))

# One sanitized archive per component.  A test names the components it
# links on a line `/* unit-deps: p9 lib */`, so a half-written file in
# another component never blocks it.
define san_archive
$(B)/san/lib$(1).a: $$(call sobj,$$($(1)_SRCS))
	@rm -f $$@
	$$(Q)ar rcs $$@ $$^
endef
$(foreach c,$(COMPONENTS),$(eval $(call san_archive,$(c))))
unit_deps = $(foreach c,$(shell sed -n 's|^/\* unit-deps: \(.*\) \*/$$|\1|p' $(1)),$(B)/san/lib$(c).a)

$(B)/unit/%_test: tests/unit/%_test.c tests/unit/unit.h $$(call unit_deps,tests/unit/$$*_test.c)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $< -Wl,--start-group \
		$(call unit_deps,$<) -Wl,--end-group \
		$$(pkg-config --cflags --libs check) $(LDLIBS)

unit-tests: $(UNIT_TESTS)

# Test tools (tests/tools/NAME.c -> build/tests/NAME), optimised builds of
# the components named on a `/* tool-deps: p9 lib */` line.
TOOLS := $(patsubst tests/tools/%.c,$(B)/tests/%,$(wildcard tests/tools/*.c))
tool_deps = $(call obj,$(foreach c,$(shell sed -n 's|^/\* tool-deps: \(.*\) \*/$$|\1|p' $(1)),$($(c)_SRCS)))
$(B)/tests/%: tests/tools/%.c $$(call tool_deps,tests/tools/$$*.c)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(call tool_deps,$<) $(LDLIBS)
# Test programs run inside a guest (tests/guest/NAME.c ->
# build/tests/guest/NAME): static, the guest has no libraries.
GUEST_TOOLS := $(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(wildcard tests/guest/*.c))
$(B)/tests/guest/%: tests/guest/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -static -o $@ $<
tools: $(TOOLS) $(GUEST_TOOLS)

# Each runner appends TAP-like lines to build/results/; tests/report sums them.
check-unit: $(UNIT_TESTS)
	$(Q)tests/unit/run $(B)/results/unit.log $(UNIT_TESTS)

check-functional: bins tools
	$(Q)tests/functional/run $(B)/results/functional.log

check-integration: all
	$(Q)tests/integration/run $(B)/results/integration.log

# Every integration file with the files' own volumes (about an hour in
# the emulated test host).
check-integration-full: all
	$(Q)KVMC_IT_FULL=1 tests/integration/run $(B)/results/integration.log

check-fast: deps
	@rm -rf $(B)/results
	$(Q)$(MAKE) --no-print-directory bins unit-tests
	-$(Q)$(MAKE) --no-print-directory check-unit
	-$(Q)$(MAKE) --no-print-directory check-functional
	-$(Q)$(MAKE) --no-print-directory check-fuzz
	$(Q)tests/report $(B)/results unit functional fuzz

check: deps
	@rm -rf $(B)/results
	$(Q)$(MAKE) --no-print-directory all unit-tests
	$(Q)$(MAKE) --no-print-directory kernel
	-$(Q)$(MAKE) --no-print-directory check-unit
	-$(Q)$(MAKE) --no-print-directory check-functional
	-$(Q)$(MAKE) --no-print-directory check-integration
	-$(Q)$(MAKE) --no-print-directory check-fuzz
	$(Q)tests/report $(B)/results unit functional integration fuzz

# Benchmarks (bench/, docs/benchmarks.md), not part of check: every one in
# one boot of the KVM test host; results under build/bench/.
bench: all
	$(Q)tests/kvmhost/run -t $${KVMC_BENCH_KVMHOST_TIMEOUT:-7200} -- bench/all.sh

# --- fuzzing (tests/fuzz, docs/fuzzing.md) ---------------------------------
# libFuzzer harnesses tests/fuzz/fuzz_NAME.c, built with clang apart from the
# gcc build; a harness names what it links on `/* fuzz-deps: lib */`.
FUZZ_CC    := clang
# gnu11 header-then-array structs (kvm_msrs, tc_u32_sel) are deliberate.
FUZZ_FLAGS := $(filter-out -Werror,$(BASEFLAGS)) -O1 -fno-omit-frame-pointer \
	      -Wno-gnu-variable-sized-type-not-at-end \
	      -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZERS    := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
define fuzz_archive
$(B)/fuzz/lib$(1).a: $$(patsubst %.c,$(B)/fuzz/obj/%.o,$$($(1)_SRCS))
	@rm -f $$@
	$$(Q)ar rcs $$@ $$^
endef
$(foreach c,$(COMPONENTS),$(eval $(call fuzz_archive,$(c))))
fuzz_deps = $(foreach c,$(shell sed -n 's|^/\* fuzz-deps: \(.*\) \*/$$|\1|p' $(1)),$(B)/fuzz/lib$(c).a)
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(call fuzz_deps,tests/fuzz/fuzz_$$*.c)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< -Wl,--start-group \
		$(call fuzz_deps,$<) -Wl,--end-group $(LDLIBS)
fuzzers: $(FUZZERS)
fuzz: $(FUZZERS)
	$(Q)tests/fuzz/run fuzz $(FUZZERS)
check-fuzz: $(FUZZERS)
	$(Q)tests/fuzz/run check $(B)/results/fuzz.log $(FUZZERS)
-include $(shell find $(B)/fuzz -name "*.d" 2>/dev/null)
.PHONY: fuzzers check-fuzz
# --- end of fuzzing ----------------------------------------------------------

# --- benchmarks (docs/benchmarks.md): each against its peer, in the KVM
# test host; results in build/bench/NAME/ ----------------------------------
bench-serial bench-9p: bench-%: all
	$(Q)tests/kvmhost/run -t 3000 -- bench/$*/run.sh
.PHONY: bench-serial bench-9p
# --- end of benchmarks -------------------------------------------------------

deps:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory debian-kernel

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/kvmhost/run -t 600 -- scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kvmc \
		$(DESTDIR)/etc/kvmc
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(B)/guest/vmlinuz $(B)/guest/vmlinux \
		$(B)/guest/initrd.img $(DESTDIR)$(PREFIX)/share/kvmc/
# The minimal kernel when `make kernel` built it: kvmc.conf prefers it.
	if [ -f $(B)/guest/kvmc-vmlinux ]; then \
		install -m 0644 $(B)/guest/kvmc-vmlinux $(B)/guest/kvmc-initrd.img \
			$(DESTDIR)$(PREFIX)/share/kvmc/; fi
	sed 's|@PREFIX@|$(PREFIX)|g' runtime/kvmc.conf.in \
		> $(DESTDIR)$(PREFIX)/share/kvmc/kvmc.conf

clean:
	rm -rf $(B)/obj $(B)/san $(B)/static $(B)/unit $(B)/results $(BINS) \
		$(B)/guest

-include $(shell find $(B)/obj $(B)/san $(B)/static -name '*.d' 2>/dev/null)
