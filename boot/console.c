/* SPDX-License-Identifier: MIT */
/* The firmware's text console, for the person watching a screen. */
#include "boot/boot.h"

void boot_console_write(const char *s, size_t len)
{
	CHAR16 buf[130];
	size_t n = 0;

	/* ConOut takes UCS-2 and wants CR LF. Flush in small chunks. */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			buf[n++] = L'\r';
		buf[n++] = (unsigned char)s[i];
		if (n >= 128 || i + 1 == len) {
			buf[n] = 0;
			uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut,
					  buf);
			n = 0;
		}
	}
}

/* Does the firmware already copy its console to a serial port? Then a
 * line Shale writes to both would show twice on the serial console. A
 * text-output device whose device path has a UART node says so (UEFI spec
 * 10.3.4.12, UART device path). */
bool boot_console_reaches_serial(void)
{
	EFI_HANDLE *handles = NULL;
	UINTN n = 0;
	bool found = false;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateHandleBuffer, 5, ByProtocol,
					&TextOutProtocol, NULL, &n, &handles)))
		return false;
	for (UINTN i = 0; i < n && !found; i++) {
		EFI_DEVICE_PATH *dp = DevicePathFromHandle(handles[i]);

		for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp))
			if (DevicePathType(dp) == MESSAGING_DEVICE_PATH &&
			    DevicePathSubType(dp) == MSG_UART_DP)
				found = true;
	}
	FreePool(handles);
	return found;
}
