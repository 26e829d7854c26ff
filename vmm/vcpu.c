/*
 * vCPUs: one thread each, running KVM_RUN and dispatching the exits that
 * reach userspace (port I/O and MMIO not served by an ioeventfd).
 * A vCPU is kicked out of KVM_RUN by setting run->immediate_exit and
 * sending it SIGVCPU; the flag covers the window before it enters.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "lib/log.h"
#include "lib/thread.h"
#include "vmm/boot.h"
#include "vmm/config.h"
#include "vmm/cpuid.h"
#include "vmm/kvm.h"
#include "vmm/vm_priv.h"

#define SIGVCPU		SIGUSR1
#define CPUID_MAX_ENT	256

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	int stats_fd;			/* KVM's statistics, or -1 */
	pthread_t thread;
	bool started;
};

/* Pause state and exit counters, shared by all vCPUs of the process. */
static pthread_mutex_t pause_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pause_cond = PTHREAD_COND_INITIALIZER;
static bool pause_req;
static unsigned int nr_paused;
static unsigned int nr_ready;	/* threads that have named themselves */
static struct vm_stats stats;

static bool exiting(struct vm *vm)
{
	bool e;

	pthread_mutex_lock(&vm->priv->exit_lock);
	e = vm->priv->exiting;
	pthread_mutex_unlock(&vm->priv->exit_lock);
	return e;
}

static void dump_regs(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	log_error("vcpu %u: rip %016llx rsp %016llx rflags %08llx",
		  v->id, r.rip, r.rsp, r.rflags);
	log_error("vcpu %u: rax %016llx rbx %016llx rcx %016llx rdx %016llx",
		  v->id, r.rax, r.rbx, r.rcx, r.rdx);
	log_error("vcpu %u: rsi %016llx rdi %016llx rbp %016llx",
		  v->id, r.rsi, r.rdi, r.rbp);
	log_error("vcpu %u: cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx cs %04x",
		  v->id, s.cr0, s.cr2, s.cr3, s.cr4, s.efer, s.cs.selector);
	{
		struct kvm_translation tr = { .linear_address = r.rip };
		const uint8_t *code;

		if (ioctl(v->fd, KVM_TRANSLATE, &tr) == 0 && tr.valid &&
		    (code = guest_mem_ptr(&v->vm->mem, tr.physical_address, 16)))
			log_error("vcpu %u: code at %llx: %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x",
				  v->id, tr.physical_address, code[0], code[1],
				  code[2], code[3], code[4], code[5], code[6],
				  code[7], code[8], code[9], code[10], code[11]);
	}
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool w = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	__atomic_fetch_add(&stats.io, 1, __ATOMIC_RELAXED);
	for (i = 0; i < run->io.count; i++) {
		io_bus_dispatch(&v->vm->pio, run->io.port, data, run->io.size, w);
		data += run->io.size;
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	__atomic_fetch_add(&stats.mmio, 1, __ATOMIC_RELAXED);
	if (run->mmio.len > 8)
		return;
	io_bus_dispatch(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			run->mmio.len, run->mmio.is_write);
}

static void pause_point(struct vcpu *v)
{
	pthread_mutex_lock(&pause_lock);
	if (pause_req) {
		nr_paused++;
		pthread_cond_broadcast(&pause_cond);
		while (pause_req && !exiting(v->vm))
			pthread_cond_wait(&pause_cond, &pause_lock);
		nr_paused--;
	}
	pthread_mutex_unlock(&pause_lock);
}

static void *vcpu_thread(void *opaque)
{
	struct vcpu *v = opaque;
	struct vm *vm = v->vm;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&pause_lock);
	nr_ready++;
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);
	while (!exiting(vm)) {
		pause_point(v);
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			int e = errno;

			coalesced_drain(&vm->priv->coal, &vm->mmio);
			errno = e;
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				__atomic_fetch_add(&stats.intr, 1, __ATOMIC_RELAXED);
				continue;
			}
			log_error("vcpu %u: KVM_RUN: %s", v->id, strerror(errno));
			vm_request_exit(vm, VMM_EXIT_INTERNAL);
			break;
		}
		/* Writes KVM queued come before the exit that follows them
		 * (and a vCPU kicked to pause drains before it waits). */
		coalesced_drain(&vm->priv->coal, &vm->mmio);
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(v);
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(v);
			break;
		case KVM_EXIT_INTR:
			__atomic_fetch_add(&stats.intr, 1, __ATOMIC_RELAXED);
			break;
		case KVM_EXIT_HLT:
			__atomic_fetch_add(&stats.hlt, 1, __ATOMIC_RELAXED);
			break;
		case KVM_EXIT_SHUTDOWN:
			log_error("vcpu %u: the guest shut down (triple fault)", v->id);
			vm_request_exit(vm, VMM_EXIT_GUEST);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (v->run->system_event.type == KVM_SYSTEM_EVENT_CRASH) {
				log_error("vcpu %u: the guest crashed", v->id);
				vm_request_exit(vm, VMM_EXIT_GUEST);
			} else {
				vm_request_exit(vm, VMM_EXIT_OK);
			}
			break;
		default:
			__atomic_fetch_add(&stats.other, 1, __ATOMIC_RELAXED);
			log_error("vcpu %u: unexpected exit reason %u%s", v->id,
				  v->run->exit_reason,
				  v->run->exit_reason == KVM_EXIT_INTERNAL_ERROR ?
				  " (KVM internal error)" :
				  v->run->exit_reason == KVM_EXIT_FAIL_ENTRY ?
				  " (entry failed)" : "");
			dump_regs(v);
			vm_request_exit(vm, VMM_EXIT_INTERNAL);
			break;
		}
	}
	/* Wake a pauser waiting for us. */
	pthread_mutex_lock(&pause_lock);
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);
	return NULL;
}

