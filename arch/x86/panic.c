/* SPDX-License-Identifier: MIT */
/*
 * Reporting a bug in Shale itself: host code addresses by function name,
 * from the symbol table embedded in the image (lib/symtab.h), the
 * frame-pointer backtrace, and the halt. The exception handler (idt.c),
 * failed VMX instructions (vmx.c) and host_panic() report through here.
 */
#include <stdarg.h>
#include <stdint.h>

#include "arch/x86/host.h"
#include "arch/x86/include/cpu.h"
#include "arch/x86/smp.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/symtab.h"

uint64_t host_image_base, host_image_size;

const char *host_addr_name(char *buf, size_t size, uint64_t a,
			   enum host_addr kind)
{
	uint64_t off = a - host_image_base;
	/* A return address is looked up one byte back, in the call it
	 * follows: a call to a noreturn function can be the last
	 * instruction of its function, and its return address the first of
	 * the next. */
	uint64_t back = kind == HOST_ADDR_RETURN && off ? 1 : 0;
	const char *name;
	uint32_t delta;

	if (off >= host_image_size)
		ksnprintf(buf, size, "0x%lx, outside shale.efi", (unsigned long)a);
	else if ((name = symtab_lookup(&shale_symtab, off - back, &delta)))
		ksnprintf(buf, size, "%s+0x%lx", name, (unsigned long)(delta + back));
	else
		ksnprintf(buf, size, "shale.efi+0x%lx", (unsigned long)off);
	return buf;
}

void host_print_address(const char *prefix, uint64_t a, enum host_addr kind)
{
	char name[80];

	if (a - host_image_base >= host_image_size) {
		log_rawf("%s0x%016lx\n", prefix, (unsigned long)a);
		return;
	}
	log_rawf("%s0x%016lx  %s  (image offset 0x%lx)\n", prefix,
		 (unsigned long)a, host_addr_name(name, sizeof(name), a, kind),
		 (unsigned long)(a - host_image_base));
}

/* Walk the RBP chain; stop at a null or misaligned frame, or after 16. */
void host_backtrace(uint64_t rbp)
{
	log_rawf("backtrace:\n");
	for (int depth = 0; depth < 16 && rbp && !(rbp & 7); depth++) {
		uint64_t *frame = (uint64_t *)rbp;
		char prefix[16];

		if (!frame[1])
			break;
		ksnprintf(prefix, sizeof(prefix), "  #%d  ", depth);
		host_print_address(prefix, frame[1], HOST_ADDR_RETURN);
		rbp = frame[0];
	}
}

void host_halt_reported(void)
{
	smp_panic_begin(); /* already done by most callers; harmless twice */
	smp_panic_report();
	log_rawf("[panic] Shale halted this CPU\n");
	uart_tx_flush();
	cpu_halt_forever();
}

void host_panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	smp_panic_begin();
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_rawf("\n[panic] %s\n", msg);
	host_backtrace((uint64_t)__builtin_frame_address(0));
	host_halt_reported();
}
