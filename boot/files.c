/* SPDX-License-Identifier: MIT */
/* Reading whole files from the config partition into memory. */
#include "boot/boot.h"

#define MAX_NAME 128

static void to_path(const char *name, CHAR16 *wname)
{
	UINTN n;

	/* UEFI paths use backslashes. */
	for (n = 0; name[n] && n < MAX_NAME - 1; n++)
		wname[n] = name[n] == '/' ? L'\\' : (unsigned char)name[n];
	wname[n] = 0;
}

EFI_STATUS boot_file_size(EFI_FILE_HANDLE root, const char *name, uint64_t *size)
{
	CHAR16 wname[MAX_NAME];
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_STATUS st;

	to_path(name, wname);
	st = uefi_call_wrapper(root->Open, 5, root, &f, wname,
			       EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(f);
	uefi_call_wrapper(f->Close, 1, f);
	if (!info)
		return EFI_DEVICE_ERROR;
	if (info->Attribute & EFI_FILE_DIRECTORY) {
		FreePool(info);
		return EFI_NOT_FOUND;
	}
	*size = info->FileSize;
	FreePool(info);
	return EFI_SUCCESS;
}

EFI_STATUS boot_read_file(EFI_FILE_HANDLE root, const char *name,
			  uint64_t *addr, uint64_t *size)
{
	CHAR16 wname[MAX_NAME];
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_PHYSICAL_ADDRESS pages = 0;
	EFI_STATUS st;
	UINTN len, n;

	to_path(name, wname);
	st = uefi_call_wrapper(root->Open, 5, root, &f, wname,
			       EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(f);
	if (!info) {
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_DEVICE_ERROR;
	}
	if (info->Attribute & EFI_FILE_DIRECTORY) {
		FreePool(info);
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_NOT_FOUND;
	}
	len = info->FileSize;
	FreePool(info);
	/* Whole pages: the hypervisor later hands guest images around by
	 * page. One page at least, so an empty file still has an address. */
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
			       EfiLoaderData, EFI_SIZE_TO_PAGES(len ? len : 1),
			       &pages);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(f->Close, 1, f);
		return st;
	}
	n = len;
	st = uefi_call_wrapper(f->Read, 3, f, &n, (void *)pages);
	uefi_call_wrapper(f->Close, 1, f);
	if (EFI_ERROR(st) || n != len) {
		uefi_call_wrapper(BS->FreePages, 2, pages,
				  EFI_SIZE_TO_PAGES(len ? len : 1));
		return EFI_ERROR(st) ? st : EFI_END_OF_FILE;
	}
	*addr = pages;
	*size = len;
	return EFI_SUCCESS;
}
