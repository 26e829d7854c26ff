/*
 * probe: exit 0 if /dev/kvm can create a VM here, 1 (with the reason on
 * stderr) if not.  tests/kvmhost/run uses it to choose between running a
 * command directly and booting the emulated test host; an existing but
 * unusable /dev/kvm (no permission, KVM disabled in firmware) must choose
 * the test host, so opening the node is not enough.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm, vm;

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
	close(vm);
	close(kvm);
	return 0;
}
