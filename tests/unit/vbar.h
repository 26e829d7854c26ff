/* SPDX-License-Identifier: MIT */
/*
 * The virtio device tests' view from the guest: BAR0 register accesses
 * (as the guest's would be) and pointers into guest memory.  The file
 * that includes this defines, before it, `static struct vm vm;` and
 * `static struct virtio_pci *vp;`.
 */
#ifndef KVMC_TESTS_UNIT_VBAR_H
#define KVMC_TESTS_UNIT_VBAR_H

static inline uint64_t rd(uint64_t off, uint32_t len)
{
	uint64_t v = 0;

	virtio_pci_bar_access(vp, off, &v, len, false);
	return v;
}

static inline void wr(uint64_t off, uint64_t v, uint32_t len)
{
	virtio_pci_bar_access(vp, off, &v, len, true);
}

static inline void *g(uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(&vm.mem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

#endif
