// SPDX-License-Identifier: GPL-2.0
/*
 * Putting a run in place: two runs finishing in the same second must
 * both land, under different names, and never touch each other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch_dir.h"

#include "files/results.h"
#include "base/util.h"

static char err[1024];
static char race_path[4096];	/* access() of this makes it appear */

/*
 * The other run finishes between a check and a rename: whatever this
 * library asks access() about race_path, the answer is "free", and the
 * directory, with a run in it, appears right after.
 */
int access(const char *path, int mode)
{
	if (race_path[0] && !strcmp(path, race_path)) {
		char *f = gb_asprintf("%s/meta.txt", race_path);

		mkdir(race_path, 0755);
		close(open(f, O_CREAT | O_WRONLY, 0644));
		free(f);
		errno = ENOENT;
		return -1;
	}
	return (int)syscall(SYS_faccessat, AT_FDCWD, path, mode);
}

static int setup_dir(void **state)
{
	(void)state;
	race_path[0] = '\0';
	return scratch_dir_make();
}


/* A finished run under @path: a directory with one file saying @who. */
static void other_run(const char *path, const char *who)
{
	char *f = gb_asprintf("%s/meta.txt", path);
	FILE *fp;

	assert_int_equal(gb_mkdir_p(path, 0755), 0);
	fp = fopen(f, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", who);
	fclose(fp);
	free(f);
}

static void assert_says(const char *path, const char *who)
{
	char *f = gb_asprintf("%s/meta.txt", path), line[64] = "";


	assert_int_equal(gb_read_line(f, line, sizeof(line)), 0);
	assert_string_equal(line, who);
	free(f);
}

static int finish(struct gb_results *r)
{
	struct gb_meta m = { 0 };
	int ret;

	gb_meta_set(&m, "who", "this run");
	ret = gb_results_finish(r, NULL, 0, &m, 1.0, err, sizeof(err));
	gb_meta_free(&m);
	return ret;
}

static void test_same_second(void **state)
{
	struct gb_results r;
	char *first, *second;

	(void)state;
	assert_int_equal(gb_results_create(&r, dir, "6.18", "box-T", err,
					   sizeof(err)), 0);
	first = gb_asprintf("%s/6.18/box-T", dir);
	second = gb_asprintf("%s/6.18/box-T-2", dir);
	/* one run took the name already; another takes -2 meanwhile */
	other_run(first, "first");
	snprintf(race_path, sizeof(race_path), "%s", second);
	assert_int_equal(finish(&r), 0);
	race_path[0] = '\0';
	assert_says(first, "first");
	assert_says(r.final, "who: this run");
	assert_string_equal(r.tmp, "");
	free(first);
	free(second);
}

static void test_many_same_second(void **state)
{
	char names[5][4096];

	(void)state;
	for (int i = 0; i < 5; i++) {
		struct gb_results r;

		assert_int_equal(gb_results_create(&r, dir, "6.18", "box-T",
						   err, sizeof(err)), 0);
		assert_int_equal(finish(&r), 0);
		snprintf(names[i], sizeof(names[i]), "%s", r.final);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
	assert_string_equal(names[4] + strlen(names[4]) - 2, "-5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_second, setup_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_many_same_second,
						setup_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
