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

static int64_t timer_oneshot(struct vcpu *v, uint64_t vector, uint64_t delay)
{
	if (delay == 0) {
		v->timer_armed = false;
		return 0;
	}
	/* Vectors 0-31 are exceptions; an interrupt there would be taken for
	 * one by the guest. */
	if (vector < 32 || vector > 255)
		return -SHALE_EINVAL;
	v->timer_vector = vector;
	v->timer_deadline = rdtsc() + delay;
	v->timer_armed = true;
	v->entry_work = 1;
	return 0;
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
