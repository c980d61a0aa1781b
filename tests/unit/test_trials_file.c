// SPDX-License-Identifier: GPL-2.0
/*
 * trials.tsv's stream keeps the errno of the first failed write: a full
 * disk reads "No space left on device" at every later flush and at the
 * close, never a bare "Input/output error" (which a plain FILE gives
 * once its error flag is set).  /dev/full fails every write with ENOSPC.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "files/trials_file.h"

static void test_full_disk_keeps_enospc(void **state)
{
	struct gb_trials_file tf;
	FILE *f;

	(void)state;
	f = gb_trials_open(&tf, "/dev/full", 0);
	if (!f)
		skip();
	fprintf(f, "scenario\tcell\n");
	assert_int_equal(gb_trials_flush(&tf, f), -ENOSPC);
	/* nothing left to write: still the first error, not EIO */
	assert_int_equal(gb_trials_flush(&tf, f), -ENOSPC);
	fprintf(f, "install\tpages=1\n");
	assert_int_equal(gb_trials_flush(&tf, f), -ENOSPC);
	assert_int_equal(gb_trials_close(&tf, f), -ENOSPC);
}

static void test_round_trip(void **state)
{
	char path[] = "/tmp/gb-trials-file.XXXXXX", buf[64] = "";
	struct gb_trials_file tf;
	FILE *f, *in;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	f = gb_trials_open(&tf, path, O_TRUNC);
	assert_non_null(f);
	fprintf(f, "a\t%d\n", 1);
	assert_int_equal(gb_trials_flush(&tf, f), 0);
	assert_int_equal(gb_trials_close(&tf, f), 0);
	/* O_APPEND: what guard-bench clean does to a leftover */
	f = gb_trials_open(&tf, path, O_APPEND);
	assert_non_null(f);
	fprintf(f, "b\t%d\n", 2);
	assert_int_equal(gb_trials_close(&tf, f), 0);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, in), 8);
	fclose(in);
	assert_string_equal(buf, "a\t1\nb\t2\n");
	unlink(path);
}

static void test_open_fails_with_errno(void **state)
{
	struct gb_trials_file tf;

	(void)state;
	errno = 0;
	assert_null(gb_trials_open(&tf, "/nonexistent-dir/trials.tsv",
				   O_CREAT));
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_disk_keeps_enospc),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_open_fails_with_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
