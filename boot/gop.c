/* SPDX-License-Identifier: MIT */
/*
 * The screen: the framebuffer of the UEFI Graphics Output Protocol (UEFI
 * spec 12.9), found while the firmware still answers, for Shale's screen
 * console after ExitBootServices (drivers/fbcon.c). Shale keeps the mode
 * the firmware chose: the one its own console already draws in.
 */
#include "boot/boot.h"
#include "drivers/fbcon.h"
#include "lib/log.h"

#define SRC "screen"
/* Shale's page tables map the first 512 GiB (arch/x86/paging.c). */
#define MAPPED_TOP (512ull << 30)
#define BOOT_ERROR_PAUSE_S 10
/* The stand-in screen of a test run without one (boot_prepare_screen()). */
#define STAND_IN_W 640
#define STAND_IN_H 480

static const char *const format_names[] = {
	[PixelRedGreenBlueReserved8BitPerColor] = "RGB, 8 bits a colour",
	[PixelBlueGreenRedReserved8BitPerColor] = "BGR, 8 bits a colour",
	[PixelBitMask] = "bit masks",
	[PixelBltOnly] = "Blt only",
};

/* The pixel layout as masks; false if Shale cannot draw in it. */
static bool pixel_masks(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi,
			struct fb_info *fb)
{
	switch (mi->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->red_mask = 0x0000ff, fb->green_mask = 0x00ff00, fb->blue_mask = 0xff0000;
		return true;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->red_mask = 0xff0000, fb->green_mask = 0x00ff00, fb->blue_mask = 0x0000ff;
		return true;
	case PixelBitMask:
		/* The highest bit of the masks sets the pixel's size (UEFI spec
		 * 12.9): Shale draws 32-bit pixels only, not 16- or 24-bit ones. */
		fb->red_mask = mi->PixelInformation.RedMask;
		fb->green_mask = mi->PixelInformation.GreenMask;
		fb->blue_mask = mi->PixelInformation.BlueMask;
		return fb->red_mask && fb->green_mask && fb->blue_mask &&
		       ((fb->red_mask | fb->green_mask | fb->blue_mask |
			 mi->PixelInformation.ReservedMask) >> 24);
	default:
		return false;
	}
}

void boot_find_screen(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi;
	struct fb_info *fb = &bi->fb;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol,
					NULL, (void **)&gop)) || !gop || !gop->Mode ||
	    !gop->Mode->Info) {
		log_info(SRC, "no Graphics Output Protocol: no screen, the log stays on serial");
		return;
	}
	mi = gop->Mode->Info;
	if (!pixel_masks(mi, fb)) {
		log_info(SRC, "the screen's mode %u has no framebuffer Shale can draw in (%s): the log stays on serial",
			 gop->Mode->Mode, mi->PixelFormat < PixelFormatMax ?
			 format_names[mi->PixelFormat] : "unknown pixel format");
		return;
	}
	if (!gop->Mode->FrameBufferBase || mi->PixelsPerScanLine < mi->HorizontalResolution ||
	    (uint64_t)mi->PixelsPerScanLine * mi->VerticalResolution * 4 >
	    gop->Mode->FrameBufferSize) {
		log_info(SRC, "the screen's framebuffer at 0x%lx+0x%lx does not fit its %ux%u mode: the log stays on serial",
			 (unsigned long)gop->Mode->FrameBufferBase,
			 (unsigned long)gop->Mode->FrameBufferSize,
			 mi->HorizontalResolution, mi->VerticalResolution);
		SetMem(fb, sizeof(*fb), 0);
		return;
	}
	if (gop->Mode->FrameBufferBase + gop->Mode->FrameBufferSize > MAPPED_TOP) {
		log_info(SRC, "the screen's framebuffer at 0x%lx lies beyond the 512 GiB Shale maps: the log stays on serial",
			 (unsigned long)gop->Mode->FrameBufferBase);
		SetMem(fb, sizeof(*fb), 0);
		return;
	}
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = mi->HorizontalResolution;
	fb->height = mi->VerticalResolution;
	fb->stride = mi->PixelsPerScanLine;
	/* The console's text grid, from the firmware while it hands out
	 * memory: loader data, which Shale keeps. */
	{
		EFI_PHYSICAL_ADDRESS cells = 0;

		if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
						EfiLoaderData,
						EFI_SIZE_TO_PAGES(fbcon_cells_size(fb)), &cells))) {
			log_info(SRC, "no memory for the screen console: the log stays on serial");
			SetMem(fb, sizeof(*fb), 0);
			return;
		}
		bi->fb_cells = cells;
	}
	log_info(SRC, "framebuffer %ux%u at 0x%lx, %u pixels a row, %s",
		 fb->width, fb->height, (unsigned long)fb->base, fb->stride,
		 format_names[mi->PixelFormat]);
}

