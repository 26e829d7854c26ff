/* kvmc-vmm: boots a Linux guest in a KVM VM with kvmc's devices. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "lib/log.h"
#include "proxy/proxy.h"
#include "lib/thread.h"
#include "vmm/boot.h"
#include "vmm/config.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/legacy.h"
#include "vmm/sandbox.h"
#include "vmm/vm_priv.h"

struct vmm {
	struct vm vm;
	struct vmm_config cfg;
	struct vmm_devices dev;
	bool dev_up;
	pthread_t loop_thread;
	bool loop_running;
	int sigfd;
	bool have_ns;		/* sandbox_prepare made a mount namespace */
};

static void *loop_thread(void *opaque)
{
	struct vmm *v = opaque;

	pthread_setname_np(pthread_self(), "devices");
	if (evloop_run(v->vm.loop))
		vm_request_exit(&v->vm, VMM_EXIT_INTERNAL);
	return NULL;
}

static void on_signal(void *opaque, uint32_t events)
{
	struct vmm *v = opaque;
	struct signalfd_siginfo si;

	if (read(v->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info("%s: stopping the VM", strsignal((int)si.ssi_signo));
	vm_request_exit(&v->vm, VMM_EXIT_OK);
}

static void loop_synced(void *opaque, uint32_t events)
{
	sem_post(opaque);
}

/*
 * After the vCPUs stop, let the loop finish what the guest queued last:
 * a guest that writes to a port and then resets (the agent's DESTROYPOD
 * ACK) expects that write to reach the host.  A few passes through the
 * loop, each waiting for the events pending before it, with a pause for
 * sockets to drain; bounded, so a wedged device cannot hold the exit.
 */
static void drain_loop(struct vm *vm)
{
	struct timespec ts;
	sem_t done;
	int i;

	sem_init(&done, 0, 0);
	for (i = 0; i < 3; i++) {
		if (evloop_call(vm->loop, loop_synced, &done))
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (sem_timedwait(&done, &ts))
			break;
		usleep(20000);
	}
	sem_destroy(&done);
}

/* Devices are freed on the loop thread, so none of their callbacks can be
 * running meanwhile; then the loop stops. */
static void teardown_on_loop(void *opaque, uint32_t events)
{
	struct vmm *v = opaque;

	if (v->sigfd >= 0)
		evloop_del(v->vm.loop, v->sigfd);
	if (v->dev_up)
		vmm_devices_teardown(&v->vm, &v->dev);
	v->dev_up = false;
	evloop_stop(v->vm.loop);
}

static void print_timing(struct vmm *v, uint64_t t0, const uint64_t *t,
			 uint64_t first, uint64_t t_end)
{
	struct vm_stats st;
	struct proxy_times px;
	uint64_t init = boot_timer_mark_us(BOOT_MARK_INIT);
	uint64_t exec = boot_timer_mark_us(BOOT_MARK_EXEC);

#define REL(x) ((x) ? (unsigned long long)((x) - t0) : 0ULL)
	vm_get_stats(&v->vm, &st);
	proxy_get_times(&px);
	/* In the order of a container's start (0: did not happen). */
	fprintf(stderr,
		"boot-timing: vm-created %llu us\n"
		"boot-timing: devices-ready %llu us\n"
		"boot-timing: kernel-loaded %llu us\n"
		"boot-timing: vcpus-created %llu us\n"
		"boot-timing: first-kvm-run %llu us\n"
		"boot-timing: first-console-byte %llu us\n"
		"boot-timing: init-started %llu us\n"
		"boot-timing: agent-ready %llu us\n"
		"boot-timing: newcontainer-sent %llu us\n"
		"boot-timing: first-exec %llu us\n"
		"boot-timing: newcontainer-acked %llu us\n"
		"boot-timing: vm-end %llu us\n"
		"boot-timing: exits io %llu mmio %llu hlt %llu intr %llu other %llu\n",
		REL(t[0]), REL(t[1]), REL(t[2]), REL(t[3]), REL(t[4]), REL(first), REL(init),
		REL(px.ready_us), REL(px.newcontainer_us), REL(exec),
		REL(px.newcontainer_ack_us), REL(t_end), (unsigned long long)st.io,
		(unsigned long long)st.mmio, (unsigned long long)st.hlt,
		(unsigned long long)st.intr, (unsigned long long)st.other);
	if (st.kvm_valid) {
		fprintf(stderr, "boot-timing: kvm-exits");
		for (int i = 0; i < KVM_STATS; i++)
			fprintf(stderr, " %s %llu", kvm_stat_names[i],
				(unsigned long long)st.kvm[i]);
		fprintf(stderr, "\n");
	}
#undef REL
}

int main(int argc, char **argv)
{
	uint64_t t0 = now_us(), t[5] = { 0 }, t_end, first_byte;
	struct vmm *v;
	struct boot_info bi;
	sigset_t sigs;
	char err[512], *cmdline = NULL;
	int status = VMM_EXIT_SETUP, ret;

	log_init("kvmc-vmm", stderr, false, LOG_INFO);
	/* Before the first allocation and the first thread. */
	if (thread_malloc_tune())
		log_warn("mallopt refused: malloc keeps its defaults");
	v = calloc(1, sizeof(*v));
	if (!v)
		return VMM_EXIT_INTERNAL;
	v->sigfd = -1;
	ret = vmm_parse_options(argc, argv, &v->cfg, err, sizeof(err));
	if (ret) {
		if (ret < 0)
			log_error("%s", err);
		free(v);
		return ret > 0 ? 0 : VMM_EXIT_SETUP;
	}
	/* Termination signals are read from a signalfd on the loop; block
	 * them before any thread exists so that all inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (v->cfg.sandbox != SANDBOX_OFF &&
	    sandbox_prepare(&v->have_ns, err, sizeof(err))) {
		log_error("%s", err);
		free(v);
		return VMM_EXIT_SETUP;
	}

	if (vm_create(&v->vm, v->cfg.memory, v->cfg.cpus, err, sizeof(err))) {
		log_error("%s", err);
		free(v);
		return VMM_EXIT_SETUP;
	}
	t[0] = now_us();
	v->vm.loop = evloop_new();
	if (!v->vm.loop) {
		log_error("event loop: %s", strerror(errno));
		goto out;
	}
	v->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (v->sigfd < 0 || evloop_add(v->vm.loop, v->sigfd, EPOLLIN, on_signal, v)) {
		log_error("signalfd: %s", strerror(errno));
		goto out;
	}
	if (thread_start(&v->loop_thread, THREAD_STACK_SIZE, loop_thread, v)) {
		log_error("event loop thread: cannot start");
		goto out;
	}
	v->loop_running = true;

	if (vmm_devices_setup(&v->vm, &v->cfg, &v->dev, err, sizeof(err))) {
		v->dev_up = true;	/* partly: teardown frees what exists */
		log_error("%s", err);
		goto out;
	}
	v->dev_up = true;
	t[1] = now_us();
	if (v->cfg.append) {
		if (asprintf(&cmdline, "%s %s", v->cfg.cmdline ? v->cfg.cmdline :
			     vmm_default_cmdline, v->cfg.append) < 0) {
			cmdline = NULL;
			log_error("out of memory");
			goto out;
		}
	} else {
		cmdline = strdup(v->cfg.cmdline ? v->cfg.cmdline :
				 vmm_default_cmdline);
	}
	if (!cmdline || boot_load(&v->vm.mem, v->cfg.kernel, v->cfg.initrd,
				  cmdline, &bi, err, sizeof(err))) {
		log_error("%s", err);
		goto out;
	}
	t[2] = now_us();
	if (mptable_write(&v->vm.mem, v->cfg.cpus)) {
		log_error("MP table: no room for %u CPUs", v->cfg.cpus);
		goto out;
	}
	v->vm.priv->nr_vcpus = (int)v->cfg.cpus;
	v->vm.priv->kvm_stats = v->cfg.boot_timing;
	if (vcpus_create(&v->vm, &bi, err, sizeof(err))) {
		log_error("%s", err);
		goto out;
	}
	t[3] = now_us();
	ret = vcpus_start(&v->vm);
	if (ret) {
		log_error("vCPU threads: %s", strerror(-ret));
		status = VMM_EXIT_INTERNAL;
		goto out;
	}
	/* Every thread exists and every file is open: confine them all
	 * before the guest runs its first instruction. */
	if (sandbox_enter(v->cfg.sandbox, v->have_ns, err, sizeof(err))) {
		log_error("%s", err);
		goto out;
	}
	t[4] = now_us();
	vcpus_resume(&v->vm);
	status = vm_wait_exit(&v->vm);
	if (status == VMM_EXIT_OK && serial_saw_panic(v->dev.serial)) {
		log_error("the guest kernel panicked");
		status = VMM_EXIT_GUEST;
	}
out:
	vcpus_stop(&v->vm);
	t_end = now_us();
	first_byte = serial_first_byte_us(v->dev.serial);
	if (v->loop_running) {
		drain_loop(&v->vm);
		evloop_call(v->vm.loop, teardown_on_loop, v);
		pthread_join(v->loop_thread, NULL);
	} else if (v->dev_up) {
		vmm_devices_teardown(&v->vm, &v->dev);
	}
	if (v->cfg.boot_timing && t[4])
		print_timing(v, t0, t, first_byte, t_end);
	if (v->sigfd >= 0)
		close(v->sigfd);
	evloop_free(v->vm.loop);
	vm_destroy(&v->vm);
	free(cmdline);
	free(v);
	return status;
}
