/* SPDX-License-Identifier: MIT */
/*
 * UEFI entry point. Everything here runs with the firmware's help; the last
 * step hands the machine to vmm_main() for good. On any problem Shale says
 * what is wrong and returns to the firmware, which goes on booting.
 */
#include "arch/x86/ap_trampoline.h"
#include "arch/x86/include/cpu.h"
#include "boot/boot.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmm/version.h"

int boot_load_guests(struct boot_info *bi);

static void serial_sink(const char *s, size_t len)
{
	uart_write(s, len);
}

static void find_acpi(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	void *rsdp = NULL;

	/* Prefer the ACPI 2.0 RSDP, which carries the XSDT. */
	if (EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, &rsdp)))
		LibGetSystemConfigurationTable(&AcpiTableGuid, &rsdp);
	bi->acpi_rsdp = (uint64_t)rsdp;
}

static void find_image(EFI_HANDLE image, struct boot_info *bi)
{
	EFI_LOADED_IMAGE *li;

	if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image,
					 &LoadedImageProtocol, (void **)&li))) {
		bi->image_base = (uint64_t)li->ImageBase;
		bi->image_size = li->ImageSize;
	}
}

/* Pages below 1 MiB for the APs' start-up code (arch/x86/ap_trampoline.h):
 * taken from the firmware now, while it still hands out memory, as
 * loader data, which Shale keeps. None there: Shale runs on one CPU. */
static void reserve_trampoline(struct boot_info *bi)
{
	EFI_PHYSICAL_ADDRESS a = AP_TRAMPOLINE_MAX;

	if (!EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
					 EfiLoaderData, AP_TRAMPOLINE_PAGES, &a)))
		bi->ap_trampoline = a;
}

/* The console's transmit queue (drivers/uart_tx.c), as loader data, which
 * Shale keeps: with it in hand from vmm_main()'s first line, no line of
 * the start-up waits for the UART, about 17,000 ticks a character at
 * 115200 baud in Bochs. None: the first lines are written as before. */
static void reserve_console_queue(struct boot_info *bi)
{
	EFI_PHYSICAL_ADDRESS a = 0;

	if (!EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
					 EfiLoaderData, EFI_SIZE_TO_PAGES(UART_TXQ_SIZE), &a)))
		bi->uart_txq = a;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	uint64_t tsc = rdtsc();
	EFI_PHYSICAL_ADDRESS pages = 0;
	struct boot_info *bi;
	int vtx_problems;
	EFI_STATUS st;

	InitializeLib(image, systab);
	/* 1. Consoles: COM1 for the log, the firmware console for a screen.
	 *    Where the firmware console already reaches a serial port, COM1
	 *    waits for ExitBootServices, or every line would show twice. */
	uart_init(0x3f8, 115200);
	log_set_firmware_sink(boot_console_write);
	if (!boot_console_reaches_serial())
		log_set_serial_sink(serial_sink);
	/* The lines of a good start wait in the log ring for vmm_main(),
	 * whose console queue sends them without waiting for the UART: the
	 * firmware console writes to a serial port at its baud rate, 4 M
	 * ticks for this page's four lines in Bochs. Errors and warnings
	 * still go out at once (lib/log.h). */
	log_defer();
	log_info("shale", "Shale %s, a bare-metal hypervisor for Intel VT-x",
		 SHALE_VERSION_STRING);

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
					EfiLoaderData,
					EFI_SIZE_TO_PAGES(sizeof(*bi)), &pages))) {
		log_err("shale", "out of memory before starting");
		return EFI_OUT_OF_RESOURCES;
	}
	bi = (struct boot_info *)pages;
	memset(bi, 0, sizeof(*bi)); /* SetMem goes byte by byte */
	bi->tsc_at_entry = tsc;
	boot_find_screen(bi);
	/* On a screen, start from a clear one: the firmware's logo sits in
	 * the middle of it and would cover the lines that say why Shale
	 * cannot run (the serial console keeps everything). */
	if (bi->fb.base)
		uefi_call_wrapper(systab->ConOut->ClearScreen, 1, systab->ConOut);

	/* 2. Can this machine run Shale at all? Reported now, acted on after
	 *    the config has been checked, so one boot shows every problem. */
	vtx_problems = vmx_check_support(&bi->vmx);
	if (!vtx_problems)
		log_info("vmx", "VT-x with EPT and unrestricted guest is available");

	/* 3. The config partition, shale.cfg and the guest images; then the
	 *    firmware's SPCR and MCFG, read on any machine, so that the log
	 *    says which console the SPCR gives even where Shale cannot run. */
	bi->tsc_load_start = rdtsc();
	boot_load_guests(bi);
	bi->tsc_loaded = rdtsc();
	find_acpi(bi);
	boot_read_fw_tables(bi);

	if (!bi->config.n_guests)
		log_err("shale", "no guest can be started");
	if (vtx_problems)
		log_err("shale", "Shale cannot run on this machine");
	if (vtx_problems || !bi->config.n_guests) {
		log_err("shale", "returning to the firmware");
		log_defer_end();
		boot_screen_before_return(bi);
		uefi_call_wrapper(BS->FreePages, 2, pages, EFI_SIZE_TO_PAGES(sizeof(*bi)));
		return vtx_problems ? EFI_UNSUPPORTED : EFI_NOT_FOUND;
	}

	/* 4. Facts the hypervisor needs once the firmware is gone. */
	find_image(image, bi);
	reserve_trampoline(bi);
	reserve_console_queue(bi);
	boot_find_cpus(bi);

	/* 5. Take the machine. Returns only on failure. From here the log
	 *    goes to COM1 alone: the firmware console is about to go away. */
	log_set_serial_sink(serial_sink);
	log_set_firmware_sink(NULL);
	st = boot_handoff(image, bi);
	log_defer_end(); /* still with the firmware: it failed */
	return st;
}