/* The framebuffer is MMIO that the firmware's memory map need not list:
 * listed as reserved, it falls under Shale's identity map, which covers
 * every region of the map (vmm/main.c, memory_top()). */
static void boot_reserve_screen(struct boot_info *bi)
{
	if (bi->fb.base && bi->n_mem < BOOT_MAX_MEM)
		bi->mem[bi->n_mem++] = (struct boot_mem_region){
			bi->fb.base, bi->fb.size, BOOT_MEM_RESERVED
		};
}

/* Shale's tests run in Bochs, whose firmware offers no framebuffer Shale
 * can use (docs/console.md): with selftest = on, a screen in RAM stands in
 * for the missing one, so that a whole run, guests' output included, goes
 * through the screen console and its read-back check. Before the memory
 * map, while the firmware still hands out pages. */
void boot_prepare_screen(struct boot_info *bi)
{
	struct fb_info *fb = &bi->fb;
	EFI_PHYSICAL_ADDRESS ram = 0, cells = 0;
	uint64_t bytes = (uint64_t)STAND_IN_W * STAND_IN_H * 4;

	if (fb->base || !bi->config.selftest || bi->config.output == OUTPUT_SERIAL)
		return;
	*fb = (struct fb_info){ .size = bytes, .width = STAND_IN_W,
				.height = STAND_IN_H, .stride = STAND_IN_W,
				.red_mask = 0xff0000, .green_mask = 0x00ff00,
				.blue_mask = 0x0000ff };
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
					EfiLoaderData, EFI_SIZE_TO_PAGES(bytes), &ram)) ||
	    EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
					EfiLoaderData,
					EFI_SIZE_TO_PAGES(fbcon_cells_size(fb)), &cells))) {
		SetMem(fb, sizeof(*fb), 0);
		return;
	}
	fb->base = ram;
	bi->fb_cells = cells;
	log_info(SRC, "selftest = on and no framebuffer: a %ux%u screen in RAM at 0x%lx stands in",
		 STAND_IN_W, STAND_IN_H, (unsigned long)ram);
}

/* After ExitBootServices: the screen console, as `output` says. */
void boot_start_screen(struct boot_info *bi)
{
	enum console_output out = bi->config.output;

	boot_reserve_screen(bi);
	if (out == OUTPUT_SERIAL)
		return;
	if (!screen_start(&bi->fb, (void *)bi->fb_cells)) {
		if (out == OUTPUT_SCREEN)
			log_warn(SRC, "output = screen, but there is no screen to draw on: the log stays on serial");
		return;
	}
	if (out == OUTPUT_SCREEN) {
		log_info(SRC, "output = screen: the log leaves the serial port, which still takes input");
		log_set_serial_sink(NULL);
	}
}

/* Shale is about to return to the firmware, which goes on to the next
 * boot option and may clear the screen with it: a person at the screen
 * gets time to read why, or a key to go on at once. Not without a screen
 * (a serial console keeps its lines), nor with a config that asks for
 * the serial port alone. The console's pages go back to the firmware. */
void boot_screen_before_return(struct boot_info *bi)
{
	EFI_INPUT_KEY key;

	if (!bi->fb.base)
		return;
	if (bi->config.output != OUTPUT_SERIAL) {
		log_info("shale", "back to the firmware in %u seconds, or at a key press",
			 BOOT_ERROR_PAUSE_S);
		WaitForSingleEvent(ST->ConIn->WaitForKey, BOOT_ERROR_PAUSE_S * 10000000ull);
		uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key);
	}
	uefi_call_wrapper(BS->FreePages, 2, bi->fb_cells,
			  EFI_SIZE_TO_PAGES(fbcon_cells_size(&bi->fb)));
}
