/*
 * Interrupt plumbing: IOAPIC lines, MSI routes for irqfd, ioeventfds.
 *
 * KVM_SET_GSI_ROUTING replaces the whole table, so the default routes the
 * in-kernel irqchip starts with (GSI 0-15 to both PICs and the IOAPIC,
 * 16-23 to the IOAPIC) are kept in our copy and written back every time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lib/log.h"
#include "vmm/vm_priv.h"

static struct kvm_irq_routing_entry *route_add(struct kvm_irq_routing *r)
{
	struct kvm_irq_routing_entry *e = &r->entries[r->nr++];

	memset(e, 0, sizeof(*e));
	return e;
}

int vm_irq_init(struct vm *vm)
{
	struct vm_private *p = vm->priv;
	struct kvm_irq_routing *r;
	unsigned int gsi;

	/* Two entries per legacy GSI at most, one per MSI GSI. */
	r = calloc(1, sizeof(*r) + (VM_MAX_GSI + 16) * sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	for (gsi = 0; gsi < VM_IOAPIC_PINS; gsi++) {
		struct kvm_irq_routing_entry *e;

		if (gsi < 16) {
			e = route_add(r);
			e->gsi = gsi;
			e->type = KVM_IRQ_ROUTING_IRQCHIP;
			e->u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
							 KVM_IRQCHIP_PIC_SLAVE;
			e->u.irqchip.pin = gsi % 8;
		}
		e = route_add(r);
		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e->u.irqchip.pin = gsi;
		p->gsi_used[gsi / 8] |= 1 << (gsi % 8);
	}
	pthread_mutex_init(&p->irq_lock, NULL);
	p->routes = r;
	return 0;
}

void vm_irq_free(struct vm *vm)
{
	if (!vm->priv)
		return;
	free(vm->priv->routes);
	vm->priv->routes = NULL;
}

int vm_irq_line(struct vm *vm, uint32_t pin, int level)
{
	struct kvm_irq_level l = { .irq = pin, .level = level };

	if (vm->vm_fd < 0)
		return -ENODEV;
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

static int routes_commit(struct vm *vm)
{
	if (vm->vm_fd < 0)
		return -ENODEV;
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, vm->priv->routes) < 0)
		return -errno;
	return 0;
}

int vm_msi_gsi_alloc(struct vm *vm)
{
	struct vm_private *p = vm->priv;
	int gsi, ret = -ENOSPC;

	if (!p || !p->routes)
		return -ENODEV;
	pthread_mutex_lock(&p->irq_lock);
	for (gsi = VM_IOAPIC_PINS; gsi < VM_MAX_GSI; gsi++) {
		if (!(p->gsi_used[gsi / 8] & (1 << (gsi % 8)))) {
			p->gsi_used[gsi / 8] |= 1 << (gsi % 8);
			ret = gsi;
			break;
		}
	}
	pthread_mutex_unlock(&p->irq_lock);
	return ret;
}

static struct kvm_irq_routing_entry *msi_find(struct kvm_irq_routing *r,
					      int gsi)
{
	for (unsigned int i = 0; i < r->nr; i++)
		if (r->entries[i].gsi == (uint32_t)gsi &&
		    r->entries[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->entries[i];
	return NULL;
}

static bool msi_gsi_valid(struct vm_private *p, int gsi)
{
	return gsi >= VM_IOAPIC_PINS && gsi < VM_MAX_GSI &&
	       (p->gsi_used[gsi / 8] & (1 << (gsi % 8)));
}

int vm_msi_route(struct vm *vm, int gsi, uint64_t addr, uint32_t data)
{
	struct vm_private *p = vm->priv;
	struct kvm_irq_routing_entry *e;
	int ret;

	if (!p || !p->routes)
		return -ENODEV;
	pthread_mutex_lock(&p->irq_lock);
	if (!msi_gsi_valid(p, gsi)) {
		ret = -EINVAL;
		goto out;
	}
	e = msi_find(p->routes, gsi);
	if (!e) {
		e = route_add(p->routes);
		e->gsi = (uint32_t)gsi;
		e->type = KVM_IRQ_ROUTING_MSI;
	}
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
	ret = routes_commit(vm);
out:
	pthread_mutex_unlock(&p->irq_lock);
	return ret;
}

void vm_msi_gsi_free(struct vm *vm, int gsi)
{
	struct vm_private *p = vm->priv;
	struct kvm_irq_routing_entry *e;

	if (!p || !p->routes)
		return;
	pthread_mutex_lock(&p->irq_lock);
	if (msi_gsi_valid(p, gsi)) {
		e = msi_find(p->routes, gsi);
		if (e) {
			*e = p->routes->entries[--p->routes->nr];
			routes_commit(vm);
		}
		p->gsi_used[gsi / 8] &= (uint8_t)~(1 << (gsi % 8));
	}
	pthread_mutex_unlock(&p->irq_lock);
}

int vm_irqfd(struct vm *vm, int fd, int gsi, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)fd,
		.gsi = (uint32_t)gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (vm->vm_fd < 0)
		return -ENODEV;
	return ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

int vm_signal_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};

	if (vm->vm_fd < 0)
		return -ENODEV;
	/* Returns 0 when the guest blocked delivery: not an error. */
	return ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0;
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio,
		 int fd, bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	if (vm->vm_fd < 0)
		return -ENODEV;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}
