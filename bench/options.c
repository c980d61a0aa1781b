// SPDX-License-Identifier: GPL-2.0
/*
 * `run` options: one table of data.  --help, README's option list and
 * the parser are all generated from it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "order.h"
#include "params.h"
#include "scenario.h"
#include "util.h"

enum opt_type { OPT_FLAG, OPT_LONG, OPT_DOUBLE, OPT_STRING };

struct gb_option {
	const char *name;
	char key;
	const char *metavar;
	enum opt_type type;
	size_t off;
	double min, max;
	const char *help;
	bool internal;		/* passed to replicates; not in --help */
};

#define CFG(field) offsetof(struct gb_config, field)

static const struct gb_option options[] = {
	{ "scenario", 's', "LIST", OPT_STRING, CFG(scenarios), 0, 0,
	  "scenarios to run, comma-separated (default: all; see list)" },
	{ "placement", 'p', "NAME", OPT_STRING, CFG(placement), 0, 0,
	  "where contenders run relative to the subject (default: spread)" },
	{ "trials", 'n', "N", OPT_LONG, CFG(trials), 1, 100000,
	  "trials per cell (default: 10)" },
	{ "duration", 'd', "SECONDS", OPT_DOUBLE, CFG(duration_s), 0.001, 3600,
	  "length of one trial (default: 1)" },
	{ "warmup", 'w', "SECONDS", OPT_DOUBLE, CFG(warmup_s), 0, 3600,
	  "untimed warm-up before each cell's trials (default: 0.2)" },
	{ "budget", 'b', "SECONDS", OPT_DOUBLE, CFG(budget_s), 1, 1e6,
	  "fit the whole plan in this time by shortening trials (never "
	  "below 0.05 s each); the lengths used go to meta.txt" },
	{ "threads", 't', "N", OPT_LONG, CFG(threads), 1, 1025,
	  "most threads in a cell, subject included: the contender sweep "
	  "goes 0,1,2,4,..,N-1 (default: all the placement allows)" },
	{ "oversubscribe", 0, NULL, OPT_FLAG, CFG(oversubscribe), 0, 0,
	  "allow more contenders than the placement has CPUs (reused)" },
	{ "cpu", 'c', "CPU", OPT_LONG, CFG(subject_cpu), 0, 1 << 20,
	  "OS index of the subject's CPU (default: first allowed)" },
	{ "tmpdir", 0, "DIR", OPT_STRING, CFG(tmpdir), 0, 0,
	  "where file-backed mappings live (default: a new dir in $TMPDIR)" },
	{ "results-dir", 'o', "DIR", OPT_STRING, CFG(results_dir), 0, 0,
	  "where runs land as <release>/<host>-<UTC time>/ "
	  "(default: results)" },
	{ "timer", 0, "NAME", OPT_STRING, CFG(timer), 0, 0,
	  "auto, tsc (x86_64), cntvct (arm64) or clock_gettime "
	  "(default: auto)" },
	{ "aslr", 0, "off|keep", OPT_STRING, CFG(aslr), 0, 0,
	  "off: re-exec without address randomisation (default); keep" },
	{ "emulate", 0, "write-lock", OPT_STRING, CFG(emulate), 0, 0,
	  "same-kernel proxy of the v1 write-lock baseline: each install "
	  "also flips VM_DONTDUMP on its VMA (mmap + VMA write lock)" },
	{ "events", 'e', "LIST", OPT_STRING, CFG(events), 0, 0,
	  "PMU events counted per op: presets coherence, basic, sw and "
	  "libpfm4 event strings, or none (default: coherence,sw)" },
	{ "replicates", 'R', "N", OPT_LONG, CFG(replicates), 1, 1000,
	  "independent re-execs of the run, merged into one results "
	  "directory; each keeps its own under replicates/ (default: 1)" },
	{ "order-seed", 0, "SEED", OPT_LONG, CFG(order_seed), 0,
	  GB_ORDER_SEED_MAX, "seed of the cells' random order in each "
	  "replicate (default: from the clock; meta.txt order_seed)" },
	{ "interleave", 0, NULL, OPT_FLAG, CFG(interleave), 0, 0,
	  "with --emulate and -R: write a normal and an emulated run, "
	  "their replicates alternating" },
	{ "replicate", 0, "K", OPT_LONG, CFG(replicate), 1, 1000,
	  "internal: this process is replicate K of a -R run", true },
	{ "quick", 'q', NULL, OPT_FLAG, CFG(quick), 0, 0,
	  "short trials (0.2 s, warm-up 0.05 s) for a smoke run" },
	{ "label", 0, "TEXT", OPT_STRING, CFG(label), 0, 0,
	  "name this run in every table and plot (meta.txt label), e.g. "
	  "to tell two runs of one kernel apart; no TAB, newline, '/' or "
	  "control characters" },
	{ "verbose", 'v', NULL, OPT_FLAG, CFG(verbose), 0, 0,
	  "at the end print the whole summary table, not the headline" },
	{ "help", 'h', NULL, OPT_FLAG, CFG(help), 0, 0, "this text" },
};

