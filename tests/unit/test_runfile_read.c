// SPDX-License-Identifier: GPL-2.0
/*
 * The run-file readers (runfile_read.c) against hostile files: what is
 * not a regular file of a sane size is refused before a byte is read
 * (a FIFO would block for good), a symbolic link is never followed, a
 * summary row comes once, and a meta.txt value is one printable line
 * (a TAB would shift every column of trend's TSV).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch_dir.h"

#include "files/results.h"
#include "base/util.h"

static char err[1024];

static int setup_dir(void **state)
{
	(void)state;
	return scratch_dir_make();
}


static void put(char *path, size_t size, const char *name, const char *data)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(data, f);
	assert_int_equal(fclose(f), 0);
}

static void want_err(const char *path, const char *what)
{
	if (strncmp(err, path, strlen(path)) || !strstr(err, what))
		fail_msg("error '%s': want '%s: ...%s...'", err, path, what);
}

/* Every reader through the same open: try the TSV one and meta's. */
static void both_refuse(const char *path, const char *what)
{
	struct gb_tsv t;
	struct gb_meta m;

	assert_int_equal(gb_tsv_open(&t, path, gb_summary_header, err,
				     sizeof(err)), -1);
	assert_null(t.f);
	want_err(path, what);
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), -1);
	want_err(path, what);
}

static void test_fifo(void **state)
{
	char path[4200];

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* no writer: a blocking open would never return */
	both_refuse(path, ":0: a FIFO, not a regular file");
}

static void test_directory(void **state)
{
	char path[4200];

	(void)state;
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	both_refuse(path, ":0: a directory, not a regular file");
}

static void test_symlink(void **state)
{
	char target[4200], path[4200];

	(void)state;
	put(target, sizeof(target), "target.txt", "format_version: 1\n");
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink(target, path), 0);
	both_refuse(path, ":0: a symbolic link");
}

static void test_size_caps(void **state)
{
	char path[4200];
	struct gb_tsv t;
	struct gb_meta m;

	(void)state;
	/* sparse: no disk used, and nothing read either */
	put(path, sizeof(path), "big.tsv", "");
	assert_int_equal(truncate(path, GB_MAX_FILE_BYTES + 1), 0);
	assert_int_equal(gb_tsv_open(&t, path, gb_summary_header, err,
				     sizeof(err)), -1);
	want_err(path, ":0: 1073741825 bytes, more than the 1073741824");
	put(path, sizeof(path), "big-meta.txt", "format_version: 1\n");
	assert_int_equal(truncate(path, GB_MAX_META_BYTES + 1), 0);
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), -1);
	want_err(path, ":0: 1048577 bytes, more than the 1048576");
}

static void test_meta_control_in_value(void **state)
{
	char path[4200];
	struct gb_meta m;

	(void)state;
	put(path, sizeof(path), "tab.txt",
	    "format_version: 1\nkernel_release: 6.19\tx\ty\n");
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), -1);
	assert_int_equal(m.n, 0);
	want_err(path, ":2: TAB byte in a value");
	put(path, sizeof(path), "del.txt", "format_version: 1\nhost: a\x7f\n");
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), -1);
	want_err(path, ":2: DEL byte in a value");
}

static const char summary_head[] =
	"scenario\tcell\tmetric\tunit\tn\tmedian\tmin\tmax\tmean\tstddev\tcv\n";

static void test_summary_duplicate(void **state)
{
	char path[4200], buf[1024];
	struct gb_summary_row *rows = (void *)1;

	(void)state;
	snprintf(buf, sizeof(buf), "%s"
		 "s\tc1\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "s\tc2\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "s\tc1\tm2\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "s\tc2\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "s\tc1\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n", summary_head);
	put(path, sizeof(path), "dup.tsv", buf);
	assert_int_equal(gb_summary_read(path, &rows, err, sizeof(err)), -1);
	assert_null(rows);
	/* the first repeat in the file, with the line it repeats */
	want_err(path, ":5: duplicate row s c2 m (first on line 3)");

	/* the same metric in other cells, other metrics: all distinct */
	snprintf(buf, sizeof(buf), "%s"
		 "s\tc1\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "s\tc2\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "t\tc1\tm\tns\t3\t2\t1\t4\t2\t1\t0.5\n"
		 "s\tc1\tm2\tns\t3\t2\t1\t4\t2\t1\t0.5\n", summary_head);
	put(path, sizeof(path), "distinct.tsv", buf);
	assert_int_equal(gb_summary_read(path, &rows, err, sizeof(err)), 4);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_size_caps),
		cmocka_unit_test(test_meta_control_in_value),
		cmocka_unit_test(test_summary_duplicate),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
