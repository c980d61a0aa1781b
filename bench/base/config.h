/* SPDX-License-Identifier: GPL-2.0 */
/* A run's configuration: options, scenario parameters, and their parser. */
#ifndef GB_CONFIG_H
#define GB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define GB_MAX_LIST 64

/*
 * Most contenders a cell has, and most CPUs a placement hands out for
 * them; --threads counts the subject too, so it goes to GB_MAX_CPUS + 1.
 */
#define GB_MAX_CPUS 1024

/*
 * A scenario parameter: a comma-separated list of integers or of words,
 * swept by the scenario.  Shared ones are defined once in params.c,
 * the others in the scenario's own file; the option parser finds them
 * through the scenarios, so a new scenario never edits options.c.
 */
struct gb_param_def {
	const char *name;		/* --name */
	const char *help;
	const char *def;		/* default list, as typed */
	const char *const *words;	/* allowed words; NULL: integers */
	long min, max;			/* integer range */
};

/*
 * A parameter a scenario takes: a shared definition (params.h) or one
 * of its own, and which of its words the scenario accepts.
 */
struct gb_param_use {
	const struct gb_param_def *def;
	unsigned long words;		/* GB_WORD() bits it accepts; 0: all */
};

struct gb_param_val {
	const struct gb_param_def *def;
	bool given;
	size_t n;
	long v[GB_MAX_LIST];		/* integer, or index into def->words */
};

#define GB_MAX_PARAMS 32

/* Everything `run` was asked to do.  Defaults live in gb_config_init(). */
struct gb_config {
	const char *scenarios;
	const char *placement;
	long trials;
	double duration_s;
	double warmup_s;
	double budget_s;	/* 0: none; else shorten trials to fit */
	double planned_duration_s;	/* --duration before --budget */
	long threads;		/* upper bound of the sweep; 0: what fits */
	bool oversubscribe;
	long subject_cpu;	/* OS index; -1: first allowed PU */
	const char *tmpdir;	/* NULL: a fresh temporary directory */
	const char *results_dir;
	const char *timer;
	const char *aslr;
	const char *emulate;	/* NULL, or "write-lock" */
	const char *events;	/* libpfm4 events and presets; "" none */
	bool quick;
	bool help;
	long replicates;	/* -R: re-execs, each a run of its own */
	long order_seed;	/* cell order; -1: from the clock */
	bool interleave;	/* --emulate: normal and emulated alternate */
	long replicate;		/* internal: this process is replicate K */
	const char *label;	/* --label: names the run; NULL: none */
	bool verbose;		/* --verbose: the full table at the end */

	size_t nr_params;
	struct gb_param_val params[GB_MAX_PARAMS];
};

struct gb_scenario;

void gb_config_init(struct gb_config *cfg);
/*
 * Parse `run` options.  On a usage error returns -1 with a one-line
 * message (problem and fix) in @err.
 */
int gb_config_parse(struct gb_config *cfg, int argc, char **argv,
		    char *err, size_t errlen);
/* Parse one parameter list ("1,16,512") against its definition. */
int gb_param_parse(const struct gb_param_def *def, const char *text,
		   struct gb_param_val *out, char *err, size_t errlen);
const struct gb_param_val *gb_param(const struct gb_config *cfg,
				    const char *name);
/*
 * A parameter @scenario takes as one number, not a sweep, at most @max.
 * Returns it, or -1 with the usage message (problem and fix) in @err.
 */
long gb_param_one(const struct gb_config *cfg, const char *name,
		  const char *scenario, long max, char *err, size_t errlen);
void gb_config_usage(FILE *f);
/*
 * Copy @argv without the options named in @drop (long names, with their
 * values, in any spelling: -R 3, -R3, --replicates=3) into @out, which
 * has room for @argc + 1 pointers.  Returns the count copied; @out ends
 * with NULL.  @argv must already have parsed.
 */
int gb_config_strip(int argc, char **argv, const char *const *drop,
		    char **out);

#endif