void gb_config_init(struct gb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scenarios = NULL;
	cfg->placement = "spread";
	cfg->trials = 10;
	cfg->duration_s = 1.0;
	cfg->warmup_s = 0.2;
	cfg->threads = 0;
	cfg->subject_cpu = -1;
	cfg->results_dir = "results";
	cfg->timer = "auto";
	cfg->aslr = "off";
	cfg->events = "coherence,sw";
	cfg->replicates = 1;
	cfg->order_seed = -1;

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
		if (def->words) {
			int i = word_index(def->words, tok);

			if (i < 0) {
				char all[256];

				join_words(def->words, all, sizeof(all));
				snprintf(err, errlen,
					 "--%s: unknown value '%s': use %s",
					 def->name, tok, all);
				ret = -1;
				break;
			}
			v = i;
		} else {
			int r = gb_parse_long(tok, def->min, def->max, &v);

			if (r) {
				snprintf(err, errlen,
					 "--%s: '%s' is %s: give an integer "
					 "from %ld to %ld", def->name, tok,
					 r == -EINVAL ? "not a number" :
					 "out of range", def->min, def->max);
				ret = -1;
				break;
			}
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

static const struct gb_option *find_option(const char *name, size_t len,
					   char key)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct gb_option *o = &options[i];

		if (key ? o->key == key :
			  strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
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

static int set_option(struct gb_config *cfg, const struct gb_option *o,
		      const char *val, char *err, size_t errlen)
{
	char *base = (char *)cfg + o->off;
	long l;
	double d;
	int r;

	switch (o->type) {
	case OPT_FLAG:
		*(bool *)base = true;
		return 0;
	case OPT_STRING:
		if (!*val) {
			snprintf(err, errlen, "--%s: empty value: give %s",
				 o->name, o->metavar);
			return -1;
		}
		*(const char **)base = val;
		return 0;
	case OPT_LONG:
		r = gb_parse_long(val, (long)o->min, (long)o->max, &l);
		if (!r) {
			*(long *)base = l;
			return 0;
		}
		snprintf(err, errlen, "--%s: '%s' is %s: give an integer "
			 "from %ld to %ld", o->name, val,
			 r == -EINVAL ? "not a number" : "out of range",
			 (long)o->min, (long)o->max);
		return -1;
	case OPT_DOUBLE:
		r = gb_parse_double(val, o->min, o->max, &d);
		if (!r) {
			*(double *)base = d;
			return 0;
		}
		snprintf(err, errlen, "--%s: '%s' is %s: give a number "
			 "of seconds from %g to %g", o->name, val,
			 r == -EINVAL ? "not a number" : "out of range",
			 o->min, o->max);
		return -1;
	}
	return -1;
}

int gb_config_parse(struct gb_config *cfg, int argc, char **argv,
		    char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *val = NULL;
		const struct gb_option *o;
		struct gb_param_val *p;
		size_t len;

		if (arg[0] != '-' || !arg[1]) {
			snprintf(err, errlen, "unexpected argument '%s': "
				 "options start with --, see run --help", arg);
			return -1;
		}
		if (arg[1] != '-') {
			if (arg[2]) {
				val = arg + 2;	/* -n5 */
			}
			o = find_option(NULL, 0, arg[1]);
			name = arg + 1;
			len = 1;
			p = NULL;
		} else {
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq ? (size_t)(eq - name) : strlen(name);
			if (eq)
				val = eq + 1;
			o = find_option(name, len, 0);
			p = o ? NULL : find_param(cfg, name, len);
		}
		if (!o && !p) {
			snprintf(err, errlen, "unknown option '%s': see "
				 "guard-bench run --help", arg);
			return -1;
		}
		if ((o && o->type != OPT_FLAG) || p) {
			if (!val) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "%s needs a "
						 "value: see run --help", arg);
					return -1;
				}
				val = argv[++i];
			}
		} else if (val) {
			snprintf(err, errlen, "--%s takes no value", o->name);
			return -1;
		}
		if (p) {
			const struct gb_param_def *def = p->def;

			if (gb_param_parse(def, val, p, err, errlen))
				return -1;
			p->given = true;
		} else if (set_option(cfg, o, val, err, errlen)) {
			return -1;
		}
	}
	return 0;
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
	fprintf(f, "Options:\n");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct gb_option *o = &options[i];
		char lhs[64];

		if (o->internal)
			continue;
		snprintf(lhs, sizeof(lhs), "%c%c%c --%s%s%s",
			 o->key ? '-' : ' ', o->key ? o->key : ' ',
			 o->key ? ',' : ' ', o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		fprintf(f, "  %-28s %s\n", lhs, o->help);
	}
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
		const struct gb_option *o;
		bool inline_val, takes;

		if (arg[0] != '-' || !arg[1]) {
			out[n++] = argv[i];
			continue;
		}
		if (arg[1] != '-') {
			o = find_option(NULL, 0, arg[1]);
			inline_val = arg[2];
		} else {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) :
					  strlen(arg + 2);

			o = find_option(arg + 2, len, 0);
			inline_val = eq;
		}
		/* scenario parameters always take a value */
		takes = !o || o->type != OPT_FLAG;

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
