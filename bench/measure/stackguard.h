/* SPDX-License-Identifier: GPL-2.0 */
/* How this C library guards new threads' stacks, measured. */
#ifndef GB_STACKGUARD_H
#define GB_STACKGUARD_H

#include <stddef.h>
#include <stdint.h>

/*
 * How this process's C library guards the stacks of new threads.
 * glibc 2.42 and later put the guard page in with MADV_GUARD_INSTALL
 * (falling back to mprotect(PROT_NONE) where the kernel refuses it);
 * earlier versions always mprotect it, which makes the guard a VMA of
 * its own.  Measured by creating one thread with default attributes and
 * looking at what lies below its stack, never inferred from the version.
 */
enum gb_stack_guard {
	GB_STACK_GUARD_UNKNOWN,		/* could not tell: see the reason */
	GB_STACK_GUARD_NONE,		/* no guard page at all */
	GB_STACK_GUARD_MPROTECT,	/* a PROT_NONE VMA below the stack */
	GB_STACK_GUARD_INSTALL,		/* MADV_GUARD_INSTALL markers */
};

/* "unknown", "none", "mprotect", "guard-install" */
const char *gb_stack_guard_name(enum gb_stack_guard g);

/*
 * Probe it.  @why says what was seen ("a PROT_NONE VMA of 4096 bytes
 * below a new thread's stack", "`gu` on a new thread's stack VMA").
 */
enum gb_stack_guard gb_stack_guard_probe(char *why, size_t whylen);

/*
 * The decision itself, for a stack whose lowest usable byte is @low
 * with @guard bytes of guard below it: what /proc/self/maps, smaps and
 * pagemap say lies there.  Unit-tested on stacks made both ways.
 */
enum gb_stack_guard gb_stack_guard_classify(uintptr_t low, size_t guard,
					    char *why, size_t whylen);

/* gnu_get_libc_version(), or "unknown" on another C library. */
const char *gb_libc_version(void);

/*
 * One line for detect and meta.txt:
 * "mprotect (glibc 2.36: a PROT_NONE VMA of 4096 bytes below ...)".
 */
void gb_stack_guard_describe(char *buf, size_t len);

#endif