static struct kvm_segment seg(uint16_t sel, uint8_t type, bool l, bool db)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = db, .s = 1, .l = l, .g = 1,
	};
}

static int setup_boot_cpu(struct vcpu *v, const struct boot_info *bi)
{
	struct kvm_regs regs = { .rflags = 2 };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.gdt.base = BOOT_GDT_ADDR;
	s.gdt.limit = 5 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.tr = (struct kvm_segment){ .limit = 0xffff, .type = 11, .present = 1 };
	s.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
	if (bi->mode == BOOT_LINUX64) {
		s.cs = seg(0x10, 0xb, true, false);
		s.ds = s.es = s.fs = s.gs = s.ss = seg(0x18, 0x3, false, true);
		s.cr3 = BOOT_PML4_ADDR;
		s.cr4 = 0x20;			/* PAE */
		s.cr0 = 0x80050033;		/* PG WP NE ET MP PE */
		s.efer = 0x500;			/* LMA LME */
		regs.rsi = bi->arg;
		regs.rsp = regs.rbp = BOOT_STACK_ADDR;
	} else {
		s.cs = seg(0x20, 0xb, false, true);
		s.ds = s.es = s.fs = s.gs = s.ss = seg(0x18, 0x3, false, true);
		s.cr0 = 0x11;			/* ET PE */
		s.cr3 = s.cr4 = s.efer = 0;
		regs.rbx = bi->arg;
	}
	regs.rip = bi->entry;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}

