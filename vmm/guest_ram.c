/* SPDX-License-Identifier: MIT */
#include "lib/printf.h"
#include "vmm/guest_ram.h"

void guest_ram_layout(uint64_t size, struct guest_ram *ram)
{
	uint64_t low = size < GUEST_LOW_RAM_TOP ? size : GUEST_LOW_RAM_TOP;

	*ram = (struct guest_ram){ .size = size };
	if (low)
		ram->r[ram->n++] = (struct guest_ram_range){ 0, low, 0 };
	if (size > low)
		ram->r[ram->n++] = (struct guest_ram_range){
			GUEST_HIGH_RAM_BASE, size - low, 0 };
}

uint64_t guest_ram_low_size(const struct guest_ram *ram)
{
	return ram->n && ram->r[0].gpa == 0 ? ram->r[0].size : 0;
}

uint64_t guest_ram_end(const struct guest_ram *ram)
{
	const struct guest_ram_range *last;

	if (!ram->n)
		return 0;
	last = &ram->r[ram->n - 1];
	return last->gpa + last->size;
}

const struct guest_ram_range *guest_ram_find(const struct guest_ram *ram,
					     uint64_t gpa, uint64_t len)
{
	if (!len)
		return NULL;
	for (unsigned i = 0; i < ram->n; i++) {
		const struct guest_ram_range *r = &ram->r[i];

		/* Written so that nothing can wrap: gpa - r->gpa only once
		 * gpa >= r->gpa, len compared before it is subtracted. */
		if (gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

bool guest_ram_to_host(const struct guest_ram *ram, uint64_t gpa,
		       uint64_t len, uint64_t *hpa)
{
	const struct guest_ram_range *r = guest_ram_find(ram, gpa, len);

	if (!r || !r->hpa)
		return false;
	*hpa = r->hpa + (gpa - r->gpa);
	return true;
}

int guest_ram_describe(const struct guest_ram *ram, char *buf, size_t size)
{
	int len = 0;

	if (size)
		buf[0] = 0;
	if (!ram->n)
		return ksnprintf(buf, size, "none");
	for (unsigned i = 0; i < ram->n; i++) {
		const struct guest_ram_range *r = &ram->r[i];
		size_t at = (size_t)len < size ? (size_t)len : size;

		/* "0-0x...", as Shale's messages have always written it */
		if (r->gpa)
			len += ksnprintf(buf + at, size - at, "%s0x%llx-0x%llx",
					 i ? ", " : "", (unsigned long long)r->gpa,
					 (unsigned long long)(r->gpa + r->size - 1));
		else
			len += ksnprintf(buf + at, size - at, "%s0-0x%llx",
					 i ? ", " : "",
					 (unsigned long long)(r->size - 1));
	}
	return len;
}
