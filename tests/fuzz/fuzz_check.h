/* SPDX-License-Identifier: MIT */
/* CHECK(cond) for the libFuzzer targets: a broken invariant abort()s,
 * which libFuzzer reports with the input that broke it. */
#ifndef SHALE_TESTS_FUZZ_CHECK_H
#define SHALE_TESTS_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "invariant failed: %s (line %d)\n",  \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

#endif
