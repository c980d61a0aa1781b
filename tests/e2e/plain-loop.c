// SPDX-License-Identifier: GPL-2.0
/*
 * plain-loop: the reference the harness is checked against.  N install +
 * remove pairs on one anon page, one clock_gettime pair around the whole
 * loop and nothing inside it.  Prints pairs per second.
 *
 *	plain-loop CPU PAIRS
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
	long page = sysconf(_SC_PAGESIZE), pairs;
	cpu_set_t set;
	double s;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: plain-loop CPU PAIRS\n");
		return 2;
	}
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
	printf("%.0f\n", (double)pairs / s);
	return 0;
}
