/* SPDX-License-Identifier: MIT */
#include "vmm/irq.h"
#include "vmm/vm.h"

void irq_set_line(struct vm *vm, unsigned gsi, bool level)
{
	/* No interrupt controller model is attached yet: the lines go
	 * nowhere, as on a board with its PIC absent. */
	(void)vm;
	(void)gsi;
	(void)level;
}
