// SPDX-License-Identifier: GPL-2.0
/*
 * What every layer uses: dying and warning, allocation, number parsing,
 * small files and directories, time, safe path names, and the text
 * layout of reports (columns, padding, word-wrap).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "guard-bench: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void (*gb_die_hook)(int status, const char *msg);
pid_t gb_owner_pid;

void gb_die(int status, const char *fmt, ...)
{
	void (*hook)(int status, const char *msg) = gb_die_hook;
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "guard-bench: error: %s\n", msg);
	/* a contender process: its parent's buffers are not its own */
	if (gb_owner_pid && getpid() != gb_owner_pid)
		_exit(status);
	gb_die_hook = NULL;
	if (hook)
		hook(status, msg);
	exit(status);
}

void gb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void gb_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("note: ", fmt, ap);
	va_end(ap);
}

void *gb_zalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		gb_die(GB_EXIT_FAILURE, "out of memory (%zu bytes)", size);
	return p;
}

void *gb_zalloc_aligned(size_t align, size_t size)
{
	size_t rounded = (size + align - 1) / align * align;
	void *p = aligned_alloc(align, rounded);

	if (!p)
		gb_die(GB_EXIT_FAILURE, "out of memory (%zu bytes)", rounded);
	memset(p, 0, rounded);
	return p;
}

char *gb_strdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		gb_die(GB_EXIT_FAILURE, "out of memory");
	return p;
}

char *gb_vasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		gb_die(GB_EXIT_FAILURE, "out of memory");
	return s;
}

char *gb_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = gb_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int gb_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol would skip spaces and take '+': the whole string or nothing */
	if (!s || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || end == s)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int gb_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !(*s == '-' || *s == '.' || (*s >= '0' && *s <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s || !isfinite(v))
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int gb_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -ENODATA;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return ret;
}

int gb_mkdir_p(const char *path, unsigned int mode)
{
	char tmp[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

void gb_rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char *child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = gb_asprintf("%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			gb_rm_rf(child);
		else
			unlink(child);
		free(child);
	}
	closedir(d);
	rmdir(path);
}

void gb_utc_iso(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void gb_utc_compact(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
}

double gb_mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool gb_path_name(char *buf, size_t len, const char *name)
{
	size_t n = 0;
	bool same = true;

	for (const char *p = name; *p && n + 1 < len; p++, n++) {
		unsigned char c = (unsigned char)*p;
		bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
			    c == '+' || (c == '.' && n > 0);

		buf[n] = safe ? (char)c : '_';
		same &= safe;
	}
	if (!n && len > 1)
		buf[n++] = '_';
	buf[n] = '\0';
	return same && n == strlen(name);
}

/* ---- text layout ---------------------------------------------------- */

size_t gb_columns(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void gb_put_right(FILE *f, const char *s, size_t width)
{
	for (size_t w = gb_columns(s); w < width; w++)
		fputc(' ', f);
	fputs(s, f);
}

void gb_put_left(FILE *f, const char *s, size_t width)
{
	fputs(s, f);
	for (size_t w = gb_columns(s); w < width; w++)
		fputc(' ', f);
}

void gb_put_wrapped(FILE *f, const char *first, const char *indent,
		    const char *text)
{
	size_t col = gb_columns(first);
	bool empty = true;	/* no word on this line yet */

	fputs(first, f);
	for (const char *p = text; *p;) {
		size_t word;

		while (*p == ' ')
			p++;
		word = strcspn(p, " ");
		if (!word)
			break;
		if (!empty && col + 1 + word > GB_TEXT_WIDTH) {
			fprintf(f, "\n%s", indent);
			col = gb_columns(indent);
			empty = true;
		}
		if (!empty) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, word, f);
		col += word;
		p += word;
		empty = false;
	}
	fputc('\n', f);
}
