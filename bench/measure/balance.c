// SPDX-License-Identifier: GPL-2.0
/* Flag cells whose threads, doing the same work, ran at unequal rates. */
#include <stdio.h>
#include <string.h>

#include "measure/balance.h"
#include "measure/scenario.h"
#include "base/stats.h"

bool gb_imbalanced(struct gb_cell **cells, size_t n, char *note, size_t len)
{
	size_t used = 0;
	bool any = false;

	note[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct gb_cell *c = cells[i];

		for (size_t m = 0; m < c->nr_series; m++) {
			const struct gb_series *s = &c->series[m];
			double med;

			if (strcmp(s->name, "thread_rate_imbalance") || !s->n)
				continue;
			med = gb_median(s->v, s->n);
			if (med <= GB_IMBALANCE_MARGIN)
				continue;
			if (used < len)
				used += (size_t)snprintf(note + used,
					len - used, "%s%s %s: threads' rates "
					"differ by up to %.0f%% (median; "
					"cpu_share_thread* says if their CPU "
					"time did)", any ? "; " : "",
					c->sc->name, c->label, med * 100);
			any = true;
		}
	}
	if (!any)
		snprintf(note, len, "none (margin %.0f%%)",
			 GB_IMBALANCE_MARGIN * 100);
	return any;
}
