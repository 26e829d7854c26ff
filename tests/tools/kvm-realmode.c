/* tool-deps: lib */
/*
 * kvm-realmode: the test harness's own check that /dev/kvm really runs a
 * guest.  One VM, one vCPU in real mode, a few instructions that compute a
 * value, write it to an I/O port and halt.  The tool checks the exit
 * sequence (an OUT of the computed byte to the expected port, then HLT) and
 * the final registers, so a KVM that only pretends to work (e.g. a broken
 * nested SVM under emulation) fails here, not deep inside kvmc-vmm.
 *
 * Exit status: 0 if the guest did exactly what it should, 1 otherwise,
 * with one line saying what went wrong.  -v prints each exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_BASE	0x1000
#define GUEST_SIZE	0x1000
#define TEST_PORT	0x10
#define AX_START	0x1234
#define AX_ADD		0x0101
#define AX_END		(AX_START + AX_ADD)
#define MAX_EXITS	16

/*
 *   mov ax, 0x1234
 *   add ax, 0x0101
 *   mov dx, 0x0010
 *   out dx, al        ; expect 0x35 on port 0x10
 *   hlt
 */
static const uint8_t guest_code[] = {
	0xb8, AX_START & 0xff, AX_START >> 8,
	0x05, AX_ADD & 0xff, AX_ADD >> 8,
	0xba, TEST_PORT & 0xff, TEST_PORT >> 8,
	0xee,
	0xf4,
};

struct vm {
	int kvm, vm, vcpu;
	void *mem;
	struct kvm_run *run;
	size_t run_size;
};

static bool verbose;

static int fail(const char *what)
{
	fprintf(stderr, "kvm-realmode: %s: %s\n", what, strerror(errno));
	return -1;
}

static int vm_open(struct vm *v)
{
	struct kvm_userspace_memory_region region;
	int api, size;

	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return fail("open /dev/kvm");
	api = ioctl(v->kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm-realmode: KVM API version %d, want %d\n",
			api, KVM_API_VERSION);
		return -1;
	}
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		return fail("KVM_CREATE_VM");

	v->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED) {
		v->mem = NULL;
		return fail("mmap guest memory");
	}
	memcpy(v->mem, guest_code, sizeof(guest_code));
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = GUEST_BASE,
		.memory_size = GUEST_SIZE,
		.userspace_addr = (uintptr_t)v->mem,
	};
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");

	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	v->run_size = size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return fail("mmap kvm_run");
	}
	return 0;
}

static void vm_close(struct vm *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->mem)
		munmap(v->mem, GUEST_SIZE);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->kvm >= 0)
		close(v->kvm);
}

/* Real mode at GUEST_BASE: flat CS, RIP at the first instruction. */
static int vcpu_reset(struct vm *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_BASE;
	regs.rflags = 0x2;	/* bit 1 is reserved and must be set */
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

/* The OUT exit must carry exactly one byte, the low byte of AX_END. */
static int check_out(const struct kvm_run *run)
{
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;

	if (verbose)
		printf("exit IO dir=%u size=%u port=%#x count=%u data=%#x\n",
		       run->io.direction, run->io.size, run->io.port,
		       run->io.count, *data);
	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 ||
	    run->io.port != TEST_PORT || run->io.count != 1) {
		fprintf(stderr, "kvm-realmode: unexpected I/O exit: dir=%u "
			"size=%u port=%#x count=%u\n", run->io.direction,
			run->io.size, run->io.port, run->io.count);
		return -1;
	}
	if (*data != (AX_END & 0xff)) {
		fprintf(stderr, "kvm-realmode: port %#x got %#x, want %#x\n",
			TEST_PORT, *data, AX_END & 0xff);
		return -1;
	}
	return 0;
}

static int check_final(struct vm *v)
{
	uint64_t want_rip = GUEST_BASE + sizeof(guest_code);
	struct kvm_regs regs;

	if (ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0)
		return fail("KVM_GET_REGS");
	if (verbose)
		printf("exit HLT rax=%#llx rdx=%#llx rip=%#llx\n",
		       regs.rax, regs.rdx, regs.rip);
	if ((regs.rax & 0xffff) != AX_END || (regs.rdx & 0xffff) != TEST_PORT ||
	    regs.rip != want_rip) {
		fprintf(stderr, "kvm-realmode: after HLT ax=%#llx dx=%#llx "
			"rip=%#llx, want ax=%#x dx=%#x rip=%#llx\n",
			regs.rax & 0xffff, regs.rdx & 0xffff, regs.rip,
			AX_END, TEST_PORT, (unsigned long long)want_rip);
		return -1;
	}
	return 0;
}

static int vcpu_run(struct vm *v)
{
	bool saw_out = false;
	int i;

	for (i = 0; i < MAX_EXITS; i++) {
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			if (saw_out) {
				fprintf(stderr, "kvm-realmode: second I/O exit\n");
				return -1;
			}
			if (check_out(v->run) < 0)
				return -1;
			saw_out = true;
			break;
		case KVM_EXIT_HLT:
			if (!saw_out) {
				fprintf(stderr, "kvm-realmode: HLT before OUT\n");
				return -1;
			}
			return check_final(v);
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "kvm-realmode: entry failed, hardware "
				"reason %#llx\n", (unsigned long long)
				v->run->fail_entry.hardware_entry_failure_reason);
			return -1;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "kvm-realmode: KVM internal error, "
				"suberror %u\n", v->run->internal.suberror);
			return -1;
		default:
			fprintf(stderr, "kvm-realmode: unexpected exit reason %u\n",
				v->run->exit_reason);
			return -1;
		}
	}
	fprintf(stderr, "kvm-realmode: no HLT after %d exits\n", MAX_EXITS);
	return -1;
}

int main(int argc, char **argv)
{
	struct vm v = { .kvm = -1, .vm = -1, .vcpu = -1 };
	int ret;

	if (argc == 2 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
	} else if (argc != 1) {
		fprintf(stderr, "usage: kvm-realmode [-v]\n");
		return 2;
	}
	ret = vm_open(&v);
	if (ret == 0)
		ret = vcpu_reset(&v);
	if (ret == 0)
		ret = vcpu_run(&v);
	vm_close(&v);
	if (ret == 0)
		printf("kvm-realmode: ok (out %#x to port %#x, hlt)\n",
		       AX_END & 0xff, TEST_PORT);
	return ret == 0 ? 0 : 1;
}
