// SPDX-License-Identifier: GPL-2.0
/*
 * The run-directory readers.  compare and trend trust whatever these
 * accept, so each malformed input must be refused with "path:line:
 * reason", and what the writer produces must read back unchanged.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scratch_dir.h"

#include "files/results.h"
#include "base/util.h"

static char err[512];

static int setup_dir(void **state)
{
	(void)state;
	return scratch_dir_make();
}


/* Write @len raw bytes (NULs included) to <dir>/<name>; path in @path. */
static void put(char *path, size_t size, const char *name, const char *data,
		size_t len)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

#define PUT(path, name, lit) put(path, sizeof(path), name, lit, \
				 sizeof(lit) - 1)

/*
 * @err must read "<path>:<line>: ...<reason>...".  @line < 0: any line
 * number, for errors not tied to one line.
 */
static void check_err(const char *path, long line, const char *reason)
{
	size_t n = strlen(path);
	const char *p = err + n + 1;
	char *end;
	long got;

	if (strncmp(err, path, n) || err[n] != ':' || !isdigit(*p))
		fail_msg("error '%s' does not start with '%s:LINE:'", err,
			 path);
	got = strtol(p, &end, 10);
	if (*end != ':' || (line >= 0 && got != line))
		fail_msg("error '%s': want line %ld", err, line);
	if (!strstr(end, reason))
		fail_msg("error '%s' does not say '%s'", err, reason);
}

static void meta_rejects(const char *name, const char *data, size_t len,
			 long line, const char *reason)
{
	struct gb_meta m;
	char path[4200];

	put(path, sizeof(path), name, data, len);
	err[0] = '\0';
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), -1);
	assert_int_equal(m.n, 0);
	check_err(path, line, reason);
}

#define META_REJECTS(name, lit, line, reason) \
	meta_rejects(name, lit, sizeof(lit) - 1, line, reason)

static void test_meta_round_trip(void **state)
{
	struct gb_meta w = { 0 }, r;
	char path[4200];

	(void)state;
	gb_meta_set(&w, "format_version", "%d", GB_FORMAT_VERSION);
	gb_meta_set(&w, "host", "%s", "two\nlines\r\tand tab");
	/* argv can carry any byte: the file must still read back */
	gb_meta_set(&w, "command", "%s", "a\x1b[0mb\x7f");
	gb_meta_set(&w, "empty", "%s", "");
	gb_meta_set(&w, "spaced", "%s", "  a: b  ");
	gb_meta_set(&w, "n", "%d", 7);
	gb_meta_set(&w, "n", "%d", 8);	/* replaces, keeps place */
	assert_int_equal(w.n, 6);
	assert_string_equal(gb_meta_get(&w, "command"), "a [0mb ");
	/* the writer flattens: the newline must not reach the file */
	assert_string_equal(gb_meta_get(&w, "host"), "two lines  and tab");

	snprintf(path, sizeof(path), "%s/meta.txt", dir);
	assert_int_equal(gb_meta_write(&w, path), 0);
	assert_int_equal(gb_meta_read(&r, path, err, sizeof(err)), 0);
	assert_int_equal(r.n, w.n);
	for (size_t i = 0; i < w.n; i++) {
		assert_string_equal(r.key[i], w.key[i]);
		assert_string_equal(r.val[i], w.val[i]);
	}
	assert_string_equal(gb_meta_get(&r, "empty"), "");
	assert_string_equal(gb_meta_get(&r, "spaced"), "  a: b  ");
	assert_string_equal(gb_meta_get(&r, "n"), "8");
	assert_null(gb_meta_get(&r, "missing"));
	gb_meta_free(&w);
	gb_meta_free(&r);
}

/* "key:" with nothing after it is an empty value, not an error. */
static void test_meta_bare_colon(void **state)
{
	struct gb_meta m;
	char path[4200];

	(void)state;
	PUT(path, "bare.txt", "format_version: 1\nempty:\n");
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), 0);
	assert_string_equal(gb_meta_get(&m, "empty"), "");
	gb_meta_free(&m);
}

