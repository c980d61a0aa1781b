/* SPDX-License-Identifier: GPL-2.0 */
/* Scenario parameters that more than one scenario takes: one definition each. */
#ifndef GB_PARAMS_H
#define GB_PARAMS_H

#include "base/config.h"

/* --share: where the other threads work; the values index share_words */
enum gb_share {
	GB_SHARE_SAME_VMA,
	GB_SHARE_OTHER_VMA,
	GB_SHARE_OWN_VMA,
	GB_SHARE_OWN_PROCESS,
	GB_SHARE_NONE,		/* no other thread: not a word */
};

/* --backing's words, in enum gb_backing's order (guard.h) */
extern const char *const gb_backing_words[];
extern const char *const gb_share_words[];

extern const struct gb_param_def gb_param_backing;
extern const struct gb_param_def gb_param_share;
extern const struct gb_param_def gb_param_guard_pages;
extern const struct gb_param_def gb_param_fault_pages;

/* One bit per word a scenario accepts, for struct gb_param_use. */
#define GB_WORD(i) (1UL << (i))

struct gb_scenario;

/* How @sc takes @def, or NULL if it does not. */
const struct gb_param_use *gb_param_use(const struct gb_scenario *sc,
					const struct gb_param_def *def);
/* Does scenario @s (registry index) use @def before any other does? */
bool gb_param_first_use(size_t s, const struct gb_param_def *def);
/* Does @sc accept value @v (a word's index) of its parameter @name? */
bool gb_param_accepts(const struct gb_scenario *sc, const char *name, long v);

#endif