static int setup_msrs(struct vcpu *v)
{
	static const struct { uint32_t index; uint64_t data; } init[] = {
		{ 0x174, 0 }, { 0x175, 0 }, { 0x176, 0 },	/* SYSENTER */
		{ 0xc0000081, 0 }, { 0xc0000082, 0 },		/* STAR, LSTAR */
		{ 0xc0000083, 0 }, { 0xc0000084, 0 },		/* CSTAR, FMASK */
		{ 0xc0000102, 0 },				/* KERNEL_GS_BASE */
		{ 0x10, 0 },					/* TSC */
		{ 0x1a0, 1 },					/* MISC_ENABLE: fast strings */
		{ 0x2ff, 0x806 },				/* MTRRdefType: on, WB */
	};
	const unsigned int n = sizeof(init) / sizeof(init[0]);
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[sizeof(init) / sizeof(init[0])];
	} msrs = { .h.nmsrs = n };
	unsigned int i;

	for (i = 0; i < n; i++) {
		msrs.e[i].index = init[i].index;
		msrs.e[i].data = init[i].data;
	}
	return ioctl(v->fd, KVM_SET_MSRS, &msrs) == (int)n ? 0 : -EIO;
}

static int setup_lapic(struct vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t lvt;

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	/* LINT0 ExtINT (the PIC), LINT1 NMI: delivery mode bits 8-10. */
	memcpy(&lvt, &l.regs[0x350], 4);
	lvt = (lvt & ~0x700U) | 0x700;
	memcpy(&l.regs[0x350], &lvt, 4);
	memcpy(&lvt, &l.regs[0x360], 4);
	lvt = (lvt & ~0x700U) | 0x400;
	memcpy(&l.regs[0x360], &lvt, 4);
	return ioctl(v->fd, KVM_SET_LAPIC, &l) < 0 ? -errno : 0;
}

static void sig_noop(int sig)
{
	(void)sig;
}

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); goto out; } while (0)

int vcpus_create(struct vm *vm, const struct boot_info *bi, char *err,
		 size_t errlen)
{
	struct vm_private *p = vm->priv;
	struct kvm_cpuid2 *supported, *c = NULL;
	struct sigaction sa = { .sa_handler = sig_noop };
	size_t csize = sizeof(*supported) + CPUID_MAX_ENT * sizeof(supported->entries[0]);
	unsigned int i, n = (unsigned int)p->nr_vcpus;
	int ret = -1;

	sigaction(SIGVCPU, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns */
	supported = calloc(1, csize);
	c = calloc(1, csize);
	if (!supported || !c)
		fail("out of memory");
	supported->nent = CPUID_MAX_ENT;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, supported) < 0)
		fail("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	p->vcpus = calloc(n, sizeof(*p->vcpus));
	if (!p->vcpus)
		fail("out of memory");
	for (i = 0; i < n; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		if (!v)
			fail("out of memory");
		p->vcpus[i] = v;
		v->vm = vm;
		v->id = i;
		v->stats_fd = -1;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0)
			fail("KVM_CREATE_VCPU %u: %s", i, strerror(errno));
		/* Opened now: no new descriptor after the sandbox. */
		if (p->kvm_stats)
			v->stats_fd = kvm_stats_open(v->fd);
		v->run = mmap(NULL, (size_t)p->vcpu_mmap_size,
			      PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			fail("vcpu %u: mmap: %s", i, strerror(errno));
		}
		if (i == 0 && p->coalesced_page) {
			long pg = sysconf(_SC_PAGESIZE);

			p->ring_map = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
					   MAP_SHARED, v->fd, p->coalesced_page * pg);
			if (p->ring_map == MAP_FAILED) {
				p->ring_map = NULL;
				fail("vcpu 0: mmap of the coalesced MMIO ring: %s",
				     strerror(errno));
			}
			coalesced_attach(&p->coal, p->ring_map, (size_t)pg);
		}
		memcpy(c, supported, csize);
		cpuid_normalise(c, i, n);
		if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
			fail("vcpu %u: KVM_SET_CPUID2: %s", i, strerror(errno));
		if (setup_msrs(v))
			fail("vcpu %u: KVM_SET_MSRS failed", i);
		if (setup_lapic(v))
			fail("vcpu %u: LAPIC setup: %s", i, strerror(errno));
		/* Other CPUs wait for INIT/SIPI from the boot CPU. */
		if (i == 0 && setup_boot_cpu(v, bi))
			fail("vcpu 0: register setup: %s", strerror(errno));
	}
	ret = 0;
