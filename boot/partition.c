/* SPDX-License-Identifier: MIT */
/*
 * Finding the config partition by its GPT partition name, "shale-config",
 * not by a disk index: USB sticks and disks enumerate in any order.
 *
 * First choice is EFI_PARTITION_INFO_PROTOCOL (UEFI 2.7, section 13.18),
 * which hands over the partition's GPT entry. Firmware without it gets the
 * fallback: read every disk's GPT through EFI_BLOCK_IO_PROTOCOL and match
 * the partition's unique GUID against the hard-drive node of each file
 * system's device path (UEFI spec 5.3 "GPT Disk Layout", 10.3.5.1).
 */
#include "boot/boot.h"
#include "lib/log.h"
#include "lib/string.h"

#define SRC "boot"

static EFI_GUID partition_info_guid = { 0x8cf2f62c, 0xbc9b, 0x4821,
					{ 0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21,
					  0xa1, 0xa0 } };

#pragma pack(1)
struct gpt_entry {
	EFI_GUID type;
	EFI_GUID unique;
	UINT64 first_lba;
	UINT64 last_lba;
	UINT64 attributes;
	CHAR16 name[36];
};

struct partition_info {
	UINT32 revision;
	UINT32 type; /* 2 = GPT */
	UINT8 system;
	UINT8 reserved[7];
	union {
		UINT8 mbr[16];
		struct gpt_entry gpt;
	} info;
};
#pragma pack()

#define PARTITION_TYPE_GPT 2

static bool name_is_config(const CHAR16 *name)
{
	const CHAR16 *want = CONFIG_PARTITION_NAME;
	unsigned i;

	for (i = 0; want[i]; i++)
		if (name[i] != want[i])
			return false;
	return i == 36 || name[i] == 0;
}

/* The unique GUID of the GPT partition a device path ends in, if any. */
static bool device_path_gpt_guid(EFI_HANDLE h, EFI_GUID *out)
{
	EFI_DEVICE_PATH *dp = DevicePathFromHandle(h);

	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) == MEDIA_DEVICE_PATH &&
		    DevicePathSubType(dp) == MEDIA_HARDDRIVE_DP) {
			HARDDRIVE_DEVICE_PATH *hd = (HARDDRIVE_DEVICE_PATH *)dp;

			if (hd->SignatureType != SIGNATURE_TYPE_GUID)
				return false;
			memcpy(out, hd->Signature, sizeof(*out));
			return true;
		}
	}
	return false;
}

/* Fallback: collect the unique GUIDs of every GPT entry named shale-config
 * on every whole disk. */
static unsigned scan_disks_for_config(EFI_GUID *found, unsigned max)
{
	EFI_HANDLE *handles = NULL;
	UINTN n = 0;
	unsigned count = 0;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateHandleBuffer, 5, ByProtocol,
					&BlockIoProtocol, NULL, &n, &handles)))
		return 0;
	for (UINTN i = 0; i < n && count < max; i++) {
		EFI_BLOCK_IO *bio;
		UINT8 *buf;
		UINT32 bs, entries, esize;
		UINT64 lba;

		if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, handles[i],
						&BlockIoProtocol, (void **)&bio)) ||
		    bio->Media->LogicalPartition || !bio->Media->MediaPresent)
			continue;
		bs = bio->Media->BlockSize;
		if (bs < 512 || bs > 4096)
			continue;
		buf = AllocatePool(bs * 4);
		if (!buf)
			continue;
		if (EFI_ERROR(uefi_call_wrapper(bio->ReadBlocks, 5, bio,
						bio->Media->MediaId, 1, bs, buf)) ||
		    memcmp(buf, "EFI PART", 8)) {
			FreePool(buf);
			continue;
		}
		lba = *(UINT64 *)(buf + 72);
		entries = *(UINT32 *)(buf + 80);
		esize = *(UINT32 *)(buf + 84);
		if (esize < sizeof(struct gpt_entry) || esize > bs || entries > 1024) {
			FreePool(buf);
			continue;
		}
		for (UINT32 e = 0; e < entries && count < max; e++) {
			UINT32 per = bs / esize;

			if (e % per == 0 &&
			    EFI_ERROR(uefi_call_wrapper(bio->ReadBlocks, 5, bio,
							bio->Media->MediaId,
							lba + e / per, bs, buf)))
				break;
			struct gpt_entry *ge =
				(struct gpt_entry *)(buf + (e % per) * esize);
			if (name_is_config(ge->name))
				found[count++] = ge->unique;
		}
		FreePool(buf);
	}
	FreePool(handles);
	return count;
}

EFI_FILE_HANDLE boot_open_config_partition(void)
{
	EFI_HANDLE *handles = NULL;
	EFI_GUID gpt_found[8];
	unsigned n_gpt = 0;
	bool scanned = false, open_failed = false;
	UINTN n = 0;
	EFI_FILE_HANDLE root = NULL;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateHandleBuffer, 5, ByProtocol,
					&FileSystemProtocol, NULL, &n, &handles))) {
		log_err(SRC, "the firmware offers no file systems, so there is no config partition to read");
		return NULL;
	}
	for (UINTN i = 0; i < n && !root; i++) {
		struct partition_info *pi;
		bool match = false;

		if (!EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, handles[i],
						 &partition_info_guid,
						 (void **)&pi))) {
			match = pi->type == PARTITION_TYPE_GPT &&
				name_is_config(pi->info.gpt.name);
		} else {
			EFI_GUID g;

			if (!scanned) {
				n_gpt = scan_disks_for_config(gpt_found, 8);
				scanned = true;
			}
			if (device_path_gpt_guid(handles[i], &g))
				for (unsigned k = 0; k < n_gpt; k++)
					if (!memcmp(&g, &gpt_found[k], sizeof(g)))
						match = true;
		}
		if (match) {
			root = LibOpenRoot(handles[i]);
			open_failed = !root;
			if (!root)
				log_err(SRC, "found the \"shale-config\" partition but could not open its file system (is it FAT?)");
		}
	}
	FreePool(handles);
	if (!root && !open_failed)
		log_err(SRC, "no partition named \"shale-config\" with a FAT file system on any disk; tools/mkdisk.sh makes one");
	return root;
}
