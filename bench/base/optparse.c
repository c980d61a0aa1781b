// SPDX-License-Identifier: GPL-2.0
/*
 * The option engine: parses a subcommand's arguments against its table
 * (struct gb_optset), sets the table's defaults and prints its --help.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/optparse.h"
#include "base/util.h"

static const char *word_at(const struct gb_opt *o, size_t i)
{
	return *(const char *const *)((const char *)o->words + i * o->stride);
}

/* "a, b or c" */
static void join_words(const struct gb_opt *o, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; word_at(o, i) && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 !i ? "" : word_at(o, i + 1) ? ", " :
					 " or ", word_at(o, i));
}

/* @fmt with its first %s replaced by @a, its second by @b */
static void subst(char *buf, size_t len, const char *fmt, const char *a,
		  const char *b)
{
	const char *args[2] = { a, b };
	size_t used = 0, k = 0;

	for (; *fmt && used + 1 < len; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's' && k < 2) {
			used += (size_t)snprintf(buf + used, len - used, "%s",
						 args[k++]);
			fmt++;
			if (used >= len)
				break;
		} else {
			buf[used++] = *fmt;
		}
	}
	buf[used < len ? used : len - 1] = '\0';
}

static int set_word(const struct gb_opt *o, void *field, const char *val,
		    char *err, size_t errlen)
{
	char all[256];

	for (size_t i = 0; word_at(o, i); i++) {
		if (strcmp(word_at(o, i), val))
			continue;
		if (o->type == GB_OPT_WORD)
			*(const char **)field = word_at(o, i);
		else
			*(int *)field = ((const struct gb_word *)o->words)[i]
					.value;
		return 0;
	}
	join_words(o, all, sizeof(all));
	if (o->bad_word) {
		subst(err, errlen, o->bad_word, val, all);
	} else {
		snprintf(err, errlen, "--%s: unknown value '%s': use %s",
			 o->name, val, all);
	}
	return -1;
}

/*
 * A default may lie outside what the user may give: -1 for "not given"
 * (--cpu: the first allowed CPU).
 */
static int set_number(const struct gb_opt *o, void *field, const char *val,
		      bool is_default, char *err, size_t errlen)
{
	const char *why;
	double d;
	long l;
	int r;

	if (o->type == GB_OPT_LONG) {
		r = gb_parse_long(val, is_default ? LONG_MIN : (long)o->min,
				  (long)o->max, &l);
		if (!r)
			*(long *)field = l;
	} else {
		r = gb_parse_double(val, o->min, o->max, &d);
		if (!r)
			*(double *)field = d;
	}
	if (!r)
		return 0;
	why = r == -EINVAL ? "not a number" : "out of range";
	if (o->type == GB_OPT_LONG)
		snprintf(err, errlen, "--%s: '%s' is %s: give an integer "
			 "from %ld to %ld", o->name, val, why, (long)o->min,
			 (long)o->max);
	else
		snprintf(err, errlen, "--%s: '%s' is %s: give a number "
			 "of seconds from %g to %g", o->name, val, why, o->min,
			 o->max);
	return -1;
}

static int set_value(const struct gb_opt *o, void *obj, const char *val,
		     bool is_default, char *err, size_t errlen)
{
	void *field = (char *)obj + o->off;

	if (o->metavar && !*val && o->type != GB_OPT_LONG &&
	    o->type != GB_OPT_DOUBLE) {
		snprintf(err, errlen, "--%s: empty value: give %s", o->name,
			 o->metavar);
		return -1;
	}
	switch (o->type) {
	case GB_OPT_FLAG:
	case GB_OPT_PRESET:
		*(bool *)field = true;
		return 0;
	case GB_OPT_LONG:
	case GB_OPT_DOUBLE:
		return set_number(o, field, val, is_default, err, errlen);
	case GB_OPT_STRING:
		*(const char **)field = val;
		return 0;
	case GB_OPT_WORD:
	case GB_OPT_CHOICE:
		return set_word(o, field, val, err, errlen);
	case GB_OPT_CUSTOM:
		return o->set(obj, val, err, errlen);
	}
	return -1;
}

