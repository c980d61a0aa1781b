// SPDX-License-Identifier: GPL-2.0
/*
 * Every scenario, in the order `list` shows and `run` runs them.
 * A new scenario is its own file plus one X(name) line here.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "measure/scenario.h"
#include "base/util.h"

#define GB_SCENARIO_LIST(X) \
	X(install) \
	X(faults) \
	X(readers) \
	X(writers) \
	X(scaling) \
	X(fork) \
	X(stacks) \
	X(allocator)

#define DECLARE(name) extern const struct gb_scenario gb_scenario_##name;
#define REFERENCE(name) &gb_scenario_##name,

GB_SCENARIO_LIST(DECLARE)

const struct gb_scenario *const gb_scenarios[] = {
	GB_SCENARIO_LIST(REFERENCE)
};
const size_t gb_nr_scenarios = ARRAY_SIZE(gb_scenarios);

const struct gb_scenario *gb_scenario_find(const char *name)
{
	for (size_t i = 0; i < gb_nr_scenarios; i++)
		if (!strcmp(gb_scenarios[i]->name, name))
			return gb_scenarios[i];
	return NULL;
}

/*
 * A primary entry is a metric pattern, optionally "@KEY": primary at
 * the ends of the KEY sweep only (primary_ends.c).
 */
static const char *primary_entry(const char *scenario, const char *metric)
{
	const struct gb_scenario *sc = gb_scenario_find(scenario);
	char pat[128];

	if (!sc || !sc->primary)
		return NULL;
	for (const char *const *p = sc->primary; *p; p++) {
		size_t len = strcspn(*p, "@");

		snprintf(pat, sizeof(pat), "%.*s", (int)len, *p);
		if (!fnmatch(pat, metric, 0))
			return *p;
	}
	return NULL;
}

bool gb_metric_primary(const char *scenario, const char *metric)
{
	return primary_entry(scenario, metric) != NULL;
}

bool gb_metric_primary_end(const char *scenario, const char *metric,
			   char *key, size_t len)
{
	const char *e = primary_entry(scenario, metric);
	const char *at = e ? strchr(e, '@') : NULL;

	if (!at)
		return false;
	snprintf(key, len, "%s", at + 1);
	return true;
}
