/* SPDX-License-Identifier: MIT */
/* Shared by the files of boot/, the only code that talks to the firmware. */
#ifndef SHALE_BOOT_BOOT_H
#define SHALE_BOOT_BOOT_H

#include <efi.h>
#include <efilib.h>

#include "vmm/boot_info.h"

#define CONFIG_PARTITION_NAME L"shale-config"
#define CONFIG_FILE_NAME L"shale.cfg"

/* Firmware console as a log sink (boot/console.c). */
void boot_console_write(const char *s, size_t len);
bool boot_console_reaches_serial(void);

/* Open the root directory of the FAT partition whose GPT name is
 * "shale-config" (boot/partition.c). NULL, with the reason logged, if none. */
EFI_FILE_HANDLE boot_open_config_partition(void);

/* Read a whole file into freshly allocated pages (boot/files.c).
 * Returns EFI_SUCCESS, EFI_NOT_FOUND, or another error. */
EFI_STATUS boot_read_file(EFI_FILE_HANDLE root, const char *name,
			  uint64_t *addr, uint64_t *size);

/* The size of a file, without reading it. */
EFI_STATUS boot_file_size(EFI_FILE_HANDLE root, const char *name, uint64_t *size);

/* The firmware's list of processors into bi->fw_cpus (boot/cpus.c). */
void boot_find_cpus(struct boot_info *bi);

/* The SPCR and MCFG through bi->acpi_rsdp (boot/fwtables.c): the console
 * the SPCR names where shale.cfg has none, bi->spcr and bi->mcfg. */
void boot_read_fw_tables(struct boot_info *bi);
/* The screen (boot/gop.c): its framebuffer into bi->fb while the firmware
 * answers; a pause before returning to the firmware with an error; a
 * stand-in for tests; Shale's screen console, after ExitBootServices. */
void boot_find_screen(struct boot_info *bi);
void boot_screen_before_return(struct boot_info *bi);
void boot_prepare_screen(struct boot_info *bi);
void boot_start_screen(struct boot_info *bi);

/* Memory map, ExitBootServices, then vmm_main() on a new stack
 * (boot/handoff.c). Returns only if ExitBootServices failed. */
EFI_STATUS boot_handoff(EFI_HANDLE image, struct boot_info *bi);

#endif
