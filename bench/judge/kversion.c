// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel version order for `trend`: a month of rc kernels must line up
 * as 6.19-rc1, -rc2, ..., 6.19, 6.19.1, which neither strcmp nor
 * sort -V gives (both put 6.19 before 6.19-rc1).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "judge/kversion.h"

#define KV_PARTS 4	/* 2.6.32.71 is the longest numbering in use */

struct kversion {
	bool valid;
	unsigned long part[KV_PARTS];	/* missing parts are 0 */
	unsigned int nr_parts;
	bool rc;
	unsigned long rc_nr;
	const char *suffix;		/* local suffix, "" when none */
};

static const char *parse_number(const char *s, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return NULL;
	*v = strtoul(s, &end, 10);
	return end;
}

static void kversion_parse(const char *s, struct kversion *kv)
{
	const char *p = s, *q;

	memset(kv, 0, sizeof(*kv));
	while (kv->nr_parts < KV_PARTS) {
		q = parse_number(p, &kv->part[kv->nr_parts]);
		if (!q)
			break;
		kv->nr_parts++;
		p = q;
		if (*p != '.' || !isdigit((unsigned char)p[1]))
			break;
		p++;
	}
	if (!kv->nr_parts)
		return;
	kv->valid = true;
	/* "-rc" followed by digits and then the end or a non-digit */
	if (!strncmp(p, "-rc", 3) && (q = parse_number(p + 3, &kv->rc_nr))) {
		kv->rc = true;
		p = q;
	}
	kv->suffix = p;
}

static int cmp_ulong(unsigned long a, unsigned long b)
{
	return (a > b) - (a < b);
}

int gb_natural_cmp(const char *a, const char *b)
{
	const char *pa = a, *pb = b;

	while (*pa && *pb) {
		if (isdigit((unsigned char)*pa) && isdigit((unsigned char)*pb)) {
			unsigned long x = 0, y = 0;
			int c;

			pa = parse_number(pa, &x);
			pb = parse_number(pb, &y);
			c = cmp_ulong(x, y);
			if (c)
				return c;
			continue;
		}
		if (*pa != *pb)
			return (unsigned char)*pa < (unsigned char)*pb ? -1 : 1;
		pa++;
		pb++;
	}
	if (*pa || *pb)
		return *pa ? 1 : -1;
	/* "v01" and "v1" are equal numbers: keep the order total */
	return strcmp(a, b);
}

int gb_kversion_cmp(const char *a, const char *b)
{
	struct kversion x, y;
	int c;

	kversion_parse(a, &x);
	kversion_parse(b, &y);
	if (!x.valid || !y.valid)
		return x.valid != y.valid ? (x.valid ? -1 : 1) : strcmp(a, b);
	for (unsigned int i = 0; i < KV_PARTS; i++) {
		c = cmp_ulong(x.part[i], y.part[i]);
		if (c)
			return c;
	}
	if (x.rc != y.rc)
		return x.rc ? -1 : 1;
	c = cmp_ulong(x.rc_nr, y.rc_nr);
	if (c)
		return c;
	/* the base release, then its local builds */
	if (!*x.suffix != !*y.suffix)
		return *x.suffix ? 1 : -1;
	/* 6.19 before 6.19.0: equal numbers, the shorter spelling first */
	c = cmp_ulong(x.nr_parts, y.nr_parts);
	if (c)
		return c;
	return gb_natural_cmp(x.suffix, y.suffix);
}
