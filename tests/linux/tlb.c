/* SPDX-License-Identifier: MIT */
/*
 * shale-tlb: two threads of one process, pinned to CPUs 0 and 1, each
 * mapping, touching and unmapping a page a few hundred times. Unmapping a
 * page of an address space that another CPU is using makes the kernel
 * send that CPU a TLB shootdown IPI, so /proc/interrupts' TLB line grows
 * on both CPUs: the IPIs go through Shale's local APIC model between two
 * vCPUs. Prints "SHALE-TLB: done" and exits. No libc: raw system calls.
 */
#define SYS_WRITE 1
#define SYS_MMAP 9
#define SYS_MUNMAP 11
#define SYS_SCHED_YIELD 24
#define SYS_CLONE 56
#define SYS_EXIT 60
#define SYS_SCHED_SETAFFINITY 203
#define SYS_EXIT_GROUP 231

#define CLONE_THREAD_FLAGS 0x00050f00 /* VM FS FILES SIGHAND THREAD SYSVSEM */
#define ROUNDS 300

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	register long r9 asm("r9") = f;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
		     : "rcx", "r11", "memory");
	return ret;
}

static volatile int started, finished;
static char stack[16384] __attribute__((aligned(16)));

static void work(long cpu)
{
	unsigned long mask = 1ul << cpu;

	sys6(SYS_SCHED_SETAFFINITY, 0, sizeof(mask), (long)&mask, 0, 0, 0);
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (started < 2) /* both threads on their CPUs before the unmaps */
		sys6(SYS_SCHED_YIELD, 0, 0, 0, 0, 0, 0);
	for (int i = 0; i < ROUNDS; i++) {
		/* PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS */
		volatile char *p = (char *)sys6(SYS_MMAP, 0, 4096, 3, 0x22, -1, 0);

		if ((long)p < 0)
			break;
		p[0] = 1;
		sys6(SYS_MUNMAP, (long)p, 4096, 0, 0, 0, 0);
	}
}

static void thread(void)
{
	work(1);
	__atomic_store_n(&finished, 1, __ATOMIC_SEQ_CST);
	sys6(SYS_EXIT, 0, 0, 0, 0, 0, 0);
}

void _start(void)
{
	static const char done[] = "SHALE-TLB: done\n";
	long ret;

	/* The new thread starts on its own stack and calls thread(). */
	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "call *%%rbx\n\t"
		     "1:"
		     : "=a"(ret)
		     : "a"(SYS_CLONE), "D"(CLONE_THREAD_FLAGS), "S"(stack + sizeof(stack)),
		       "d"(0), "b"(thread)
		     : "rcx", "r11", "r8", "r9", "r10", "memory");
	if (ret > 0) {
		work(0);
		while (!finished)
			sys6(SYS_SCHED_YIELD, 0, 0, 0, 0, 0, 0);
		sys6(SYS_WRITE, 1, (long)done, sizeof(done) - 1, 0, 0, 0);
	}
	sys6(SYS_EXIT_GROUP, 0, 0, 0, 0, 0, 0);
	for (;;)
		;
}