static void test_meta_rejects(void **state)
{
	struct gb_meta m;
	char path[4200];

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist", dir);
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), -1);
	check_err(path, -1, "cannot open");
	/* not tied to a line: whichever it names, the reason must be there */
	META_REJECTS("nover.txt", "host: x\n", -1, "format_version");
	META_REJECTS("ver2.txt", "host: x\nformat_version: 2\n", -1,
		     "format_version '2'");
	META_REJECTS("dup.txt", "format_version: 1\na: 1\na: 2\n", 3,
		     "duplicate key 'a'");
	META_REJECTS("nosep.txt", "format_version: 1\na=b\n", 2,
		     "not a 'key: value' line");
	META_REJECTS("nospace.txt", "format_version: 1\na:b\n", 2,
		     "not a 'key: value' line");
	META_REJECTS("badkey.txt", "format_version: 1\nCpu-Model: x\n", 2,
		     "bad key 'Cpu-Model'");
	META_REJECTS("trunc.txt", "format_version: 1\nhost: x", 2,
		     "truncated line");
	META_REJECTS("ctrl.txt", "format_version: 1\nhost: a\x1b[0m\n", 2,
		     "control byte 0x1b");
	META_REJECTS("nul.txt", "format_version: 1\nho\0st: x\n", -1,
		     "NUL byte at offset 20");
}

/* GB_MAX_LINE bytes plus the newline fit; one more byte does not. */
static void test_meta_long_line(void **state)
{
	size_t len = GB_MAX_LINE + 32;
	char *buf = test_malloc(len), path[4200];
	size_t hdr = strlen("format_version: 1\n");
	struct gb_meta m;

	(void)state;
	memcpy(buf, "format_version: 1\nk: ", hdr + 3);
	memset(buf + hdr + 3, 'x', GB_MAX_LINE - 3);
	buf[hdr + GB_MAX_LINE] = '\n';
	put(path, sizeof(path), "max.txt", buf, hdr + GB_MAX_LINE + 1);
	assert_int_equal(gb_meta_read(&m, path, err, sizeof(err)), 0);
	assert_int_equal(strlen(gb_meta_get(&m, "k")), GB_MAX_LINE - 3);
	gb_meta_free(&m);

	buf[hdr + GB_MAX_LINE] = 'x';
	buf[hdr + GB_MAX_LINE + 1] = '\n';
	meta_rejects("long.txt", buf, hdr + GB_MAX_LINE + 2, 2,
		     "line longer than 65536 bytes");
	test_free(buf);
}

static void test_tsv_header(void **state)
{
	static const char *const hdr[] = { "a", "b", "c", NULL };
	struct gb_tsv t;
	char path[4200];

	(void)state;
	PUT(path, "short.tsv", "a\tb\n");
	assert_int_equal(gb_tsv_open(&t, path, hdr, err, sizeof(err)), -1);
	check_err(path, 1, "header has 2 columns, want 3");
	PUT(path, "swapped.tsv", "a\tc\tb\n");
	assert_int_equal(gb_tsv_open(&t, path, hdr, err, sizeof(err)), -1);
	check_err(path, 1, "header column 2 is 'c', want 'b'");
	PUT(path, "empty.tsv", "");
	assert_int_equal(gb_tsv_open(&t, path, hdr, err, sizeof(err)), -1);
	check_err(path, 1, "empty file");
	assert_null(t.f);
}

static void test_tsv_rows(void **state)
{
	static const char *const hdr[] = { "a", "b", "c", NULL };
	struct gb_tsv t;
	char path[4200];

	(void)state;
	PUT(path, "rows.tsv", "a\tb\tc\nx\t\tz\n1\t2\n");
	assert_int_equal(gb_tsv_open(&t, path, hdr, err, sizeof(err)), 0);
	assert_int_equal(gb_tsv_next(&t, err, sizeof(err)), 1);
	assert_string_equal(t.col[0], "x");
	assert_string_equal(t.col[1], "");	/* empty, but a column */
	assert_string_equal(t.col[2], "z");
	assert_int_equal(gb_tsv_next(&t, err, sizeof(err)), -1);
	check_err(path, 3, "2 columns, want 3");
	gb_tsv_close(&t);

	PUT(path, "eof.tsv", "a\tb\tc\n1\t2\t3\n");
	assert_int_equal(gb_tsv_open(&t, path, hdr, err, sizeof(err)), 0);
	assert_int_equal(gb_tsv_next(&t, err, sizeof(err)), 1);
	assert_int_equal(gb_tsv_next(&t, err, sizeof(err)), 0);
	gb_tsv_close(&t);
}

