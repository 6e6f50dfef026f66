/* SPDX-License-Identifier: MIT */
#include "lib/spinlock.h"

uint32_t (*spin_self)(void);
