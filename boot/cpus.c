/* SPDX-License-Identifier: MIT */
/*
 * The firmware's own list of processors, from the UEFI PI MP Services
 * protocol (PI 1.8, Volume 2, 13.4), kept for the one case where ACPI has
 * no MADT: OVMF under Bochs installs no ACPI tables at all. Where there is
 * a MADT, arch/x86/smp.c reads that and this list is not used.
 */
#include "boot/boot.h"

static EFI_GUID mp_services_guid = { 0x3fdda605, 0xa76e, 0x4f46,
				     { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } };

#define PROCESSOR_ENABLED_BIT 0x2

typedef struct {
	UINT64 ProcessorId; /* the local APIC ID */
	UINT32 StatusFlag;
	UINT32 Location[3]; /* package, core, thread */
	UINT32 Extended[6]; /* room, should a firmware fill more */
} PROCESSOR_INFORMATION;

typedef struct MP_SERVICES MP_SERVICES;
struct MP_SERVICES {
	EFI_STATUS(EFIAPI *GetNumberOfProcessors)(MP_SERVICES *This, UINTN *Number,
						  UINTN *Enabled);
	EFI_STATUS(EFIAPI *GetProcessorInfo)(MP_SERVICES *This, UINTN Number,
					     PROCESSOR_INFORMATION *Info);
	/* StartupAllAPs and the rest: not used */
};

void boot_find_cpus(struct boot_info *bi)
{
	struct madt_info *out = &bi->fw_cpus;
	MP_SERVICES *mp;
	UINTN n = 0, enabled = 0;

	out->n_cpus = 0;
	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &mp_services_guid,
					NULL, (void **)&mp)) ||
	    EFI_ERROR(uefi_call_wrapper(mp->GetNumberOfProcessors, 3, mp, &n, &enabled)))
		return;
	for (UINTN i = 0; i < n; i++) {
		PROCESSOR_INFORMATION info;

		SetMem(&info, sizeof(info), 0);
		if (EFI_ERROR(uefi_call_wrapper(mp->GetProcessorInfo, 3, mp, i, &info)))
			continue;
		if (!(info.StatusFlag & PROCESSOR_ENABLED_BIT)) {
			out->n_disabled++;
			continue;
		}
		if (out->n_cpus == MADT_MAX_CPUS) {
			if (!out->n_over_max++)
				out->first_over_max = info.ProcessorId;
			continue;
		}
		out->cpus[out->n_cpus++] = (struct madt_cpu){
			.apic_id = info.ProcessorId,
			.uid = i,
			.flags = MADT_LAPIC_ENABLED,
		};
	}
}
