/* Opening KVM and creating the VM: every capability kvmc depends on is
 * checked up front, so a missing one is one clear line, not a crash later. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/kvm.h"
#include "vmm/vm_priv.h"

/* Just below the IOAPIC, as QEMU and Firecracker place them. */
#define KVM_TSS_ADDR		0xfffbd000ULL
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000ULL

static const struct {
	int cap;
	const char *what;
} required_caps[] = {
	{ KVM_CAP_IRQCHIP, "in-kernel irqchip" },
	{ KVM_CAP_IRQ_ROUTING, "IRQ routing" },
	{ KVM_CAP_IRQFD, "irqfd" },
	{ KVM_CAP_IOEVENTFD, "ioeventfd" },
	{ KVM_CAP_SIGNAL_MSI, "MSI injection" },
	{ KVM_CAP_USER_MEMORY, "user memory" },
	{ KVM_CAP_SET_TSS_ADDR, "TSS address" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "identity map address" },
	{ KVM_CAP_PIT2, "in-kernel PIT" },
	{ KVM_CAP_EXT_CPUID, "extended CPUID" },
	{ KVM_CAP_TSC_DEADLINE_TIMER, "TSC deadline timer" },
	{ KVM_CAP_IMMEDIATE_EXIT, "immediate exit" },
	{ KVM_CAP_MP_STATE, "MP state" },
};

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); goto out_err; } while (0)

static int set_memory(struct vm *vm, uint32_t slot, uint64_t gpa,
		      uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

int vm_create(struct vm *vm, uint64_t mem_size, unsigned int cpus,
	      char *err, size_t errlen)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t idmap = KVM_IDENTITY_MAP_ADDR;
	struct vm_private *p;
	unsigned int i;
	int ret, max;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vm->priv = p;
	p->exit_efd = eventfd(0, EFD_CLOEXEC);
	pthread_mutex_init(&p->exit_lock, NULL);
	coalesced_init(&p->coal);
	io_bus_init(&vm->pio);
	io_bus_init(&vm->mmio);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			fail("/dev/kvm: no such device: KVM is not available here (load kvm_intel or kvm_amd, or use tests/kvmhost/run)");
		fail("/dev/kvm: %s%s", strerror(errno),
		     errno == EACCES ? " (add the user to the kvm group)" : "");
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		fail("/dev/kvm: API version %d, kvmc needs %d", ret, KVM_API_VERSION);
	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
			fail("/dev/kvm: the host's KVM lacks %s (capability %d)",
			     required_caps[i].what, required_caps[i].cap);
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && cpus > (unsigned int)max)
		fail("--cpus: %u exceeds what this host's KVM allows (%d)", cpus, max);

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		fail("KVM_CREATE_VM: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		fail("KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		fail("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		fail("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		fail("KVM_CREATE_PIT2: %s", strerror(errno));
	if (vm_irq_init(vm))
		fail("out of memory");

	ret = guest_mem_init(&vm->mem, mem_size);
	if (ret)
		fail("guest memory of %llu MiB: %s",
		     (unsigned long long)(mem_size >> 20), strerror(-ret));
	ret = set_memory(vm, 0, 0, vm->mem.low_size, vm->mem.host);
	if (!ret && vm->mem.high_size)
		ret = set_memory(vm, 1, MEM_HIGH_START, vm->mem.high_size,
				 vm->mem.host + vm->mem.low_size);
	if (ret)
		fail("KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
	p->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (p->vcpu_mmap_size <= 0)
		fail("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	ret = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (ret > 0 && (long)(ret + 1) * sysconf(_SC_PAGESIZE) <= p->vcpu_mmap_size)
		p->coalesced_page = ret;
	return 0;

out_err:
	vm_destroy(vm);
	return -1;
}

void vm_destroy(struct vm *vm)
{
	struct vm_private *p = vm->priv;

	guest_mem_free(&vm->mem);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd > 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	io_bus_free(&vm->pio);
	io_bus_free(&vm->mmio);
	if (p) {
		if (p->ring_map)
			munmap(p->ring_map, (size_t)sysconf(_SC_PAGESIZE));
		coalesced_free(&p->coal);
		vm_irq_free(vm);
		if (p->exit_efd >= 0)
			close(p->exit_efd);
		free(p->vcpus);
		free(p);
		vm->priv = NULL;
	}
}

int vm_coalesced_mmio(struct vm *vm, uint64_t addr, uint32_t len, bool assign)
{
	struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = len };

	if (vm->vm_fd < 0 || !vm->priv->coalesced_page)
		return -ENODEV;
	if (ioctl(vm->vm_fd, assign ? KVM_REGISTER_COALESCED_MMIO :
		  KVM_UNREGISTER_COALESCED_MMIO, &z) < 0)
		return -errno;
	return 0;
}

void vm_request_exit(struct vm *vm, int status)
{
	struct vm_private *p = vm->priv;
	uint64_t one = 1;

	pthread_mutex_lock(&p->exit_lock);
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
		if (write(p->exit_efd, &one, sizeof(one)) < 0)
			abort();	/* an eventfd write cannot fail here */
	}
	pthread_mutex_unlock(&p->exit_lock);
}

int vm_wait_exit(struct vm *vm)
{
	struct vm_private *p = vm->priv;
	uint64_t n;
	int status;

	while (read(p->exit_efd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&p->exit_lock);
	status = p->exit_status;
	pthread_mutex_unlock(&p->exit_lock);
	return status;
}
