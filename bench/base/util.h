/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every file uses: exit statuses, dying and warning, allocation,
 * number parsing, paths, time and text layout.
 */
#ifndef GB_UTIL_H
#define GB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/*
 * Exit statuses, documented in `guard-bench --help` and README.md.
 * Scripts depend on them: never renumber, only add.
 */
enum gb_exit {
	GB_EXIT_OK = 0,
	GB_EXIT_FAILURE = 1,	/* a system call or I/O failed mid-run */
	GB_EXIT_USAGE = 2,	/* bad subcommand, option or value */
	GB_EXIT_ENV = 3,	/* --tmpdir or results directory unusable */
	GB_EXIT_NO_GUARD = 4,	/* kernel lacks MADV_GUARD_INSTALL */
	GB_EXIT_INTERRUPTED = 5,/* signal: partial results, complete: no */
	GB_EXIT_NOTHING_IN_COMMON = 6,	/* compare/trend: no shared cell */
	/* 7: scripts/plot.sh only (gnuplot missing) */
	GB_EXIT_LOST = 8,	/* a worker died or hung: cell abandoned */
	GB_EXIT_KEPT = 9,	/* results not written in full: trials kept */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Print "guard-bench: error: <msg>" and exit with @status.  In a run,
 * gb_die_hook (called once, in gb_owner_pid only) first saves what was
 * measured; a child of gb_owner_pid leaves with _exit().
 */
void gb_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
extern void (*gb_die_hook)(int status, const char *msg);
extern pid_t gb_owner_pid;
void gb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gb_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *gb_zalloc(size_t size);
void *gb_zalloc_aligned(size_t align, size_t size);
char *gb_strdup(const char *s);
char *gb_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* vasprintf() that dies on failure, as gb_asprintf() */
char *gb_vasprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/*
 * Strict number parsing: the whole string must be a number in
 * [min, max].  Returns 0, or -EINVAL (not a number) / -ERANGE.
 */
int gb_parse_long(const char *s, long min, long max, long *out);
int gb_parse_double(const char *s, double min, double max, double *out);

/* Read the first line of a small file into @buf without the newline. */
int gb_read_line(const char *path, char *buf, size_t len);

/* mkdir -p; returns 0 or -errno. */
int gb_mkdir_p(const char *path, unsigned int mode);
/* rm -r of a directory we created; best effort. */
void gb_rm_rf(const char *path);

/* UTC time as 2026-11-27T01:02:03Z (iso) or 20261127T010203Z (compact). */
void gb_utc_iso(char *buf, size_t len, time_t t);
void gb_utc_compact(char *buf, size_t len, time_t t);

double gb_mono_sec(void);

/*
 * @name (a host name, a kernel release) as one safe path component:
 * bytes outside [A-Za-z0-9._+-] and a leading '.' become '_', so never
 * "..", a '/', or a hidden name; "" becomes "_".  true if unchanged.
 */
bool gb_path_name(char *buf, size_t len, const char *name);

/* Text reports fit an email: at most 72 columns. */
#define GB_TEXT_WIDTH	72
/* Columns count characters: "±" is two bytes and one column. */
size_t gb_columns(const char *s);
void gb_put_right(FILE *f, const char *s, size_t width);
void gb_put_left(FILE *f, const char *s, size_t width);
/*
 * Word-wrap @text at GB_TEXT_WIDTH: the first line starts with @first,
 * the others with @indent (both carry their own trailing space).
 */
void gb_put_wrapped(FILE *f, const char *first, const char *indent,
		    const char *text);

#endif
