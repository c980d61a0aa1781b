/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests' scratch directory, as cmocka setup and teardown:
 * made under $TMPDIR (or /tmp) before a test, removed after it.
 */
#ifndef GB_TEST_SCRATCH_DIR_H
#define GB_TEST_SCRATCH_DIR_H

#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"

static char dir[4096];

static int scratch_dir_make(void)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	snprintf(dir, sizeof(dir), "%s/guard-bench.XXXXXX", base);
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	gb_rm_rf(dir);
	return 0;
}

#endif
