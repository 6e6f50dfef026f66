/* SPDX-License-Identifier: MIT */
/*
 * The host CPU's entropy instructions, for devices that hand randomness to
 * a guest (vmm/vdev/virtio_rng.h). RDRAND (CPUID.01H:ECX[30]) is preferred:
 * it is the one meant for bulk output; RDSEED (CPUID.(EAX=07H,ECX=0):
 * EBX[18]) serves where RDRAND is missing. Without either, Shale has no
 * source it would vouch for and gives none (no timer-jitter substitute).
 */
#ifndef SHALE_VMM_ENTROPY_H
#define SHALE_VMM_ENTROPY_H

#include <stdbool.h>
#include <stdint.h>

enum entropy_source { ENTROPY_NONE, ENTROPY_RDRAND, ENTROPY_RDSEED };

/* What this CPU has (CPUID), checked once. */
enum entropy_source entropy_source(void);
const char *entropy_source_name(enum entropy_source s);

/* Eight random bytes from the source. Retries a bounded number of times
 * when the instruction reports no data (CF = 0: an emptied buffer, SDM
 * Vol. 1, 7.3.17); false when it never gave any, or without a source. */
bool entropy_get64(void *ctx, uint64_t *out);

#endif
