// SPDX-License-Identifier: GPL-2.0
/*
 * The lock-path classifier against the counts seen on real kernels
 * (../shared/reference/FACTS.md): this machine's 6.18 with the merged
 * series, Debian's 7.2.13, a 7.2 patched back to the v1 write lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "measure/lockpath.h"

static struct gb_lock_probe probe(double rd, double wr, double control)
{
	struct gb_lock_probe p;

	memset(&p, 0, sizeof(p));
	p.counted = 1;
	p.n = 1000;
	p.install[GB_LOCK_MMAP_READ] = rd;
	p.install[GB_LOCK_MMAP_WRITE] = wr;
	p.control_write = control;
	return p;
}

static enum gb_guard_path classify(int supported, struct gb_lock_probe p,
				   char *why)
{
	return gb_guard_path_classify(supported, &p, why, 256);
}

static void test_known_kernels(void **state)
{
	char why[256];

	(void)state;
	/* 6.18.44 + VM_MAYBE_GUARD: 200011 reads over 100000 pairs */
	assert_int_equal(classify(1, probe(1.0, 0, 1), why),
			 GB_PATH_MMAP_READ);
	/* 7.2.13: 1 read in total over 1000 pairs */
	assert_int_equal(classify(1, probe(0.001, 0, 1), why),
			 GB_PATH_VMA_READ);
	/* 7.2 with the v1 write lock: 1000 writes over 1000 pairs */
	assert_int_equal(classify(1, probe(0, 1.0, 1), why),
			 GB_PATH_MMAP_WRITE);
	/* a write lock wins even if reads are seen too */
	assert_int_equal(classify(1, probe(1.0, 1.0, 1), why),
			 GB_PATH_MMAP_WRITE);
	assert_string_equal(gb_guard_path_name(GB_PATH_VMA_READ), "vma-read");
}

static void test_unsupported_and_unknown(void **state)
{
	struct gb_lock_probe p = probe(0, 0, 0);
	char why[256];

	(void)state;
	assert_int_equal(classify(0, p, why), GB_PATH_UNSUPPORTED);
	assert_non_null(strstr(why, "EINVAL"));

	/* not counted: the probe's reason is passed on, never a guess */
	p.counted = 0;
	strcpy(p.why, "tracefs is not mounted: as root, mount -t tracefs");
	assert_int_equal(classify(1, p, why), GB_PATH_UNKNOWN);
	assert_non_null(strstr(why, "mount -t tracefs"));

	/* counting "works" but the control saw nothing: zero proves nothing */
	assert_int_equal(classify(1, probe(0, 0, 0), why), GB_PATH_UNKNOWN);
	assert_non_null(strstr(why, "positive control"));

	/* neither here nor there */
	assert_int_equal(classify(1, probe(0.3, 0, 1), why), GB_PATH_UNKNOWN);
	assert_non_null(strstr(why, "mixed"));
	assert_string_equal(gb_guard_path_name(GB_PATH_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_kernels),
		cmocka_unit_test(test_unsupported_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
