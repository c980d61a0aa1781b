// SPDX-License-Identifier: GPL-2.0
/*
 * `run` options: one table of data (parsed by optparse.c, which also
 * prints --help from it; a test checks README's list against --help).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/clock.h"
#include "cmd/commands.h"
#include "base/config.h"
#include "base/optparse.h"
#include "measure/order.h"
#include "measure/params.h"
#include "measure/scenario.h"
#include "measure/topo.h"
#include "base/util.h"

static const char *const aslr_words[] = { "off", "keep", NULL };
static const char *const emulate_words[] = { "write-lock", NULL };

/* what --quick sets unless given itself */
static const struct gb_preset quick[] = {
	{ "duration", "0.2" }, { "warmup", "0.05" }, { NULL, NULL }
};

#define CFG(field) offsetof(struct gb_config, field)
#define WORDS(table) .words = (table), .stride = sizeof((table)[0])

static const struct gb_opt options[] = {
	{ "scenario", 's', "LIST", GB_OPT_STRING, CFG(scenarios), NULL,
	  "scenarios to run, comma-separated", "all; see list" },
	{ "placement", 'p', "NAME", GB_OPT_WORD, CFG(placement), "spread",
	  "where contenders run relative to the subject",
	  WORDS(gb_placements), .bad_word = "unknown placement '%s': use %s" },
	{ "trials", 'n', "N", GB_OPT_LONG, CFG(trials), "10",
	  "trials per cell", .min = 1, .max = 100000 },
	{ "duration", 'd', "SECONDS", GB_OPT_DOUBLE, CFG(duration_s), "1",
	  "length of one trial", .min = 0.001, .max = 3600 },
	{ "warmup", 'w', "SECONDS", GB_OPT_DOUBLE, CFG(warmup_s), "0.2",
	  "untimed warm-up before each cell's trials", .min = 0, .max = 3600 },
	{ "budget", 'b', "SECONDS", GB_OPT_DOUBLE, CFG(budget_s), NULL,
	  "fit the whole plan in this time by shortening trials (never "
	  "below 0.05 s each); the lengths used go to meta.txt",
	  .min = 1, .max = 1e6 },
	{ "threads", 't', "N", GB_OPT_LONG, CFG(threads), NULL,
	  "most threads in a cell, subject included: the contender sweep "
	  "goes 0,1,2,4,..,N-1", "all the placement allows",
	  .min = 1, .max = GB_MAX_CPUS + 1 },
	{ "oversubscribe", 0, NULL, GB_OPT_FLAG, CFG(oversubscribe), NULL,
	  "allow more contenders than the placement has CPUs (reused)" },
	{ "cpu", 'c', "CPU", GB_OPT_LONG, CFG(subject_cpu), "-1",
	  "OS index of the subject's CPU", "first allowed",
	  .min = 0, .max = 1 << 20 },
	{ "tmpdir", 0, "DIR", GB_OPT_STRING, CFG(tmpdir), NULL,
	  "where file-backed mappings live", "a new dir in $TMPDIR" },
	GB_OPT_RESULTS_DIR(struct gb_config,
			   "where runs land as <release>/<host>-<UTC time>/"),
	{ "timer", 0, "NAME", GB_OPT_WORD, CFG(timer), "auto",
	  "the per-op timer; tsc is x86_64's, cntvct arm64's",
	  WORDS(gb_timer_names), .bad_word = "unknown timer '%s': use %s" },
	{ "aslr", 0, "off|keep", GB_OPT_WORD, CFG(aslr), "off",
	  "off: re-exec without address randomisation; keep: leave it as "
	  "the system has it", WORDS(aslr_words),
	  .bad_word = "--aslr '%s': use %s" },
	{ "emulate", 0, "write-lock", GB_OPT_WORD, CFG(emulate), NULL,
	  "same-kernel proxy of the v1 write-lock baseline: each install "
	  "also flips VM_DONTDUMP on its VMA (mmap + VMA write lock)",
	  WORDS(emulate_words),
	  .bad_word = "--emulate '%s': the only emulation is %s" },
	{ "events", 'e', "LIST", GB_OPT_STRING, CFG(events), "coherence,sw",
	  "PMU events counted per op: presets coherence, basic, sw and "
	  "libpfm4 event strings, or none" },
	{ "replicates", 'R', "N", GB_OPT_LONG, CFG(replicates), "1",
	  "independent re-execs of the run, merged into one results "
	  "directory; each keeps its own under replicates/",
	  .min = 1, .max = 1000 },
	{ "order-seed", 0, "SEED", GB_OPT_LONG, CFG(order_seed), "-1",
	  "seed of the cells' random order in each replicate",
	  "from the clock; meta.txt order_seed",
	  .min = 0, .max = GB_ORDER_SEED_MAX },
	{ "interleave", 0, NULL, GB_OPT_FLAG, CFG(interleave), NULL,
	  "with --emulate and -R: write a normal and an emulated run, "
	  "their replicates alternating" },
	{ "replicate", 0, "K", GB_OPT_LONG, CFG(replicate), NULL,
	  "internal: this process is replicate K of a -R run",
	  .min = 1, .max = 1000, .flags = GB_OPT_INTERNAL },
	{ "quick", 'q', NULL, GB_OPT_PRESET, CFG(quick), NULL,
	  "short trials for a smoke run", .preset = quick },
	{ "label", 0, "TEXT", GB_OPT_STRING, CFG(label), NULL,
	  "name this run in every table and plot (meta.txt label), e.g. "
	  "to tell two runs of one kernel apart; no TAB, newline, '/' or "
	  "control characters" },
	{ "verbose", 'v', NULL, GB_OPT_FLAG, CFG(verbose), NULL,
	  "at the end print the whole summary table, not the headline" },
	GB_OPT_HELP(struct gb_config),
};

