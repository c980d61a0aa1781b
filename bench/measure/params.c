// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario parameters shared by several scenarios, each defined once:
 * a scenario lists the ones it takes (struct gb_param_use) and says
 * which of their words it accepts.  A parameter only one scenario takes
 * stays in that scenario's file.
 */
#include <string.h>

#include "measure/params.h"
#include "measure/scenario.h"

const char *const gb_backing_words[] = { "anon", "shmem", "file", NULL };

const char *const gb_share_words[] = {
	"same-vma", "other-vma", "own-vma", "own-process", NULL
};

const struct gb_param_def gb_param_backing = {
	"backing", "what backs the mapping", "anon,shmem,file",
	gb_backing_words, 0, 0
};

const struct gb_param_def gb_param_share = {
	"share", "where the other threads work: in the subject's VMA "
	"(same-vma), in another (other-vma), in a VMA or a process each "
	"(own-vma, own-process)",
	"same-vma,other-vma,own-vma,own-process", gb_share_words, 0, 0
};

const struct gb_param_def gb_param_guard_pages = {
	"guard-pages", "pages the subject guards per install", "1", NULL, 1,
	4096
};

const struct gb_param_def gb_param_fault_pages = {
	"fault-pages", "pages a faulter touches then drops per op", "16",
	NULL, 1, 4096
};

const struct gb_param_use *gb_param_use(const struct gb_scenario *sc,
					const struct gb_param_def *def)
{
	for (const struct gb_param_use *u = sc->params; u && u->def; u++)
		if (u->def == def)
			return u;
	return NULL;
}

bool gb_param_first_use(size_t s, const struct gb_param_def *def)
{
	for (size_t i = 0; i < s; i++)
		if (gb_param_use(gb_scenarios[i], def))
			return false;
	return gb_param_use(gb_scenarios[s], def) != NULL;
}

bool gb_param_accepts(const struct gb_scenario *sc, const char *name, long v)
{
	for (const struct gb_param_use *u = sc->params; u && u->def; u++)
		if (!strcmp(u->def->name, name))
			return !u->words || (u->words & GB_WORD(v));
	return false;
}