out:
	free(supported);
	free(c);
	return ret;
}

int vcpus_start(struct vm *vm)
{
	struct vm_private *p = vm->priv;
	unsigned int started = 0;
	int i, ret = 0;

	pthread_mutex_lock(&pause_lock);
	pause_req = true;
	pthread_mutex_unlock(&pause_lock);
	for (i = 0; i < p->nr_vcpus; i++) {
		ret = thread_start(&p->vcpus[i]->thread, THREAD_STACK_SIZE,
				   vcpu_thread, p->vcpus[i]);
		if (ret)
			break;
		p->vcpus[i]->started = true;
		started++;
	}
	pthread_mutex_lock(&pause_lock);
	while (nr_ready < started)
		pthread_cond_wait(&pause_cond, &pause_lock);
	pthread_mutex_unlock(&pause_lock);
	return -ret;
}

static void kick(struct vcpu *v)
{
	if (!v->started)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, SIGVCPU);
}

void vcpus_stop(struct vm *vm)
{
	struct vm_private *p = vm->priv;
	int i;

	if (!p->vcpus)
		return;
	vm_request_exit(vm, VMM_EXIT_OK);	/* no-op if already ending */
	pthread_mutex_lock(&pause_lock);
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);
	for (i = 0; i < p->nr_vcpus; i++) {
		struct vcpu *v = p->vcpus[i];

		if (!v)
			continue;
		if (v->started) {
			/* Kick until it has left: a signal may land just
			 * before it re-enters KVM_RUN. */
			while (pthread_tryjoin_np(v->thread, NULL) == EBUSY) {
				kick(v);
				usleep(1000);
			}
		}
		if (v->stats_fd >= 0) {
			if (!kvm_stats_add(v->stats_fd, stats.kvm))
				stats.kvm_valid = true;
			close(v->stats_fd);
		}
		if (v->run)
			munmap(v->run, (size_t)p->vcpu_mmap_size);
		if (v->fd >= 0)
			close(v->fd);
		free(v);
		p->vcpus[i] = NULL;
	}
}

void vcpus_pause(struct vm *vm)
{
	struct vm_private *p = vm->priv;
	int i;

	pthread_mutex_lock(&pause_lock);
	pause_req = true;
	pthread_mutex_unlock(&pause_lock);
	for (i = 0; i < p->nr_vcpus; i++)
		kick(p->vcpus[i]);
	pthread_mutex_lock(&pause_lock);
	while (nr_paused < (unsigned int)p->nr_vcpus && !exiting(vm)) {
		pthread_mutex_unlock(&pause_lock);
		for (i = 0; i < p->nr_vcpus; i++)
			kick(p->vcpus[i]);
		usleep(1000);
		pthread_mutex_lock(&pause_lock);
	}
	pthread_mutex_unlock(&pause_lock);
}

void vcpus_resume(struct vm *vm)
{
	(void)vm;
	pthread_mutex_lock(&pause_lock);
	pause_req = false;
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);
}

void vm_get_stats(struct vm *vm, struct vm_stats *st)
{
	(void)vm;
	st->io = __atomic_load_n(&stats.io, __ATOMIC_RELAXED);
	st->mmio = __atomic_load_n(&stats.mmio, __ATOMIC_RELAXED);
	st->hlt = __atomic_load_n(&stats.hlt, __ATOMIC_RELAXED);
	st->intr = __atomic_load_n(&stats.intr, __ATOMIC_RELAXED);
	st->other = __atomic_load_n(&stats.other, __ATOMIC_RELAXED);
	/* Read as the vCPUs went (vcpus_stop). */
	st->kvm_valid = stats.kvm_valid;
	memcpy(st->kvm, stats.kvm, sizeof(st->kvm));
}