static bool is_param(void *obj, const char *name, size_t len);
static int set_param(void *obj, const char *name, size_t len,
		     const char *val, char *err, size_t errlen);

static const struct gb_optset run_opts = {
	GB_OPTSET("run", options),
	.is_extra = is_param,
	.set_extra = set_param,
};

void gb_config_init(struct gb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	gb_opts_defaults(&run_opts, cfg);

	/* every scenario's parameters, with their defaults */
	for (size_t s = 0; s < gb_nr_scenarios; s++) {
		const struct gb_param_use *u = gb_scenarios[s]->params;

		for (; u && u->def; u++) {
			struct gb_param_val *v;
			char err[256];

			if (gb_param(cfg, u->def->name))
				continue;	/* shared: params.c */
			if (cfg->nr_params == GB_MAX_PARAMS)
				gb_die(GB_EXIT_FAILURE, "too many parameters");
			v = &cfg->params[cfg->nr_params++];
			if (gb_param_parse(u->def, u->def->def, v, err,
					   sizeof(err)))
				gb_die(GB_EXIT_FAILURE, "bad default: %s", err);
		}
	}
}

const struct gb_param_val *gb_param(const struct gb_config *cfg,
				    const char *name)
{
	for (size_t i = 0; i < cfg->nr_params; i++)
		if (!strcmp(cfg->params[i].def->name, name))
			return &cfg->params[i];
	return NULL;
}

long gb_param_one(const struct gb_config *cfg, const char *name,
		  const char *scenario, long max, char *err, size_t errlen)
{
	const struct gb_param_val *p = gb_param(cfg, name);

	if (p->n > 1) {
		snprintf(err, errlen, "--%s takes one value for %s: give a "
			 "single number", name, scenario);
		return -1;
	}
	if (p->v[0] > max) {
		snprintf(err, errlen, "--%s %ld is more than %s takes: give at "
			 "most %ld", name, p->v[0], scenario, max);
		return -1;
	}
	return p->v[0];
}

static int word_index(const char *const *words, const char *w)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], w))
			return i;
	return -1;
}

