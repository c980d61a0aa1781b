// SPDX-License-Identifier: GPL-2.0
/*
 * plain-loop: the reference the harness is checked against, as bare as
 * a benchmark loop gets: one thread pinned with sched_setaffinity, no
 * hwloc, libpfm4 or other library beyond libc (built without them), a
 * private anon mapping of 1024 pages (MADV_NOHUGEPAGE), and CHUNKS runs
 * of PAIRS install + remove pairs on its second page, timed once around
 * each run and nothing inside it.
 *
 *	plain-loop CPU PAIRS [CHUNKS]
 *
 * Prints two numbers: the best run's pairs per second of wall time and
 * its pairs per second of the thread's CPU time.  On a loaded machine
 * noise only slows a run down, and the harness is read the same way
 * (its best trial); on a shared one the CPU-time rate leaves out the
 * time other tasks held the CPU, as the harness's pairs_per_sec /
 * subject_cpu_share does.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "measure/guard.h"

static double sec(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), pairs, chunks;
	double best = 0, best_cpu = 0;
	cpu_set_t set;
	char *p;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: plain-loop CPU PAIRS [CHUNKS]\n");
		return 2;
	}
	chunks = argc == 4 ? atol(argv[3]) : 1;
	CPU_ZERO(&set);
	CPU_SET(atoi(argv[1]), &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
	pairs = atol(argv[2]);
	p = mmap(NULL, 1024 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, 1024 * page, MADV_NOHUGEPAGE);
	for (long c = 0; c < chunks; c++) {
		double t0 = sec(CLOCK_MONOTONIC);
		double c0 = sec(CLOCK_THREAD_CPUTIME_ID), t, cpu;

		for (long i = 0; i < pairs; i++) {
			if (madvise(p + page, page, MADV_GUARD_INSTALL) ||
			    madvise(p + page, page, MADV_GUARD_REMOVE)) {
				perror("madvise");
				return 1;
			}
		}
		cpu = sec(CLOCK_THREAD_CPUTIME_ID) - c0;
		t = sec(CLOCK_MONOTONIC) - t0;
		if ((double)pairs / t > best)
			best = (double)pairs / t;
		if ((double)pairs / cpu > best_cpu)
			best_cpu = (double)pairs / cpu;
	}
	printf("%.0f %.0f\n", best, best_cpu);
	return 0;
}
