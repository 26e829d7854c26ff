/*
 * kvmhold: holds one empty KVM VM (no vCPU, no irqchip: nothing that
 * changes how KVM treats the others) for as long as it lives.  The
 * emulated test host starts it before its job with KVMC_KVMHOST_HOLD=1
 * (tests/kvmhost/run; off by default: docs/testing.md says why).
 *
 * Why: when the first VM appears and the last goes, KVM enables or
 * disables SVM on every CPU by IPI and flips preempt_notifier_key, which
 * __schedule tests; each flip live-patches the kernel's text with
 * text_poke_bp (int3, IPIs, int3 removed).  Under QEMU 7.2's
 * multi-threaded TCG that cross-modifying code now and then leaves a CPU
 * of the test host looping through the int3 handler for good (seen
 * 2026-12-01: RIPs in asm_exc_int3 and __schedule on both CPUs, the test
 * host wedged; docs/testing.md).  With one VM always there, the count
 * never returns to zero, the key is patched once at start, and the tests'
 * own VMs come and go without touching the scheduler's text.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvmhold: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "kvmhold: creating the VM: %s\n", strerror(errno));
		return 1;
	}
	for (;;)
		pause();
}
