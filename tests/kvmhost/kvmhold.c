/*
 * kvmhold: holds one KVM VM with an in-kernel irqchip and one vCPU that
 * never runs, for as long as it lives.  The emulated test host starts it
 * before its job with KVMC_KVMHOST_HOLD=1 (tests/kvmhost/run; off by
 * default: docs/testing.md says why).
 *
 * Why: KVM flips static keys as VMs and vCPUs come and go, and each flip
 * live-patches the kernel's text with text_poke_bp (int3, IPIs, int3
 * removed).  Under QEMU 7.2's multi-threaded TCG that cross-modifying
 * code now and then leaves a CPU of the test host looping through the
 * int3 handler for good (seen 2026-12-01: RIPs in asm_exc_int3 and
 * __schedule on both CPUs, the test host wedged or its stack overflowed;
 * docs/testing.md).  The keys a container's VM flips, and what holds
 * each still:
 *  - preempt_notifier_key (__schedule): 0 to 1 with the first VM, back
 *    with the last.  Held by the VM.
 *  - apic_sw_disabled (__apic_accept_irq, kvm_apic_local_deliver...):
 *    up with each vCPU's local APIC, which is software-disabled at
 *    reset, down a second after the guest enables it, up again when a
 *    guest shuts its APIC down and down when the vCPU goes.  Held by a
 *    vCPU whose APIC stays disabled because it never runs.
 * With both held, the tests' VMs come and go without patching the text.
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
	if (vm < 0) {
		fprintf(stderr, "kvmhold: creating the VM: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
		fprintf(stderr, "kvmhold: creating the irqchip: %s\n", strerror(errno));
		return 1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		fprintf(stderr, "kvmhold: creating the vCPU: %s\n", strerror(errno));
		return 1;
	}
	for (;;)
		pause();
}
