// SPDX-License-Identifier: GPL-2.0
/*
 * A futex barrier for one cell's workers, threads or processes, whose
 * every wait can time out or be broken (barrier.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "measure/barrier.h"

/*
 * ThreadSanitizer cannot see synchronisation through a futex word that
 * a contender process (its own TSan runtime) may complete: say what the
 * barrier orders, within this process.
 */
#if defined(__SANITIZE_THREAD__)
#define GB_TSAN
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GB_TSAN
#endif
#endif
#ifdef GB_TSAN
#include <sanitizer/tsan_interface.h>
#define tsan_release(b) __tsan_release(b)
#define tsan_acquire(b) __tsan_acquire(b)
#else
#define tsan_release(b) do { } while (0)
#define tsan_acquire(b) do { } while (0)
#endif

/* Shared futex ops: the word may be mapped by several processes. */
static long futex(_Atomic uint32_t *word, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

void gb_barrier_init(struct gb_barrier *b, unsigned int count)
{
	atomic_init(&b->gen, 0);
	atomic_init(&b->arrived, 0);
	atomic_init(&b->broken, 0);
	b->count = count;
}

uint32_t gb_barrier_arrive(struct gb_barrier *b)
{
	uint32_t gen = atomic_load(&b->gen);

	tsan_release(b);
	if (atomic_fetch_add(&b->arrived, 1) + 1 == b->count) {
		/* the last one opens the next round, then lets all go */
		atomic_store(&b->arrived, 0);
		atomic_fetch_add(&b->gen, 1);
		futex(&b->gen, FUTEX_WAKE, INT_MAX, NULL);
	}
	return gen;
}

int gb_barrier_await(struct gb_barrier *b, uint32_t gen, double timeout_s)
{
	time_t sec = (time_t)timeout_s;
	struct timespec ts = {
		.tv_sec = sec,
		.tv_nsec = (long)((timeout_s - (double)sec) * 1e9),
	};

	if (atomic_load(&b->gen) == gen && !atomic_load(&b->broken))
		futex(&b->gen, FUTEX_WAIT, gen, &ts);
	if (atomic_load(&b->broken))
		return -ECANCELED;
	if (atomic_load(&b->gen) == gen)
		return -ETIMEDOUT;
	tsan_acquire(b);
	return 0;
}

int gb_barrier_wait(struct gb_barrier *b)
{
	uint32_t gen = gb_barrier_arrive(b);
	int ret;

	while ((ret = gb_barrier_await(b, gen, 1.0)) == -ETIMEDOUT)
		;
	return ret;
}

void gb_barrier_break(struct gb_barrier *b)
{
	atomic_store(&b->broken, 1);
	atomic_fetch_add(&b->gen, 1);
	futex(&b->gen, FUTEX_WAKE, INT_MAX, NULL);
}
