/* SPDX-License-Identifier: MIT */
#include "arch/x86/include/cpu.h"
#include "vmm/hypercall.h"
#include "vmm/version.h"
#include "vmm/vm.h"

#define CONSOLE_WRITE_MAX 4096

static int64_t console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	const char *s;

	if (len > CONSOLE_WRITE_MAX)
		return -SHALE_EINVAL;
	s = vm_gpa_to_hva(v->vm, gpa, len);
	if (!s)
		return -SHALE_EFAULT;
	vm_console_write(v->vm, s, len);
	return len;
}

static void hc_timer_fired(struct vdev_timer *t, uint64_t now)
{
	struct vcpu *v = t->opaque;

	(void)now;
	vcpu_raise_irq(v, v->hc_timer_vector);
}

static int64_t timer_oneshot(struct vcpu *v, uint64_t vector, uint64_t delay)
{
	const struct vdev_platform *p = &v->vm->plat.ops;
	uint64_t now;

	if (delay == 0) {
		p->timer_cancel(p->ctx, &v->hc_timer);
		return 0;
	}
	/* Vectors 0-31 are exceptions; an interrupt there would be taken for
	 * one by the guest. */
	if (vector < 32 || vector > 255)
		return -SHALE_EINVAL;
	v->hc_timer_vector = vector;
	v->hc_timer.fn = hc_timer_fired;
	v->hc_timer.opaque = v;
	/* A deadline past the end of the TSC's range would wrap to the past
	 * and fire at once: such a delay means "not in this machine's
	 * lifetime", so it saturates. */
	now = rdtsc();
	p->timer_arm(p->ctx, &v->hc_timer,
		     delay > UINT64_MAX - now ? UINT64_MAX : now + delay);
	return 0;
}

static int64_t console_read(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	uint8_t *dst;

	if (len > CONSOLE_WRITE_MAX)
		return -SHALE_EINVAL;
	dst = vm_gpa_to_hva(v->vm, gpa, len);
	if (!dst)
		return -SHALE_EFAULT;
	return console_guest_read(v->vm, dst, len);
}

bool hypercall_handle(struct vcpu *v)
{
	uint64_t *regs = v->regs.gpr;
	uint64_t nr = regs[GPR_RAX];
	uint64_t a1 = regs[GPR_RDI], a2 = regs[GPR_RSI];
	int64_t ret;

	switch (nr) {
	case SHALE_HC_VERSION:
		ret = (SHALE_VERSION_MAJOR << 16) | SHALE_VERSION_MINOR;
		break;
	case SHALE_HC_CONSOLE_WRITE:
		ret = console_write(v, a1, a2);
		break;
	case SHALE_HC_EXIT:
		vm_stop(v->vm, VM_STOP_EXIT, "exited with status %lu",
			(unsigned long)a1);
		v->vm->exit_status = a1;
		return true;
	case SHALE_HC_TIMER_ONESHOT:
		ret = timer_oneshot(v, a1, a2);
		break;
	case SHALE_HC_CONSOLE_READ:
		ret = console_read(v, a1, a2);
		break;
	case SHALE_HC_STAT:
		if (a1 == 0)
			ret = v->vm->io.unclaimed;
		else if (a1 == 1)
			ret = vcpu_exit_count(v);
		else
			ret = -SHALE_EINVAL;
		break;
	default:
		ret = -SHALE_ENOSYS;
		break;
	}
	regs[GPR_RAX] = (uint64_t)ret;
	return false;
}
