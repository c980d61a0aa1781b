// SPDX-License-Identifier: GPL-2.0
/*
 * plain-loop: the reference the harness is checked against.  CHUNKS runs
 * of PAIRS install + remove pairs on one anon page, one clock_gettime
 * pair around each run and nothing inside it.  Prints the best run's
 * pairs per second: on a loaded machine noise only slows a run down, and
 * the harness is read the same way (its best trial).
 *
 *	plain-loop CPU PAIRS [CHUNKS]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	long page = sysconf(_SC_PAGESIZE), pairs, chunks;
	double s, best = 0;
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
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < pairs; i++) {
			if (madvise(p + page, page, MADV_GUARD_INSTALL) ||
			    madvise(p + page, page, MADV_GUARD_REMOVE)) {
				perror("madvise");
				return 1;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		s = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
		if ((double)pairs / s > best)
			best = (double)pairs / s;
	}
	printf("%.0f\n", best);
	return 0;
}
