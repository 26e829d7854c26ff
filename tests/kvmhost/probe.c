/*
 * probe: exit 0 if /dev/kvm can create a VM here and run it at a usable
 * speed, 1 (with the reason on stderr) if not.  tests/kvmhost/run uses it to choose between running a
 * command directly and booting the emulated test host; an existing but
 * unusable /dev/kvm (no permission, KVM disabled in firmware) must choose
 * the test host, so opening the node is not enough.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Some nested setups expose a /dev/kvm that works but is unusably slow:
 * on these CI machines KVM is PVM (the kvm_pvm module), which emulates the
 * guest's string instructions; `rep stosb` runs at about 1 MB/s, and a
 * Linux guest, whose memset and memcpy are string instructions, needs
 * minutes to clear its BSS.  The emulated test host is faster there.  The
 * guest below enters long mode (identity-mapped 2 MiB pages), fills
 * 512 KiB with `rep stosb` and halts: well under a millisecond on
 * hardware, about 400 ms under PVM.
 */
#define PROBE_SLOW_NS	(100 * 1000 * 1000)
#define PROBE_MEM	(4 << 20)

static const uint8_t touch_pages[] = {
	0x48, 0xc7, 0xc7, 0x00, 0x00, 0x20, 0x00,	/* mov rdi, 0x200000 */
	0x48, 0xc7, 0xc1, 0x00, 0x00, 0x08, 0x00,	/* mov rcx, 0x80000 */
	0xb0, 0x01,					/* mov al, 1 */
	0xf3, 0xaa,					/* rep stosb */
	0xf4,						/* hlt */
};

static void long_mode(uint8_t *mem, struct kvm_sregs *s)
{
	uint64_t *pml4 = (uint64_t *)(mem + 0x9000);
	uint64_t *pdpt = (uint64_t *)(mem + 0xa000);
	uint64_t *pd = (uint64_t *)(mem + 0xb000);
	struct kvm_segment code = {
		.limit = 0xffffffff, .selector = 8, .type = 0xb, .present = 1,
		.s = 1, .l = 1, .g = 1,
	}, data = code;

	pml4[0] = 0xa000 | 3;
	pdpt[0] = 0xb000 | 3;
	pd[0] = 0x000000 | 0x83;
	pd[1] = 0x200000 | 0x83;
	data.selector = 0x10;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->cr3 = 0x9000;
	s->cr4 = 0x20;			/* PAE */
	s->cr0 = 0x80000011;		/* PG ET PE */
	s->efer = 0x500;		/* LMA LME */
}

static int64_t run_ns(int kvm, int vm)
{
	struct kvm_userspace_memory_region r = { .memory_size = PROBE_MEM };
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_sregs sregs;
	struct timespec a, b;
	struct kvm_run *run;
	uint8_t *mem;
	int vcpu, sz;

	mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -1;
	memcpy(mem + 0x1000, touch_pages, sizeof(touch_pages));
	r.userspace_addr = (uintptr_t)mem;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 || vcpu < 0 || sz <= 0)
		return -1;
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	long_mode(mem, &sregs);
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_HLT)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (mem[0x27ffff] != 1)
		return -1;
	return (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
}

int main(void)
{
	int kvm, vm;
	int64_t ns;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "probe: open /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "probe: /dev/kvm: unexpected API version\n");
		close(kvm);
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "probe: KVM_CREATE_VM: %s\n", strerror(errno));
		close(kvm);
		return 1;
	}
	ns = run_ns(kvm, vm);
	close(vm);
	close(kvm);
	if (ns < 0) {
		fprintf(stderr, "probe: /dev/kvm cannot run a real-mode guest\n");
		return 1;
	}
	if (getenv("KVMC_PROBE_VERBOSE"))
		fprintf(stderr, "probe: %lld us\n", (long long)(ns / 1000));
	if (ns > PROBE_SLOW_NS) {
		fprintf(stderr, "probe: /dev/kvm is too slow to use (filling 512 KiB took %lld ms; kvm_pvm?): using the emulated test host\n",
			(long long)(ns / 1000000));
		return 1;
	}
	return 0;
}
