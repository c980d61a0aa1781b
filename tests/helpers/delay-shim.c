// SPDX-License-Identifier: GPL-2.0
/*
 * delay-shim: LD_PRELOAD library that makes every guard install slower
 * by a known amount, to check that guard-bench reports a change in full.
 *
 *	GB_DELAY_NS=N LD_PRELOAD=tests/helpers/delay-shim.so COMMAND ...
 *
 * Before each madvise(..., MADV_GUARD_INSTALL) made through libc's
 * madvise() or syscall(SYS_madvise, ...) it busy-waits N ns on the
 * cycle counter (CLOCK_MONOTONIC where there is none), then makes the
 * real call.  Every other call passes straight through.  What a call
 * actually costs more is measured by tests/helpers/delay-probe, not
 * assumed to be N: the wait overshoots by up to one counter read.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static int (*real_madvise)(void *, size_t, int);
static long (*real_syscall)(long, ...);
static uint64_t delay_ticks;	/* 0: no delay */
static double ticks_per_ns = 1.0;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
static inline uint64_t ticks(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}
#elif defined(__aarch64__)
static inline uint64_t ticks(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}
#else
static inline uint64_t ticks(void)
{
	return mono_ns();
}
#endif

/* Counter ticks per ns: 20 ms against CLOCK_MONOTONIC. */
static double calibrate(void)
{
	uint64_t m0 = mono_ns(), c0 = ticks(), m1, c1;

	do
		m1 = mono_ns();
	while (m1 - m0 < 20000000ull);
	c1 = ticks();
	return (double)(c1 - c0) / (double)(m1 - m0);
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *s = getenv("GB_DELAY_NS");
	char *end;
	long ns;

	real_madvise = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT,
							   "madvise");
	real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (!real_madvise || !real_syscall) {
		fprintf(stderr, "delay-shim: cannot find libc's madvise or "
			"syscall: %s\n", dlerror());
		abort();
	}
	if (!s || !*s)
		return;
	ns = strtol(s, &end, 10);
	if (*end || ns < 0 || ns > 100000000) {
		fprintf(stderr, "delay-shim: GB_DELAY_NS=%s: want ns, "
			"0 to 100000000\n", s);
		abort();
	}
	if (ns == 0)
		return;
	ticks_per_ns = calibrate();
	delay_ticks = (uint64_t)((double)ns * ticks_per_ns + 0.5);
	if (!delay_ticks)
		delay_ticks = 1;
}

static inline void delay(void)
{
	uint64_t t0;

	if (!delay_ticks)
		return;
	t0 = ticks();
	/*
	 * No pause/yield in the spin: x86's pause alone takes up to ~140
	 * cycles on recent cores, an overshoot of tens of ns.
	 */
	while (ticks() - t0 < delay_ticks)
		;
}

int madvise(void *addr, size_t len, int advice)
{
	if (advice == MADV_GUARD_INSTALL)
		delay();
	return real_madvise(addr, len, advice);
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_madvise && (int)a[2] == MADV_GUARD_INSTALL)
		delay();
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