static void join_words(const char *const *words, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; words[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", words[i]);
}

/* One item of a list: a word's index, or an integer in range. */
static int param_item(const struct gb_param_def *def, const char *tok,
		      long *v, char *err, size_t errlen)
{
	int r;

	if (def->words) {
		int i = word_index(def->words, tok);

		if (i < 0) {
			char all[256];

			join_words(def->words, all, sizeof(all));
			snprintf(err, errlen,
				 "--%s: unknown value '%s': use %s",
				 def->name, tok, all);
			return -1;
		}
		*v = i;
		return 0;
	}
	r = gb_parse_long(tok, def->min, def->max, v);
	if (r)
		snprintf(err, errlen,
			 "--%s: '%s' is %s: give an integer from %ld to %ld",
			 def->name, tok, r == -EINVAL ? "not a number" :
			 "out of range", def->min, def->max);
	return r ? -1 : 0;
}

int gb_param_parse(const struct gb_param_def *def, const char *text,
		   struct gb_param_val *out, char *err, size_t errlen)
{
	char *copy = gb_strdup(text), *rest = copy, *tok;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->def = def;
	while (*text && (tok = strsep(&rest, ","))) {
		long v;

		if (!*tok) {
			snprintf(err, errlen, "--%s: empty item in '%s': "
				 "separate values with single commas",
				 def->name, text);
			ret = -1;
			break;
		}

		if (out->n == GB_MAX_LIST) {
			snprintf(err, errlen, "--%s: more than %d values: "
				 "give fewer", def->name, GB_MAX_LIST);
			ret = -1;
			break;
		}
		if (param_item(def, tok, &v, err, errlen)) {
			ret = -1;
			break;
		}
		out->v[out->n++] = v;
	}
	if (!ret && out->n == 0) {
		snprintf(err, errlen, "--%s: empty list: give at least one "
			 "value", def->name);
		ret = -1;
	}
	free(copy);
	return ret;
}

static struct gb_param_val *find_param(struct gb_config *cfg,
				       const char *name, size_t len)
{
	for (size_t i = 0; i < cfg->nr_params; i++) {
		const char *n = cfg->params[i].def->name;

		if (strlen(n) == len && !strncmp(n, name, len))
			return &cfg->params[i];
	}
	return NULL;
}

static bool is_param(void *obj, const char *name, size_t len)
{
	return find_param(obj, name, len);
}

static int set_param(void *obj, const char *name, size_t len,
		     const char *val, char *err, size_t errlen)
{
	struct gb_param_val *p = find_param(obj, name, len);

	if (gb_param_parse(p->def, val, p, err, errlen))
		return -1;
	p->given = true;
	return 0;
}

int gb_config_parse(struct gb_config *cfg, int argc, char **argv,
		    char *err, size_t errlen)
{
	return gb_opts_parse(&run_opts, cfg, argc, argv, NULL, NULL, err,
			     errlen);
}

/* "install,fork" or "faults: same-vma,other-vma; scaling: ..." */
static void param_users(const struct gb_param_def *d, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t s = 0; s < gb_nr_scenarios && used < len; s++) {
		const struct gb_param_use *u = gb_param_use(gb_scenarios[s], d);
		bool words = false;

		for (size_t w = 0; u && u->words && d->words[w]; w++)
			words |= !(u->words & GB_WORD(w));
		if (!u)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s%s",
					 used ? (words ? "; " : ",") : "",
					 gb_scenarios[s]->name,
					 words ? ":" : "");
		for (size_t w = 0, n = 0; words && d->words[w] && used < len;
		     w++)
			if (u->words & GB_WORD(w))
				used += (size_t)snprintf(buf + used, len - used,
							 "%s%s", n++ ? "," : " ",
							 d->words[w]);
	}
}

static void param_usage(FILE *f, const struct gb_param_def *d)
{
	char lhs[64], users[512];

	snprintf(lhs, sizeof(lhs), "    --%s LIST", d->name);
	param_users(d, users, sizeof(users));
	fprintf(f, "  %-28s [%s] %s (default: %s)\n", lhs, users, d->help,
		d->def);
}

void gb_config_usage(FILE *f)
{
	gb_opts_usage(&run_opts, f);
	fprintf(f, "\nScenario parameters (comma-separated lists, swept; "
		"[the scenarios that take one]):\n");
	for (size_t s = 0; s < gb_nr_scenarios; s++) {
		const struct gb_param_use *u = gb_scenarios[s]->params;

		for (; u && u->def; u++)
			if (gb_param_first_use(s, u->def))
				param_usage(f, u->def);
	}
}

static bool dropped(const char *const *drop, const char *name)
{
	for (; *drop; drop++)
		if (!strcmp(*drop, name))
			return true;
	return false;
}

int gb_config_strip(int argc, char **argv, const char *const *drop,
		    char **out)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const struct gb_opt *o;
		bool inline_val, takes;

		if (arg[0] != '-' || !arg[1]) {
			out[n++] = argv[i];
			continue;
		}
		if (arg[1] != '-') {
			o = gb_opt_find(&run_opts, NULL, 0, arg[1]);
			inline_val = arg[2];
		} else {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) :
					  strlen(arg + 2);

			o = gb_opt_find(&run_opts, arg + 2, len, 0);
			inline_val = eq;
		}
		/* scenario parameters always take a value */
		takes = !o || o->metavar;

		if (o && dropped(drop, o->name)) {
			if (takes && !inline_val)
				i++;
			continue;
		}
		out[n++] = argv[i];
		if (takes && !inline_val && i + 1 < argc)
			out[n++] = argv[++i];
	}
	out[n] = NULL;
	return n;
}
