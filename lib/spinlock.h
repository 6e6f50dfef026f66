/* SPDX-License-Identifier: MIT */
/*
 * The one lock Shale has: a spinlock that the CPU holding it may take again.
 *
 * Re-entry is allowed because the paths that need a lock are also the
 * paths a bug report takes: a CPU that faults while it prints must still
 * print its report, through the same lock. The holder is named by a token
 * (its CPU index + 1, from spin_self()), so 0 means free.
 *
 * spin_lock_bounded() gives up after a number of tries: a panic report
 * takes the console that way, since the CPU holding it may have been
 * stopped for good.
 */
#ifndef SHALE_LIB_SPINLOCK_H
#define SHALE_LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t owner; /* 0: free; else the holder's token */
	uint32_t depth;          /* how often the holder has taken it */
};

/* This CPU's token; set once per-CPU data exists (arch/x86/smp.c).
 * Before that there is one CPU, token 1. */
extern uint32_t (*spin_self)(void);

static inline uint32_t spin_token(void)
{
	return spin_self ? spin_self() : 1;
}

static inline bool spin_trylock(struct spinlock *l, uint32_t me)
{
	uint32_t free = 0;

	if (l->owner == me) {
		l->depth++;
		return true;
	}
	if (__atomic_compare_exchange_n(&l->owner, &free, me, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		l->depth = 1;
		return true;
	}
	return false;
}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = spin_token();

	while (!spin_trylock(l, me))
		__builtin_ia32_pause();
}

/* Returns false when the lock stayed taken through `tries` attempts; the
 * caller then goes on without it. */
static inline bool spin_lock_bounded(struct spinlock *l, unsigned long tries)
{
	uint32_t me = spin_token();

	for (unsigned long i = 0; i < tries; i++) {
		if (spin_trylock(l, me))
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

static inline void spin_unlock(struct spinlock *l)
{
	if (--l->depth == 0)
		__atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
}

#endif
