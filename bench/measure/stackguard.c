// SPDX-License-Identifier: GPL-2.0
/*
 * Which guard the C library puts below a new thread's stack: seen from
 * inside a thread created with default attributes, in /proc/self/maps,
 * smaps (`gu`) and pagemap (the guard-region bit, Linux 6.15+).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#include "measure/guard.h"
#include "measure/stackguard.h"

#define PM_GUARD_REGION (1ULL << 58)	/* fs/proc/task_mmu.c */

struct probe {
	enum gb_stack_guard guard;
	int err;
	char why[192];
};

const char *gb_stack_guard_name(enum gb_stack_guard g)
{
	switch (g) {
	case GB_STACK_GUARD_NONE:
		return "none";
	case GB_STACK_GUARD_MPROTECT:
		return "mprotect";
	case GB_STACK_GUARD_INSTALL:
		return "guard-install";
	case GB_STACK_GUARD_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *gb_libc_version(void)
{
#ifdef __GLIBC__
	return gnu_get_libc_version();
#else
	return "unknown";
#endif
}

/* The VMA holding @a: bounds and the four permission letters. */
static int vma_of(uintptr_t a, uintptr_t *start, uintptr_t *end,
		  char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) == 3 &&
		    a >= s && a < e) {
			*start = s;
			*end = e;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* 1: pagemap marks the page at @a as a guard region; 0 no; -errno. */
static int pagemap_guard(uintptr_t a)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t ent;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, &ent, sizeof(ent), (off_t)(a / (uintptr_t)page) * 8);
	close(fd);
	if (n != sizeof(ent))
		return -EIO;
	return !!(ent & PM_GUARD_REGION);
}

enum gb_stack_guard gb_stack_guard_classify(uintptr_t low, size_t guard,
					    char *why, size_t whylen)
{
	uintptr_t gaddr = low - guard, s, e, ls, le;
	char perms[5] = "", lperms[5] = "";

	if (!guard) {
		snprintf(why, whylen, "a new thread reports guardsize 0: no "
			 "guard page");
		return GB_STACK_GUARD_NONE;
	}
	if (vma_of(gaddr, &s, &e, perms) || vma_of(low, &ls, &le, lperms)) {
		snprintf(why, whylen, "no VMA holds a new thread's stack or "
			 "the page below it in /proc/self/maps");
		return GB_STACK_GUARD_UNKNOWN;
	}
	if (!strcmp(perms, "---p") && e == low) {
		snprintf(why, whylen, "a PROT_NONE VMA of %lu bytes below a "
			 "new thread's stack", (unsigned long)(e - s));
		return GB_STACK_GUARD_MPROTECT;
	}
	if (s != ls) {
		snprintf(why, whylen, "the page below a new thread's stack "
			 "lies in another VMA (%s)", perms);
		return GB_STACK_GUARD_UNKNOWN;
	}
	if (gb_vma_has_flag((void *)gaddr, "gu") == 1) {
		snprintf(why, whylen, "`gu` on a new thread's stack VMA, no "
			 "PROT_NONE VMA below the stack");
		return GB_STACK_GUARD_INSTALL;
	}
	if (pagemap_guard(gaddr) == 1) {
		snprintf(why, whylen, "pagemap marks the page below a new "
			 "thread's stack as a guard region");
		return GB_STACK_GUARD_INSTALL;
	}
	snprintf(why, whylen, "the %zu bytes below a new thread's stack are "
		 "in its VMA (%s) with neither `gu` nor a pagemap guard mark "
		 "(kernel before 6.15?)", guard, perms);
	return GB_STACK_GUARD_UNKNOWN;
}

static void *probe_thread(void *arg)
{
	struct probe *p = arg;
	pthread_attr_t attr;
	size_t size, guard;
	void *low;

	if (pthread_getattr_np(pthread_self(), &attr)) {
		p->err = -EIO;
		snprintf(p->why, sizeof(p->why), "pthread_getattr_np failed");
		return NULL;
	}
	if (pthread_attr_getstack(&attr, &low, &size) ||
	    pthread_attr_getguardsize(&attr, &guard)) {
		p->err = -EIO;
		snprintf(p->why, sizeof(p->why), "pthread_attr_getstack "
			 "failed");
	} else {
		p->guard = gb_stack_guard_classify((uintptr_t)low, guard,
						   p->why, sizeof(p->why));
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

enum gb_stack_guard gb_stack_guard_probe(char *why, size_t whylen)
{
	struct probe p = { .guard = GB_STACK_GUARD_UNKNOWN };
	pthread_t t;
	int ret;

	ret = pthread_create(&t, NULL, probe_thread, &p);
	if (ret) {
		snprintf(why, whylen, "pthread_create: %s", strerror(ret));
		return GB_STACK_GUARD_UNKNOWN;
	}
	pthread_join(t, NULL);
	snprintf(why, whylen, "%s", p.why);
	return p.guard;
}

void gb_stack_guard_describe(char *buf, size_t len)
{
	char why[192];
	enum gb_stack_guard g = gb_stack_guard_probe(why, sizeof(why));

	snprintf(buf, len, "%s (glibc %s: %s)", gb_stack_guard_name(g),
		 gb_libc_version(), why);
}
