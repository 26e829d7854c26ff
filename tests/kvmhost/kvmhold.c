/*
 * kvmhold: holds one idle KVM VM (in-kernel irqchip, one vCPU that never
 * runs) for as long as it lives.  The emulated test host starts it before
 * its job (tests/kvmhost/run).
 *
 * Why: KVM flips static keys when the first VM or vCPU appears and the
 * last goes (preempt_notifier_key, which __schedule tests; the local
 * APIC's apic_sw_disabled), and each flip live-patches the kernel's text
 * with text_poke_bp (int3, IPIs, int3 removed).  Under QEMU 7.2's
 * multi-threaded TCG that cross-modifying code now and then leaves a CPU
 * of the test host looping through the int3 handler for good (seen
 * 2026-12-01: RIPs in asm_exc_int3 and __schedule on both CPUs, the test
 * host wedged; docs/testing.md).  With one VM always there, the counts
 * never return to zero, the keys are patched once at start, and the tests'
 * own VMs come and go without touching kernel text.
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
	int kvm, vm, vcpu;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvmhold: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
		fprintf(stderr, "kvmhold: creating the VM: %s\n", strerror(errno));
		return 1;
	}
	for (;;)
		pause();
}
