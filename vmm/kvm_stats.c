/*
 * Reading a KVM binary statistics file: a header, the id, descriptors
 * (each followed by its name, name_size bytes), and the data block in
 * which each descriptor's offset points at its u64 values.  The file
 * comes from the kernel, but it is still parsed with every offset and
 * size checked: a bad one is an error, not a read out of bounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/kvm_stats.h"

#define NAME_MAX_SIZE	256
#define DESC_MAX	4096

const char *const kvm_stat_names[KVM_STATS] = {
	[KVM_STAT_EXITS] = "exits",
	[KVM_STAT_HALT] = "halt_exits",
	[KVM_STAT_IRQ] = "irq_exits",
	[KVM_STAT_IO] = "io_exits",
	[KVM_STAT_MMIO] = "mmio_exits",
	[KVM_STAT_EMULATED] = "insn_emulation",
	[KVM_STAT_INJECTED] = "irq_injections",
};

int kvm_stats_open(int vcpu_fd)
{
	int fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);

	return fd < 0 ? -errno : fd;
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EINVAL;
}

int kvm_stats_add(int fd, uint64_t vals[KVM_STATS])
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d = NULL;
	size_t dsize;
	uint32_t i;
	int k, ret;

	ret = read_at(fd, &h, sizeof(h), 0);
	if (ret)
		return ret;
	if (h.name_size == 0 || h.name_size > NAME_MAX_SIZE ||
	    h.num_desc > DESC_MAX)
		return -EINVAL;
	dsize = sizeof(*d) + h.name_size;
	d = malloc(dsize);
	if (!d)
		return -ENOMEM;
	for (i = 0; i < h.num_desc; i++) {
		uint64_t v;

		ret = read_at(fd, d, dsize, (uint64_t)h.desc_offset + (uint64_t)i * dsize);
		if (ret)
			goto out;
		d->name[h.name_size - 1] = '\0';
		for (k = 0; k < KVM_STATS; k++)
			if (!strcmp(d->name, kvm_stat_names[k]))
				break;
		if (k == KVM_STATS)
			continue;
		/* A counter is one cumulative u64. */
		if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
		    d->size != 1)
			continue;
		ret = read_at(fd, &v, sizeof(v), (uint64_t)h.data_offset + d->offset);
		if (ret)
			goto out;
		vals[k] += v;
	}
	ret = 0;
out:
	free(d);
	return ret;
}
