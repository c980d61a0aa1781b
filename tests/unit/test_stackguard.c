// SPDX-License-Identifier: GPL-2.0
/*
 * The stack-guard probe behind `detect`, meta.txt and the stacks
 * scenario's labels: stacks built the way each glibc builds them must be
 * told apart, on this kernel.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "measure/guard.h"
#include "measure/stackguard.h"

#define STACK_PAGES 16

/* glibc before 2.42: mmap PROT_NONE, open all but the lowest page. */
static void test_mprotect_guard(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, STACK_PAGES * page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	char why[192];

	(void)state;
	assert_true(mem != MAP_FAILED);
	assert_int_equal(mprotect(mem + page, (STACK_PAGES - 1) * page,
				  PROT_READ | PROT_WRITE), 0);
	assert_int_equal(gb_stack_guard_classify((uintptr_t)(mem + page), page,
						 why, sizeof(why)),
			 GB_STACK_GUARD_MPROTECT);
	assert_non_null(strstr(why, "PROT_NONE VMA"));
	munmap(mem, STACK_PAGES * page);
}

/* glibc 2.42+: mmap read-write, MADV_GUARD_INSTALL the lowest page. */
static void test_guard_install(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, STACK_PAGES * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	enum gb_stack_guard g;
	char why[192];

	(void)state;
	assert_true(mem != MAP_FAILED);
	if (madvise(mem, page, MADV_GUARD_INSTALL)) {
		munmap(mem, STACK_PAGES * page);
		skip();		/* a kernel before 6.13 */
	}
	mem[page] = 1;
	g = gb_stack_guard_classify((uintptr_t)(mem + page), page, why,
				    sizeof(why));
	munmap(mem, STACK_PAGES * page);
	if (g == GB_STACK_GUARD_UNKNOWN && strstr(why, "before 6.15"))
		skip();		/* 6.13, 6.14: neither `gu` nor pagemap's bit */
	assert_int_equal(g, GB_STACK_GUARD_INSTALL);
}

/* A plain read-write page below the stack is no guard we know. */
static void test_no_marker_is_unknown(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, STACK_PAGES * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char why[192];

	(void)state;
	assert_true(mem != MAP_FAILED);
	assert_int_equal(gb_stack_guard_classify((uintptr_t)(mem + page), page,
						 why, sizeof(why)),
			 GB_STACK_GUARD_UNKNOWN);
	assert_int_equal(gb_stack_guard_classify((uintptr_t)(mem + page), 0,
						 why, sizeof(why)),
			 GB_STACK_GUARD_NONE);
	munmap(mem, STACK_PAGES * page);
}

/* The probe on this system answers, and the answer has a reason. */
static void test_probe_answers(void **state)
{
	char why[192] = "", line[512];
	enum gb_stack_guard g;

	(void)state;
	/* a new thread's stack, read back through /proc: not under qemu-user */
	if (getenv("GB_QEMU_USER")) {
		print_message("under qemu-user: skipped (scripts/cross-arm64.sh)\n");
		skip();
	}
	g = gb_stack_guard_probe(why, sizeof(why));
	assert_true(why[0] != '\0');
	assert_true(g != GB_STACK_GUARD_UNKNOWN);
	gb_stack_guard_describe(line, sizeof(line));
	assert_non_null(strstr(line, gb_libc_version()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mprotect_guard),
		cmocka_unit_test(test_guard_install),
		cmocka_unit_test(test_no_marker_is_unknown),
		cmocka_unit_test(test_probe_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
