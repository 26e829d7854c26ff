/* Kernel format detection, files, e820 map and initrd placement. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/boot.h"

#define BOOT_FILE_MAX	(1ULL << 31)	/* no kernel or initrd is 2 GiB */

/*
 * The file is mapped, not read: a read() into a buffer cost a zero-filled
 * allocation and a copy of the 20 MB vmlinux before the loader's own copy
 * into guest RAM, which the test host's emulated CPU takes its time over.
 * The mapping lives only until boot_load() returns.  A file that cannot be
 * mapped (a filesystem without mmap) is read as before.  Someone who
 * truncates the kernel while a VMM maps it kills that VMM in its set-up
 * (SIGBUS), which the runtime reports as any other VMM failure.
 */
int boot_file_read(const char *path, struct boot_file *f)
{
	struct stat st;
	size_t done = 0;
	void *p;
	int fd, ret = 0;

	f->data = NULL;
	f->size = 0;
	f->mapped = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > BOOT_FILE_MAX) {
		ret = -EFBIG;
		goto out;
	}
	f->size = (size_t)st.st_size;
	if (f->size) {
		p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			f->data = p;
			f->mapped = true;
			goto out;
		}
	}
	f->data = malloc(f->size ? f->size : 1);
	if (!f->data) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < f->size) {
		ssize_t n = read(fd, f->data + done, f->size - done);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			boot_file_free(f);
			goto out;
		}
		done += (size_t)n;
	}
out:
	close(fd);
	return ret;
}

void boot_file_free(struct boot_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		free(f->data);
	f->data = NULL;
	f->size = 0;
	f->mapped = false;
}

unsigned int boot_e820(const struct guest_mem *m, struct e820_entry *e)
{
	unsigned int n = 0;

	e[n++] = (struct e820_entry){ 0, BOOT_EBDA_ADDR, E820_RAM };
	/* The EBDA (MP table) and the BIOS area stay out of the allocator. */
	e[n++] = (struct e820_entry){ BOOT_EBDA_ADDR,
				      0x100000 - BOOT_EBDA_ADDR, E820_RESERVED };
	if (m->low_size > BOOT_HIMEM_START)
		e[n++] = (struct e820_entry){ BOOT_HIMEM_START,
					      m->low_size - BOOT_HIMEM_START,
					      E820_RAM };
	if (m->high_size)
		e[n++] = (struct e820_entry){ MEM_HIGH_START, m->high_size,
					      E820_RAM };
	return n;
}

int boot_place_initrd(struct guest_mem *m, const struct boot_file *initrd,
		      uint64_t max_addr, uint64_t min_addr, uint64_t *addr)
{
	uint64_t top = m->low_size, at;
	void *p;

	if (max_addr && max_addr + 1 < top)
		top = max_addr + 1;
	if (initrd->size > top)
		return -ENOSPC;
	at = (top - initrd->size) & ~0xfffULL;
	if (at < min_addr)
		return -ENOSPC;
	p = guest_mem_ptr(m, at, initrd->size);
	if (!p)
		return -ENOSPC;
	memcpy(p, initrd->data, initrd->size);
	*addr = at;
	return 0;
}

int boot_load(struct guest_mem *m, const char *kernel_path,
	      const char *initrd_path, const char *cmdline,
	      struct boot_info *bi, char *err, size_t errlen)
{
	struct boot_file k, rd = { NULL, 0, false };
	int ret;

	if (strlen(cmdline) >= BOOT_CMDLINE_MAX) {
		snprintf(err, errlen, "--cmdline: longer than %d bytes",
			 BOOT_CMDLINE_MAX - 1);
		return -1;
	}
	ret = boot_file_read(kernel_path, &k);
	if (ret) {
		snprintf(err, errlen, "--kernel %s: %s", kernel_path,
			 ret == -EINVAL ? "not a regular file" : strerror(-ret));
		return -1;
	}
	if (initrd_path) {
		ret = boot_file_read(initrd_path, &rd);
		if (ret) {
			snprintf(err, errlen, "--initrd %s: %s", initrd_path,
				 ret == -EINVAL ? "not a regular file" :
				 strerror(-ret));
			boot_file_free(&k);
			return -1;
		}
	}
	if (k.size >= 4 && !memcmp(k.data, "\x7f" "ELF", 4)) {
		ret = pvh_load(m, &k, initrd_path ? &rd : NULL, cmdline, bi,
			       err, errlen);
	} else if (k.size > 0x206 && !memcmp(k.data + 0x202, "HdrS", 4)) {
		ret = bzimage_load(m, &k, initrd_path ? &rd : NULL, cmdline,
				   bi, err, errlen);
	} else {
		snprintf(err, errlen, "--kernel %s: not a bzImage nor an ELF vmlinux",
			 kernel_path);
		ret = -1;
	}
	if (ret && strncmp(err, "--", 2)) {
		/* Name the file in loader errors. */
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "--kernel %s: %s", kernel_path, tmp);
	}
	if (!ret) {
		boot_setup_gdt(m);
		ret = boot_setup_pagetables(m);
	}
	boot_file_free(&k);
	boot_file_free(&rd);
	return ret ? -1 : 0;
}
