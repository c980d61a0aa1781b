// SPDX-License-Identifier: GPL-2.0
/*
 * plain-loop-threads: the reference for a multi-thread cell, as bare as
 * plain-loop: one thread per CPU given, each pinned with
 * sched_setaffinity, each with its own private anon mapping of 1024
 * pages kept a VMA of its own by a PROT_NONE page after it (adjacent
 * mappings with the same flags merge into one VMA, and then the threads
 * measure same-VMA contention), installing and removing a guard on its
 * second page through libc's madvise() until SECONDS have passed.  No
 * hwloc, libpfm4 or timing inside the loop.
 *
 *	plain-loop-threads SECONDS CPU [CPU...]
 *
 * Prints one line per thread: its CPU, pairs per second of wall time,
 * pairs per second of its own CPU time.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "measure/guard.h"

#define MAX_THREADS 64

struct loop_thread {
	pthread_t tid;
	int cpu;
	long pairs;
	double cpu_sec;
	int failed;
};

static atomic_int started, stop;

static double sec(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *loop_main(void *arg)
{
	struct loop_thread *t = arg;
	long page = sysconf(_SC_PAGESIZE), n = 0;
	cpu_set_t set;
	double c0 = 0;
	char *p;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
	p = mmap(NULL, 1025 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + 1024 * page, page, PROT_NONE)) {
		perror("mmap");
		t->failed = 1;
	}
	if (!t->failed)
		madvise(p, 1024 * page, MADV_NOHUGEPAGE);
	atomic_fetch_add(&started, 1);
	while (!t->failed && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (n == 0)
			c0 = sec(CLOCK_THREAD_CPUTIME_ID);
		if (madvise(p + page, page, MADV_GUARD_INSTALL) ||
		    madvise(p + page, page, MADV_GUARD_REMOVE)) {
			perror("madvise");
			t->failed = 1;
		}
		n++;
	}
	t->cpu_sec = n ? sec(CLOCK_THREAD_CPUTIME_ID) - c0 : 0;
	t->pairs = n;
	return NULL;
}

int main(int argc, char **argv)
{
	struct loop_thread t[MAX_THREADS] = { 0 };
	int nr = argc - 2, failed = 0;
	double secs, t0, wall;

	if (argc < 3 || nr > MAX_THREADS || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: plain-loop-threads SECONDS CPU [CPU...]"
			" (at most %d CPUs)\n", MAX_THREADS);
		return 2;
	}
	for (int i = 0; i < nr; i++) {
		t[i].cpu = atoi(argv[i + 2]);
		if (pthread_create(&t[i].tid, NULL, loop_main, &t[i])) {
			perror("pthread_create");
			return 1;
		}
	}
	while (atomic_load(&started) < nr)
		sched_yield();
	t0 = sec(CLOCK_MONOTONIC);
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	wall = sec(CLOCK_MONOTONIC) - t0;
	for (int i = 0; i < nr; i++) {
		pthread_join(t[i].tid, NULL);
		failed |= t[i].failed;
		printf("%d %.0f %.0f\n", t[i].cpu, t[i].pairs / wall,
		       t[i].cpu_sec > 0 ? t[i].pairs / t[i].cpu_sec : 0);
	}
	return failed;
}
