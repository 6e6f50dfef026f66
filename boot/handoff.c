/* SPDX-License-Identifier: MIT */
/*
 * The last firmware calls: a stack for the hypervisor, the memory map,
 * ExitBootServices. After that nothing calls UEFI.
 */
#include "arch/x86/tsc.h"
#include "boot/boot.h"
#include "lib/log.h"
#include "lib/string.h"

#define SRC "boot"
#define HV_STACK_SIZE (64 * 1024)

extern void boot_switch_stack(uint64_t top, void (*fn)(struct boot_info *),
			      struct boot_info *arg) __attribute__((noreturn));

static uint32_t classify(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
		return BOOT_MEM_FREE;
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_FREE_LATER;
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_SHALE;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return BOOT_MEM_FIRMWARE;
	case EfiACPIReclaimMemory:
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Copy the firmware's map into boot_info, merging neighbours of one type. */
static void convert_map(struct boot_info *bi, UINT8 *map, UINTN map_size,
			UINTN desc_size)
{
	bi->n_mem = 0;
	for (UINTN off = 0; off + desc_size <= map_size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map + off);
		uint32_t type = classify(d->Type);
		uint64_t size = d->NumberOfPages * EFI_PAGE_SIZE;
		struct boot_mem_region *last =
			bi->n_mem ? &bi->mem[bi->n_mem - 1] : NULL;

		if (last && last->type == type &&
		    last->base + last->size == d->PhysicalStart) {
			last->size += size;
			continue;
		}
		if (bi->n_mem == BOOT_MAX_MEM)
			continue; /* the rest is lost to Shale, not fatal */
		bi->mem[bi->n_mem++] = (struct boot_mem_region){
			d->PhysicalStart, size, type
		};
	}
}

EFI_STATUS boot_handoff(EFI_HANDLE image, struct boot_info *bi)
{
	EFI_PHYSICAL_ADDRESS stack = 0;
	UINT8 *map = NULL;
	UINTN map_size = 0, key, desc_size, alloc = 0;
	UINT32 desc_ver;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
			       EfiLoaderData, EFI_SIZE_TO_PAGES(HV_STACK_SIZE),
			       &stack);
	if (EFI_ERROR(st)) {
		log_err(SRC, "cannot allocate the hypervisor stack: %s",
			"out of memory");
		return st;
	}
	bi->stack_base = stack;
	bi->stack_size = HV_STACK_SIZE;
	boot_prepare_screen(bi);

	/* The last line the firmware console shows; printing between
	 * GetMemoryMap and ExitBootServices could change the map. */
	log_info(SRC, "leaving the firmware: ExitBootServices");
	log_set_firmware_sink(NULL);
	/* The TSC's measurement against the PIT runs through the firmware's
	 * ExitBootServices, 10 ms or more of its own (arch/x86/tsc.c). */
	tsc_pit_start();

	/* The map changes with every allocation, including the buffer for
	 * it, and ExitBootServices fails if the key is stale: allocate with
	 * room to spare, then try twice as the UEFI spec allows. */
	for (int attempt = 0; attempt < 4; attempt++) {
		map_size = alloc;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size,
				       (EFI_MEMORY_DESCRIPTOR *)map, &key,
				       &desc_size, &desc_ver);
		if (st == EFI_BUFFER_TOO_SMALL) {
			if (map)
				FreePool(map);
			alloc = map_size + 8 * sizeof(EFI_MEMORY_DESCRIPTOR) + 4096;
			map = AllocatePool(alloc);
			if (!map)
				return EFI_OUT_OF_RESOURCES;
			continue;
		}
		if (EFI_ERROR(st))
			return st;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st))
			break;
	}
	if (EFI_ERROR(st)) {
		log_set_firmware_sink(boot_console_write);
		log_err(SRC, "ExitBootServices failed (status 0x%lx); staying with the firmware",
			(unsigned long)st);
		return st;
	}
	/* From here: no firmware calls, no allocations, no ConOut. */
	convert_map(bi, map, map_size, desc_size);
	boot_start_screen(bi);
	boot_switch_stack(stack + HV_STACK_SIZE, vmm_main, bi);
}
