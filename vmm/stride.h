/* SPDX-License-Identifier: MIT */
/*
 * Pass arithmetic of the stride scheduler (vmm/sched.c). Passes only grow,
 * by run time divided by weight, and are 64-bit: they wrap. Compared as
 * plain integers, a pass just past the wrap would look like the smallest
 * of all, and its vCPU would have the CPU to itself until the others
 * wrapped too. Every comparison goes through the signed difference, which
 * is right as long as two passes are less than 2^63 apart (the scheduler
 * keeps them within a slice or so of each other).
 * Pure, for the unit tests (tests/unit/test_stride.c).
 */
#ifndef SHALE_VMM_STRIDE_H
#define SHALE_VMM_STRIDE_H

#include <stdbool.h>
#include <stdint.h>

/* a comes before b: the vCPU with pass a is further behind. */
static inline bool pass_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* A vCPU back from a long sleep gets at most `credit` of pass behind
 * vtime (the pass of the vCPU picked last), not all the time it slept. */
static inline uint64_t pass_catch_up(uint64_t pass, uint64_t vtime,
				     uint64_t credit)
{
	return pass_before(pass + credit, vtime) ? vtime - credit : pass;
}

#endif