/* The field of @o in @obj, empty: false, 0, NULL. */
static void clear(const struct gb_opt *o, void *obj)
{
	void *field = (char *)obj + o->off;

	switch (o->type) {
	case GB_OPT_FLAG:
	case GB_OPT_PRESET:
		*(bool *)field = false;
		break;
	case GB_OPT_LONG:
		*(long *)field = 0;
		break;
	case GB_OPT_DOUBLE:
		*(double *)field = 0;
		break;
	case GB_OPT_STRING:
	case GB_OPT_WORD:
		*(const char **)field = NULL;
		break;
	case GB_OPT_CHOICE:
		*(int *)field = 0;
		break;
	case GB_OPT_CUSTOM:
		break;		/* .set owns its fields */
	}
}

void gb_opts_defaults(const struct gb_optset *set, void *obj)
{
	char err[512];

	for (size_t i = 0; i < set->nr; i++) {
		const struct gb_opt *o = &set->opts[i];

		clear(o, obj);
		if (o->def &&
		    set_value(o, obj, o->def, true, err, sizeof(err)))
			gb_die(GB_EXIT_FAILURE, "bad default of --%s: %s",
			       o->name, err);
	}
}

const struct gb_opt *gb_opt_find(const struct gb_optset *set,
				 const char *name, size_t len, char key)
{
	for (size_t i = 0; i < set->nr; i++) {
		const struct gb_opt *o = &set->opts[i];

		if (key ? o->key == key :
			  strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

/* After parsing: each preset given sets what was not given itself. */
static int apply_presets(const struct gb_optset *set, void *obj,
			 const bool *given, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->nr; i++) {
		const struct gb_opt *o = &set->opts[i];

		if (o->type != GB_OPT_PRESET || !given[i])
			continue;
		for (const struct gb_preset *p = o->preset; p->name; p++) {
			const struct gb_opt *t = gb_opt_find(set, p->name,
						strlen(p->name), 0);

			if (!given[t - set->opts] &&
			    set_value(t, obj, p->value, false, err, errlen))
				return -1;
		}
	}
	return 0;
}

struct parse_arg {
	const char *arg, *name, *val;
	size_t len;
	const struct gb_opt *o;
	bool extra;
};

/* Which option @a->arg names, and its value if written into it. */
static void identify(const struct gb_optset *set, void *obj,
		     struct parse_arg *a)
{
	const char *arg = a->arg, *eq;

	a->val = NULL;
	a->extra = false;
	if (arg[1] != '-') {
		a->o = gb_opt_find(set, NULL, 0, arg[1]);
		a->val = arg[2] ? arg + 2 : NULL;	/* -n5 */
		return;
	}
	a->name = arg + 2;
	eq = strchr(a->name, '=');
	a->len = eq ? (size_t)(eq - a->name) : strlen(a->name);
	if (eq)
		a->val = eq + 1;
	a->o = gb_opt_find(set, a->name, a->len, 0);
	a->extra = !a->o && set->is_extra &&
		   set->is_extra(obj, a->name, a->len);
}

/* The value @a needs, from the next argument if not in @a->arg. */
static int take_value(const struct gb_optset *set, struct parse_arg *a,
		      int argc, char **argv, int *i, char *err, size_t errlen)
{
	if (a->extra || a->o->metavar) {
		if (a->val)
			return 0;
		if (*i + 1 < argc) {
			a->val = argv[++*i];
			return 0;
		}
		snprintf(err, errlen, "%s needs a value: see guard-bench %s "
			 "--help", a->arg, set->cmd);
		return -1;
	}
	if (a->val) {
		snprintf(err, errlen, "--%s takes no value", a->o->name);
		return -1;
	}
	return 0;
}

static int keep(const struct gb_optset *set, const char *arg,
		char **rest, int *nr_rest, char *err, size_t errlen)
{
	if (!rest) {
		snprintf(err, errlen, "unexpected argument '%s': options "
			 "start with --, see guard-bench %s --help", arg,
			 set->cmd);
		return -1;
	}
	rest[(*nr_rest)++] = (char *)arg;
	rest[*nr_rest] = NULL;
	return 0;
}

static int parse_one(const struct gb_optset *set, void *obj, bool *given,
		     struct parse_arg *a, int argc, char **argv, int *i,
		     char *err, size_t errlen)
{
	identify(set, obj, a);
	if (!a->o && !a->extra) {
		snprintf(err, errlen, "unknown option '%s': see guard-bench "
			 "%s --help", a->arg, set->cmd);
		return -1;
	}
	if (take_value(set, a, argc, argv, i, err, errlen))
		return -1;
	if (a->extra)
		return set->set_extra(obj, a->name, a->len, a->val, err,
				      errlen);
	given[a->o - set->opts] = true;
	return set_value(a->o, obj, a->val, false, err, errlen);
}

int gb_opts_parse(const struct gb_optset *set, void *obj, int argc,
		  char **argv, char **rest, int *nr_rest, char *err,
		  size_t errlen)
{
	bool *given = gb_zalloc(set->nr * sizeof(*given) + 1);
	char **pos = set->positional || set->pass_unknown ? rest : NULL;
	bool only_rest = false;
	int ret = 0, n = 0;

	if (rest)
		rest[0] = NULL;
	for (int i = 0; i < argc && !ret; i++) {
		struct parse_arg a = { .arg = argv[i] };

		if (only_rest || a.arg[0] != '-' || !a.arg[1]) {
			ret = keep(set, a.arg, pos, &n, err, errlen);
		} else if (!strcmp(a.arg, "--") && pos) {
			only_rest = true;	/* the other parser's too */
			if (set->pass_unknown)
				ret = keep(set, a.arg, pos, &n, err, errlen);
		} else if (set->pass_unknown) {
			identify(set, obj, &a);
			ret = a.o ? parse_one(set, obj, given, &a, argc, argv,
					      &i, err, errlen) :
				    keep(set, a.arg, pos, &n, err, errlen);
		} else {
			ret = parse_one(set, obj, given, &a, argc, argv, &i,
					err, errlen);
		}
	}
	if (!ret)
		ret = apply_presets(set, obj, given, err, errlen);
	if (nr_rest)
		*nr_rest = n;
	free(given);
	return ret;
}

void gb_opts_parse_or_die(const struct gb_optset *set, void *obj, int argc,
			  char **argv, char **rest, int *nr_rest)
{
	char err[512];

	gb_opts_defaults(set, obj);
	if (gb_opts_parse(set, obj, argc, argv, rest, nr_rest, err,
			  sizeof(err)))
		gb_die(GB_EXIT_USAGE, "%s", err);
}

/* The help text, the words it takes, its default and what it presets. */
static void describe(const struct gb_opt *o, char *buf, size_t len)
{
	const char *def = o->def_text ? o->def_text : o->def;
	size_t used = (size_t)snprintf(buf, len, "%s", o->help);
	char all[256] = "";

	for (const struct gb_preset *p = o->preset; p && p->name &&
	     used < len; p++)
		used += (size_t)snprintf(buf + used, len - used, "%s--%s %s",
					 p == o->preset ? ": " : " ", p->name,
					 p->value);
	if (o->words)
		join_words(o, all, sizeof(all));
	if ((def || all[0]) && used < len)
		snprintf(buf + used, len - used, " (%s%s%s%s%s)",
			 all[0] ? "one of " : "", all,
			 all[0] && def ? "; " : "", def ? "default: " : "",
			 def ? def : "");
}

void gb_opts_usage(const struct gb_optset *set, FILE *f)
{
	fprintf(f, "Options:\n");
	for (size_t i = 0; i < set->nr; i++) {
		const struct gb_opt *o = &set->opts[i];
		char lhs[64], first[96], text[1024];

		if (o->flags & GB_OPT_INTERNAL)
			continue;
		snprintf(lhs, sizeof(lhs), "%c%c%c --%s%s%s",
			 o->key ? '-' : ' ', o->key ? o->key : ' ',
			 o->key ? ',' : ' ', o->name,
			 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		snprintf(first, sizeof(first), "  %-24s ", lhs);
		describe(o, text, sizeof(text));
		gb_put_wrapped(f, first, "                           ", text);
	}
}
