/* SPDX-License-Identifier: GPL-2.0 */
/* The per-operation timer: inline serialising reads, ticks to ns. */
#ifndef GB_CLOCK_H
#define GB_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The per-operation timer.  Reads are inline and serialising so that the
 * timed region is exactly the operation: on x86_64 `rdtscp` waits for
 * earlier instructions, and the `lfence` after it keeps later ones from
 * starting early; on arm64 `isb` orders the read of cntvct_el0 likewise.
 * Ticks are converted to ns only when a histogram is summarised, never
 * inside the timed loop.
 */
enum gb_timer {
	GB_TIMER_TSC,		/* x86_64 rdtscp / lfence;rdtsc */
	GB_TIMER_CNTVCT,	/* arm64 generic timer */
	GB_TIMER_CLOCK_GETTIME,	/* fallback: CLOCK_MONOTONIC, 1 tick = 1 ns */
};

struct gb_clock {
	enum gb_timer kind;
	double ns_per_tick;
	double overhead_ns;	/* median cost of one back-to-back read */
	double calib_spread_ppm;/* disagreement between calibration rounds */
	uint64_t counter_hz;	/* arm64: cntfrq_el0; 0 where not architected */
	/*
	 * The step the counter advances by: the GCD of many read-to-read
	 * differences.  1 on most CPUs; on AMD Zen (here: EPYC under KVM)
	 * the TSC moves in steps of P0 MHz / 100 MHz ticks, i.e. 10 ns,
	 * so every interval is a multiple of 10 ns and an uninterpolated
	 * median can only move in 10-ns steps.
	 */
	uint64_t resolution_ticks;
	char fallback_reason[160];	/* why not the cycle counter, or "" */
};

extern enum gb_timer gb_timer_kind;

static inline uint64_t gb_clock_gettime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
extern int gb_have_rdtscp;
static inline uint64_t gb_counter_read(void)
{
	uint32_t lo, hi, aux;

	if (gb_have_rdtscp) {
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux)
				 : : "memory");
	} else {
		__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)
				 : : "memory");
	}
	__asm__ volatile("lfence" : : : "memory");
	return ((uint64_t)hi << 32) | lo;
}
#elif defined(__aarch64__)
static inline uint64_t gb_counter_read(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) : : "memory");
	return v;
}
#else
static inline uint64_t gb_counter_read(void)
{
	return gb_clock_gettime_ns();
}
#endif

static inline uint64_t gb_clock_read(void)
{
	if (__builtin_expect(gb_timer_kind == GB_TIMER_CLOCK_GETTIME, 0))
		return gb_clock_gettime_ns();
	return gb_counter_read();
}

/*
 * Pick and calibrate the timer.  @want is "auto", "tsc"/"cntvct" (the
 * cycle counter, refused if not invariant) or "clock_gettime".
 * Returns 0, or -EINVAL for an unknown name, -ENOTSUP when the counter
 * was asked for but cannot be trusted (reason in c->fallback_reason).
 */
/* What --timer takes: "auto", "tsc", ..., ending with NULL. */
extern const char *const gb_timer_names[];
int gb_clock_init(struct gb_clock *c, const char *want);
/* GCD of the non-zero values of @d (1 if none): the counter's step. */
uint64_t gb_clock_step(const uint64_t *d, size_t n);
const char *gb_clock_name(const struct gb_clock *c);
/* Is the counter invariant?  Fills @why when not.  Parses cpuinfo flags. */
int gb_clock_counter_invariant(const char *cpuinfo_flags, char *why,
			       size_t len);

static inline double gb_ticks_to_ns(const struct gb_clock *c, double ticks)
{
	return ticks * c->ns_per_tick;
}

#endif
