// SPDX-License-Identifier: GPL-2.0
/*
 * Primary rows at the ends of a sweep.  A scenario that declares a
 * primary metric as "METRIC@KEY" has that metric judged only in the
 * cells at the smallest and the largest KEY among the cells that agree
 * on every other parameter; the points between are descriptive (shown
 * with --all).  fork's guard counts and install's page counts are such
 * sweeps: the ends say what the change does, the middle interpolates,
 * and fewer rows in Holm's family means more power for each.
 */
#include <stdlib.h>
#include <string.h>

#include "judge/primary_ends.h"
#include "measure/scenario.h"
#include "base/util.h"

struct end_entry {
	size_t row;
	char *group;		/* scenario, metric, cell without KEY= */
	double value;		/* KEY's value in the cell */
};

static int by_group_value(const void *x, const void *y)
{
	const struct end_entry *a = x, *b = y;
	int c = strcmp(a->group, b->group);

	if (c)
		return c;
	return a->value < b->value ? -1 : a->value > b->value;
}

/*
 * "backing=anon guards=64", "guards": group "backing=anon guards=*",
 * value 64.  -1 when the cell has no KEY= word or its value is not a
 * number.
 */
static int split_key(const char *cell, const char *key, char *group,
		     size_t len, double *value)
{
	size_t klen = strlen(key);
	const char *p = cell;

	while (*p) {
		const char *end = strchr(p, ' ');
		size_t wlen = end ? (size_t)(end - p) : strlen(p);

		if (wlen > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			char *num_end;

			*value = strtod(p + klen + 1, &num_end);
			if (num_end != p + wlen)
				return -1;
			snprintf(group, len, "%.*s%s=*%s", (int)(p - cell),
				 cell, key, end ? end : "");
			return 0;
		}
		p += wlen;
		while (*p == ' ')
			p++;
	}
	return -1;
}

void gb_primary_ends(const struct gb_summary_row *const *rows, size_t n,
		     bool *primary)
{
	struct end_entry *e = gb_zalloc((n ? n : 1) * sizeof(*e));
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		const struct gb_summary_row *s = rows[i];
		char key[64], group[512];
		double v;

		if (!primary[i] ||
		    !gb_metric_primary_end(s->scenario, s->metric, key,
					   sizeof(key)) ||
		    split_key(s->cell, key, group, sizeof(group), &v))
			continue;
		e[m].row = i;
		e[m].value = v;
		e[m++].group = gb_asprintf("%s\t%s\t%s", s->scenario,
					   s->metric, group);
	}
	qsort(e, m, sizeof(*e), by_group_value);
	for (size_t i = 0, j; i < m; i = j) {
		for (j = i + 1; j < m && !strcmp(e[j].group, e[i].group); j++)
			;
		/* e[i .. j-1] in order of value: keep the first and last */
		for (size_t k = i; k < j; k++)
			if (e[k].value != e[i].value &&
			    e[k].value != e[j - 1].value)
				primary[e[k].row] = false;
	}
	for (size_t i = 0; i < m; i++)
		free(e[i].group);
	free(e);
}
