// SPDX-License-Identifier: GPL-2.0
/*
 * delay-probe: what tests/helpers/delay-shim.so really adds to a guard
 * install, measured in one process so both sides see the same machine.
 *
 *	GB_DELAY_NS=N LD_PRELOAD=tests/helpers/delay-shim.so \
 *		tests/helpers/delay-probe [CPU [BLOCKS]]
 *
 * Blocks of PAIRS install+remove pairs on one anon page alternate
 * between an install through madvise() as the program links it (the
 * shim's, when preloaded) and one through libc's own madvise(), found
 * with dlsym() on libc itself; the remove is libc's in both.  Each
 * block is timed once around with CLOCK_MONOTONIC.  The median over
 * BLOCKS (2000) pairs of adjacent blocks of their difference is the
 * delay the shim added, wrapper included (the medians of each kind, and
 * their difference, are printed too):
 *
 *	added_ns: X
 *
 * Then the same for syscall(SYS_madvise, ...) (added_syscall_ns).
 * Without the shim both read about 0, which is how a test checks the
 * probe itself.  Pinned to CPU (default: where it starts).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

#define PAIRS 64

typedef int (*madvise_fn)(void *, size_t, int);
typedef long (*syscall_fn)(long, ...);

static char *range;
static size_t page;
static madvise_fn libc_madvise;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

/* ns per pair of one block, installing with @m or (if NULL) @s */
static double block(madvise_fn m, syscall_fn s)
{
	uint64_t t0 = mono_ns();

	for (int i = 0; i < PAIRS; i++) {
		int r = m ? m(range, page, MADV_GUARD_INSTALL) :
			    (int)s(SYS_madvise, range, page,
				   MADV_GUARD_INSTALL);

		if (r || libc_madvise(range, page, MADV_GUARD_REMOVE))
			fail("madvise guard install/remove");
	}
	return (double)(mono_ns() - t0) / PAIRS;
}

static void measure(const char *name, madvise_fn m1, syscall_fn s1,
		    madvise_fn m0, syscall_fn s0, long blocks)
{
	double *with = calloc((size_t)blocks, sizeof(double));
	double *without = calloc((size_t)blocks, sizeof(double));
	double *diff = calloc((size_t)blocks, sizeof(double));
	double w, wo, d;

	if (!with || !without || !diff)
		fail("calloc");
	for (long b = 0; b < 50; b++)		/* warm-up */
		block(m1, s1), block(m0, s0);
	for (long b = 0; b < blocks; b++) {
		/* ABBA: neither kind always runs first */
		if (b & 1) {
			without[b] = block(m0, s0);
			with[b] = block(m1, s1);
		} else {
			with[b] = block(m1, s1);
			without[b] = block(m0, s0);
		}
	}
	for (long b = 0; b < blocks; b++)
		diff[b] = with[b] - without[b];
	/* adjacent blocks paired: a change of machine speed cancels */
	d = median(diff, (size_t)blocks);
	w = median(with, (size_t)blocks);
	wo = median(without, (size_t)blocks);
	printf("%s_plain_pair_ns: %.1f\n", name, wo);
	printf("%s_shimmed_pair_ns: %.1f\n", name, w);
	printf("%s_unpaired_added_ns: %.1f\n", name, w - wo);
	printf("added_%sns: %.1f\n", strcmp(name, "madvise") ? "syscall_" : "",
	       d);
	free(with);
	free(without);
	free(diff);
}

int main(int argc, char **argv)
{
	long blocks = argc > 2 ? atol(argv[2]) : 2000;
	const char *asked = getenv("GB_DELAY_NS");
	syscall_fn libc_syscall;
	void *libc;

	if (argc > 3 || blocks < 10) {
		fprintf(stderr, "usage: delay-probe [CPU [BLOCKS >= 10]]\n");
		return 2;
	}
	if (argc > 1 && argv[1][0]) {		/* "": not pinned */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(atoi(argv[1]), &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fail("sched_setaffinity");
	}
	libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	if (!libc) {
		fprintf(stderr, "delay-probe: libc.so.6: %s\n", dlerror());
		return 1;
	}
	libc_madvise = (madvise_fn)dlsym(libc, "madvise");
	libc_syscall = (syscall_fn)dlsym(libc, "syscall");
	if (!libc_madvise || !libc_syscall) {
		fprintf(stderr, "delay-probe: libc lacks madvise or syscall\n");
		return 1;
	}
	page = (size_t)sysconf(_SC_PAGESIZE);
	range = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (range == MAP_FAILED)
		fail("mmap");
	range += page;
	printf("asked_ns: %s\n", asked && *asked ? asked : "0");
	printf("shim_loaded: %s\n",
	       (madvise_fn)madvise == libc_madvise ? "no" : "yes");
	measure("madvise", madvise, NULL, libc_madvise, NULL, blocks);
	measure("syscall", NULL, syscall, NULL, libc_syscall, blocks);
	return 0;
}
