/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option engine every subcommand parses with: a table of options,
 * their defaults, word lists and presets; --help is generated from it.
 */
#ifndef GB_OPTPARSE_H
#define GB_OPTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum gb_opt_type {
	GB_OPT_FLAG,	/* bool; takes no value */
	GB_OPT_PRESET,	/* bool, and sets the options in .preset not given */
	GB_OPT_LONG,	/* long from .min to .max */
	GB_OPT_DOUBLE,	/* double from .min to .max (seconds) */
	GB_OPT_STRING,	/* const char *, not empty */
	GB_OPT_WORD,	/* const char *: the matching word of .words */
	GB_OPT_CHOICE,	/* int: the .value of the matching struct gb_word */
	GB_OPT_CUSTOM,	/* .set parses the value */
};

/* A word table for GB_OPT_CHOICE, ending with a NULL name. */
struct gb_word {
	const char *name;
	int value;
};

/* What a preset sets: option name and value as typed; NULL name ends. */
struct gb_preset {
	const char *name;
	const char *value;
};

#define GB_OPT_INTERNAL	1	/* parsed, but not in --help */

struct gb_opt {
	const char *name;		/* --name */
	char key;			/* -k, or 0 */
	const char *metavar;		/* NULL: takes no value */
	enum gb_opt_type type;
	size_t off;			/* of the field in the parsed object */
	const char *def;		/* default as typed; NULL: zero */
	const char *help;
	const char *def_text;		/* --help's default when not .def */
	double min, max;		/* GB_OPT_LONG, GB_OPT_DOUBLE */
	/*
	 * GB_OPT_WORD, GB_OPT_CHOICE: an array of structs each starting
	 * with its name, .stride apart, ending with a NULL name.
	 */
	const void *words;
	size_t stride;
	/* unknown word: printf format of the word and "a, b or c" */
	const char *bad_word;
	const struct gb_preset *preset;	/* GB_OPT_PRESET */
	int (*set)(void *obj, const char *val, char *err, size_t errlen);
	unsigned int flags;
};

/* A subcommand's options. */
struct gb_optset {
	const char *cmd;		/* in messages: guard-bench CMD --help */
	const struct gb_opt *opts;
	size_t nr;
	/*
	 * Arguments that are not options: collected into @rest when
	 * .positional, else a usage error.  With .pass_unknown, unknown
	 * options go to @rest too, for another parser.
	 */
	bool positional;
	bool pass_unknown;
	/* Options outside the table (run's scenario parameters). */
	bool (*is_extra)(void *obj, const char *name, size_t len);
	int (*set_extra)(void *obj, const char *name, size_t len,
			 const char *val, char *err, size_t errlen);
};

/* -h, --help, into the bool field help of @type */
#define GB_OPT_HELP(type)						\
	{ "help", 'h', NULL, GB_OPT_FLAG, offsetof(type, help), NULL,	\
	  "this text" }

/*
 * Every option's default into @obj; fields without one are cleared
 * (false, 0, NULL), except a GB_OPT_CUSTOM option's.
 */
void gb_opts_defaults(const struct gb_optset *set, void *obj);
/*
 * Parse @argv into @obj, which has its defaults.  Arguments for
 * someone else (see struct gb_optset) go to @rest (room for @argc + 1,
 * NULL-terminated; may be NULL when there are none), counted in
 * @nr_rest.  On a usage error returns -1 with a one-line message
 * (problem and fix) in @err.
 */
int gb_opts_parse(const struct gb_optset *set, void *obj, int argc,
		  char **argv, char **rest, int *nr_rest, char *err,
		  size_t errlen);
/* Like gb_opts_parse, with defaults first; a usage error dies (2). */
void gb_opts_parse_or_die(const struct gb_optset *set, void *obj, int argc,
			  char **argv, char **rest, int *nr_rest);
/* The option @name (@len bytes) or with short @key, if @key. */
const struct gb_opt *gb_opt_find(const struct gb_optset *set,
				 const char *name, size_t len, char key);
/* "Options:" and one entry per option, each once. */
void gb_opts_usage(const struct gb_optset *set, FILE *f);

#define GB_OPTSET(c, table) \
	.cmd = (c), .opts = (table), .nr = sizeof(table) / sizeof((table)[0])

#endif
