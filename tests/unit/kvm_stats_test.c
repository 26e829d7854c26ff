/* unit-deps: vmm lib */
/* Parsing KVM's binary statistics, from hand-built files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tests/unit/unit.h"
#include "vmm/kvm_stats.h"

#define NAME_SIZE 48

struct stat_def {
	const char *name;
	uint32_t flags;
	uint16_t size;
	uint64_t value;
};

/* A file as KVM lays it out: header, id, descriptors, data. */
static int make_file(const struct stat_def *defs, unsigned int n,
		     uint32_t name_size, uint32_t data_shift)
{
	struct kvm_stats_header h = {
		.name_size = name_size, .num_desc = n,
		.id_offset = sizeof(h), .desc_offset = sizeof(h) + 64,
	};
	size_t dsize = sizeof(struct kvm_stats_desc) + name_size;
	uint32_t off = 0;
	FILE *f = tmpfile();
	unsigned int i;

	ck_assert_ptr_nonnull(f);
	h.data_offset = h.desc_offset + n * dsize + data_shift;
	fwrite(&h, sizeof(h), 1, f);
	fseek(f, h.desc_offset, SEEK_SET);
	for (i = 0; i < n; i++) {
		struct kvm_stats_desc *d = calloc(1, dsize);

		d->flags = defs[i].flags;
		d->size = defs[i].size;
		d->offset = off;
		strncpy(d->name, defs[i].name, name_size);
		fwrite(d, dsize, 1, f);
		off += defs[i].size * 8;
		free(d);
	}
	fseek(f, h.data_offset, SEEK_SET);
	for (i = 0; i < n; i++)
		for (unsigned int j = 0; j < defs[i].size; j++)
			fwrite(&defs[i].value, 8, 1, f);
	fflush(f);
	return dup(fileno(f));	/* the FILE goes at exit */
}

static const struct stat_def defs[] = {
	{ "halt_poll_ns", KVM_STATS_TYPE_CUMULATIVE, 1, 5 },
	{ "exits", KVM_STATS_TYPE_CUMULATIVE, 1, 1000 },
	{ "halt_poll_success_hist", KVM_STATS_TYPE_LINEAR_HIST, 32, 9 },
	{ "mmio_exits", KVM_STATS_TYPE_CUMULATIVE, 1, 40 },
	{ "io_exits", KVM_STATS_TYPE_CUMULATIVE, 1, 300 },
	/* Not a counter: skipped although its name is one of ours. */
	{ "halt_exits", KVM_STATS_TYPE_PEAK, 1, 77 },
	{ "irq_injections", KVM_STATS_TYPE_CUMULATIVE, 1, 12 },
};

START_TEST(test_counters_summed)
{
	uint64_t v[KVM_STATS] = { 0 };
	int fd = make_file(defs, sizeof(defs) / sizeof(defs[0]), NAME_SIZE, 0);

	ck_assert_int_eq(kvm_stats_add(fd, v), 0);
	ck_assert_int_eq(kvm_stats_add(fd, v), 0);	/* a second vCPU */
	ck_assert_uint_eq(v[KVM_STAT_EXITS], 2000);
	ck_assert_uint_eq(v[KVM_STAT_MMIO], 80);
	ck_assert_uint_eq(v[KVM_STAT_IO], 600);
	ck_assert_uint_eq(v[KVM_STAT_INJECTED], 24);
	ck_assert_uint_eq(v[KVM_STAT_HALT], 0);
	ck_assert_uint_eq(v[KVM_STAT_EMULATED], 0);	/* not in the file */
	close(fd);
}
END_TEST

START_TEST(test_bad_files)
{
	uint64_t v[KVM_STATS] = { 0 };
	struct kvm_stats_header h = { .name_size = 0, .num_desc = 1 };
	FILE *f = tmpfile();
	int fd;

	/* Short header, empty names, absurd sizes, data past the end. */
	fwrite(&h, 4, 1, f);
	fflush(f);
	ck_assert_int_eq(kvm_stats_add(fileno(f), v), -EINVAL);
	fd = make_file(defs, 2, 0, 0);
	ck_assert_int_eq(kvm_stats_add(fd, v), -EINVAL);
	close(fd);
	fd = make_file(defs, 2, 100000, 0);
	ck_assert_int_eq(kvm_stats_add(fd, v), -EINVAL);
	close(fd);
	fd = make_file(defs, 2, NAME_SIZE, 0);
	h.name_size = NAME_SIZE;
	h.num_desc = 2;
	h.desc_offset = sizeof(h) + 64;
	h.data_offset = 1 << 20;			/* past the file */
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(kvm_stats_add(fd, v), -EINVAL);
	close(fd);
	ck_assert_uint_eq(v[KVM_STAT_EXITS], 0);
	ck_assert_int_eq(kvm_stats_add(-1, v), -EBADF);
	fclose(f);
}
END_TEST

static Suite *kvm_stats_suite(void)
{
	Suite *s = suite_create("kvm_stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_counters_summed);
	tcase_add_test(tc, test_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(kvm_stats_suite)