static void test_tsv_number(void **state)
{
	static const char *const hdr[] = { "v", NULL };
	static const char *const bad[] = { "abc", "nan", "inf", "-inf",
					   "1e999", "", "12x", NULL };
	struct gb_tsv t;
	char path[4200];
	double v = 0;

	(void)state;
	PUT(path, "num.tsv", "v\n-1.5e3\nabc\nnan\ninf\n-inf\n1e999\n\n12x\n");
	assert_int_equal(gb_tsv_open(&t, path, hdr, err, sizeof(err)), 0);
	assert_int_equal(gb_tsv_next(&t, err, sizeof(err)), 1);
	assert_int_equal(gb_tsv_number(&t, 0, &v, err, sizeof(err)), 0);
	assert_true(v == -1500);
	for (int i = 0; bad[i]; i++) {
		v = 42;
		assert_int_equal(gb_tsv_next(&t, err, sizeof(err)), 1);
		if (gb_tsv_number(&t, 0, &v, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted as %g", bad[i], v);
		check_err(path, 3 + i, "not a finite number");
		assert_true(v == 42);	/* untouched on error */
	}
	gb_tsv_close(&t);
}

/* summary.tsv with gb_summary_header and the given rows. */
static void put_summary(char *path, size_t size, const char *name,
			const char *rows)
{
	char buf[2048];
	size_t n = 0;

	for (int i = 0; gb_summary_header[i]; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? "\t" : "", gb_summary_header[i]);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\n%s", rows);
	assert_true(n < sizeof(buf));
	put(path, size, name, buf, n);
}

static void test_summary_read(void **state)
{
	struct gb_summary_row *rows;
	char path[4200];

	(void)state;
	put_summary(path, sizeof(path), "summary.tsv",
		"install\tbacking=anon pages=1\tinstall_p50\tns\t10\t"
		"250.5\t240\t300\t255\t12.5\t0.049\n"
		"faults\tshare=same-vma\tops_per_s\tops/s\t3\t"
		"1e6\t9e5\t1.1e6\t1e6\t0\t0\n");
	assert_int_equal(gb_summary_read(path, &rows, err, sizeof(err)), 2);
	assert_string_equal(rows[0].scenario, "install");
	assert_string_equal(rows[0].cell, "backing=anon pages=1");
	assert_string_equal(rows[0].metric, "install_p50");
	assert_string_equal(rows[0].unit, "ns");
	assert_int_equal(rows[0].s.n, 10);
	assert_true(rows[0].s.median == 250.5);
	assert_true(rows[0].s.min == 240 && rows[0].s.max == 300);
	assert_true(rows[0].s.mean == 255 && rows[0].s.stddev == 12.5);
	assert_true(rows[0].s.cv == 0.049);
	assert_string_equal(rows[1].unit, "ops/s");
	assert_int_equal(rows[1].s.n, 3);
	assert_true(rows[1].s.median == 1e6 && rows[1].s.max == 1.1e6);
	free(rows);
}

static void summary_rejects(const char *name, const char *row,
			    const char *reason)
{
	struct gb_summary_row *rows = (void *)1;
	char path[4200];

	put_summary(path, sizeof(path), name, row);
	assert_int_equal(gb_summary_read(path, &rows, err, sizeof(err)), -1);
	assert_null(rows);
	check_err(path, 2, reason);
}

static void test_summary_rejects(void **state)
{
	(void)state;
	summary_rejects("high.tsv", "s\tc\tm\tns\t3\t5\t1\t4\t2\t1\t0.5\n",
			"median outside [min, max]");
	summary_rejects("low.tsv", "s\tc\tm\tns\t3\t0.5\t1\t4\t2\t1\t0.5\n",
			"median outside [min, max]");
	summary_rejects("n0.tsv", "s\tc\tm\tns\t0\t2\t1\t4\t2\t1\t0.5\n",
			"n must be an integer from 1 to 1e9");
	summary_rejects("nfrac.tsv", "s\tc\tm\tns\t1.5\t2\t1\t4\t2\t1\t0.5\n",
			"n must be an integer from 1 to 1e9");
	/* a cast of 1e300 to size_t is undefined: reject before it */
	summary_rejects("nhuge.tsv", "s\tc\tm\tns\t1e300\t2\t1\t4\t2\t1\t0.5\n",
			"n must be an integer from 1 to 1e9");
	summary_rejects("nan.tsv", "s\tc\tm\tns\t3\tnan\t1\t4\t2\t1\t0.5\n",
			"not a finite number");
	summary_rejects("nounit.tsv", "s\tc\tm\t\t3\t2\t1\t4\t2\t1\t0.5\n",
			"column 4: empty");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_round_trip),
		cmocka_unit_test(test_meta_bare_colon),
		cmocka_unit_test(test_meta_rejects),
		cmocka_unit_test(test_meta_long_line),
		cmocka_unit_test(test_tsv_header),
		cmocka_unit_test(test_tsv_rows),
		cmocka_unit_test(test_tsv_number),
		cmocka_unit_test(test_summary_read),
		cmocka_unit_test(test_summary_rejects),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
