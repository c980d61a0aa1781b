// SPDX-License-Identifier: GPL-2.0
/*
 * `run` option parsing.  A usage error must stop the run before it
 * starts, with a message that names the problem and the fix, and a
 * scenario parameter list must come out exactly as typed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/config.h"
#include "base/util.h"

static struct gb_config cfg;
static char err[512];

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
/* Parse a fresh default config with the given arguments. */
#define PARSE(...)							\
	(gb_config_init(&cfg), err[0] = '\0',				\
	 gb_config_parse(&cfg, NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), err, \
			 sizeof(err)))

/* Every fragment in @want must be in the error message. */
static void check_err(const char *arg, const char *const *want)
{
	if (!err[0])
		fail_msg("%s: no error message", arg);
	for (; *want; want++)
		if (!strstr(err, *want))
			fail_msg("%s: error '%s' lacks '%s'", arg, err, *want);
}

#define REJECTS(want, ...)						\
	do {								\
		static const char *const w_[] = { want, NULL };		\
		if (PARSE(__VA_ARGS__) != -1)				\
			fail_msg("'%s' accepted", #__VA_ARGS__);	\
		check_err(#__VA_ARGS__, w_);				\
	} while (0)

static void test_defaults(void **state)
{
	const struct gb_param_val *p;

	(void)state;
	gb_config_init(&cfg);
	assert_int_equal(gb_config_parse(&cfg, 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(cfg.trials, 10);
	assert_string_equal(cfg.placement, "spread");
	assert_true(cfg.duration_s == 1.0 && cfg.warmup_s == 0.2);
	assert_int_equal(cfg.threads, 0);
	assert_int_equal(cfg.subject_cpu, -1);
	assert_string_equal(cfg.timer, "auto");
	assert_false(cfg.quick || cfg.help || cfg.oversubscribe);
	/* scenario parameters start at their declared defaults */
	p = gb_param(&cfg, "pages");
	assert_non_null(p);
	assert_false(p->given);
	assert_int_equal(p->n, 3);
	assert_true(p->v[0] == 1 && p->v[1] == 16 && p->v[2] == 512);
	assert_null(gb_param(&cfg, "no-such-param"));
}

static void test_trials_forms(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--trials", "5"), 0);
	assert_int_equal(cfg.trials, 5);
	assert_int_equal(PARSE("-n5"), 0);
	assert_int_equal(cfg.trials, 5);
	assert_int_equal(PARSE("-n", "7"), 0);
	assert_int_equal(cfg.trials, 7);
	assert_int_equal(PARSE("--trials=5"), 0);
	assert_int_equal(cfg.trials, 5);
	/* the last one given wins */
	assert_int_equal(PARSE("--trials=5", "-n", "3"), 0);
	assert_int_equal(cfg.trials, 3);
}

static void test_other_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--duration", "0.5", "--quick", "-p", "smt",
			       "--oversubscribe", "--threads=4"), 0);
	assert_true(cfg.duration_s == 0.5);
	assert_true(cfg.quick && cfg.oversubscribe);
	assert_string_equal(cfg.placement, "smt");
	assert_int_equal(cfg.threads, 4);
	assert_int_equal(cfg.trials, 10);	/* untouched */
}

/* --quick is a preset: it sets what the user did not give */
static void test_quick_preset(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--quick"), 0);
	assert_true(cfg.quick && cfg.duration_s == 0.2 && cfg.warmup_s == 0.05);
	assert_int_equal(PARSE("-d", "0.5", "-q"), 0);
	assert_true(cfg.duration_s == 0.5 && cfg.warmup_s == 0.05);
	assert_int_equal(PARSE("-q", "--warmup=0"), 0);
	assert_true(cfg.duration_s == 0.2 && cfg.warmup_s == 0);
}

/* word options take one of their table's words, in the table's spelling */
static void test_word_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--timer", "tsc", "--aslr=keep",
			       "--emulate", "write-lock"), 0);
	assert_string_equal(cfg.timer, "tsc");
	assert_string_equal(cfg.aslr, "keep");
	assert_string_equal(cfg.emulate, "write-lock");
	assert_null((gb_config_init(&cfg), cfg.emulate));
	REJECTS("unknown placement 'far': use spread, smt, l2, llc, "
		"cross-llc or cross-numa", "-p", "far");
	REJECTS("unknown timer 'sundial': use auto, tsc, cntvct or "
		"clock_gettime", "--timer=sundial");
	REJECTS("--aslr 'on': use off or keep", "--aslr", "on");
	REJECTS("--emulate 'x': the only emulation is write-lock",
		"--emulate", "x");
	/* a default outside the range is not a value the user may give */
	REJECTS("--cpu: '-1' is out of range", "--cpu", "-1");
}

static void test_value_errors(void **state)
{
	(void)state;
	REJECTS("--trials: '0' is out of range", "--trials", "0");
	REJECTS("--trials: 'abc' is not a number", "--trials", "abc");
	REJECTS("from 1 to 100000", "--trials", "abc");
	REJECTS("--trials: '' is not a number", "--trials=");
	REJECTS("--duration: '-1' is out of range", "--duration", "-1");
	REJECTS("--duration: 'nan' is not a number", "--duration", "nan");
	REJECTS("--threads: '0' is out of range", "--threads", "0");
	REJECTS("--placement: empty value", "--placement=");
}

static void test_usage_errors(void **state)
{
	(void)state;
	REJECTS("unknown option '--bogus'", "--bogus");
	REJECTS("unknown option '-x'", "-x");
	REJECTS("--trials needs a value", "--trials");
	REJECTS("-n needs a value", "-n");
	REJECTS("--quick takes no value", "--quick=1");
	REJECTS("--quick takes no value", "-q1");
	REJECTS("unexpected argument 'install'", "install");
	REJECTS("unexpected argument '-'", "-");
	/* an error after good options still fails the whole parse */
	REJECTS("unknown option '--bogus'", "-n", "3", "--bogus");
}

static void test_scenario_params(void **state)
{
	const struct gb_param_val *p;

	(void)state;
	assert_int_equal(PARSE("--pages", "1,16"), 0);
	p = gb_param(&cfg, "pages");
	assert_true(p->given);
	assert_int_equal(p->n, 2);
	assert_true(p->v[0] == 1 && p->v[1] == 16);
	/* others keep their defaults */
	assert_false(gb_param(&cfg, "backing")->given);
	assert_int_equal(gb_param(&cfg, "backing")->n, 3);

	/* words become indexes into the definition's list */
	assert_int_equal(PARSE("--backing=file,anon"), 0);
	p = gb_param(&cfg, "backing");
	assert_int_equal(p->n, 2);
	assert_string_equal(p->def->words[p->v[0]], "file");
	assert_string_equal(p->def->words[p->v[1]], "anon");
}

static void test_scenario_param_errors(void **state)
{
	(void)state;
	REJECTS("--pages: '0' is out of range", "--pages", "0");
	REJECTS("--pages: 'x' is not a number", "--pages", "1,x");
	REJECTS("--backing: unknown value 'xyz'", "--backing", "anon,xyz");
	REJECTS("anon, shmem, file", "--backing", "anon,xyz");
	REJECTS("--pages: empty list", "--pages", "");
	REJECTS("--pages: empty item", "--pages", ",");
	REJECTS("--pages: empty item", "--pages", "1,,16");
	REJECTS("--pages: empty item", "--pages", "1,");
	/* the whole string is the number: no spaces, no '+' */
	REJECTS("--pages: ' 5' is not a number", "--pages", " 5");
	REJECTS("--pages: '+5' is not a number", "--pages", "+5");
	REJECTS("--pages needs a value", "--pages");
}

static const struct gb_param_def widgets = {
	"widgets", "test integers", "2", NULL, 1, 10
};
static const char *const colours[] = { "red", "green", NULL };
static const struct gb_param_def colour = {
	"colour", "test words", "red", colours, 0, 0
};

/* A parameter a scenario takes as one number, with its ceiling. */
static void test_param_one(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--guard-pages", "7"), 0);
	assert_int_equal(gb_param_one(&cfg, "guard-pages", "readers", 511,
				      err, sizeof(err)), 7);
	assert_int_equal(gb_param_one(&cfg, "guard-pages", "readers", 6,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--guard-pages 7 is more than readers "
			       "takes: give at most 6"));
	assert_int_equal(PARSE("--guard-pages", "1,2"), 0);
	assert_int_equal(gb_param_one(&cfg, "guard-pages", "writers", 511,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--guard-pages takes one value for "
			       "writers"));
}

static void test_param_parse(void **state)
{
	struct gb_param_val v;
	char many[256];
	size_t n = 0;

	(void)state;
	assert_int_equal(gb_param_parse(&widgets, "3,10,1", &v, err,
					sizeof(err)), 0);
	assert_ptr_equal(v.def, &widgets);
	assert_int_equal(v.n, 3);
	assert_true(v.v[0] == 3 && v.v[1] == 10 && v.v[2] == 1);

	assert_int_equal(gb_param_parse(&widgets, "11", &v, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "--widgets: '11' is out of range: "
				    "give an integer from 1 to 10"));
	assert_int_equal(gb_param_parse(&widgets, "2.5", &v, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "'2.5' is not a number"));

	assert_int_equal(gb_param_parse(&colour, "green,red,green", &v, err,
					sizeof(err)), 0);
	assert_int_equal(v.n, 3);
	assert_true(v.v[0] == 1 && v.v[1] == 0 && v.v[2] == 1);
	assert_int_equal(gb_param_parse(&colour, "Red", &v, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown value 'Red': use red, green"));

	/* GB_MAX_LIST values fit; one more is refused */
	for (int i = 0; i < GB_MAX_LIST; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s%d",
				      i ? "," : "", i % 10 + 1);
	assert_int_equal(gb_param_parse(&widgets, many, &v, err,
					sizeof(err)), 0);
	assert_int_equal(v.n, GB_MAX_LIST);
	snprintf(many + n, sizeof(many) - n, ",1");
	assert_int_equal(gb_param_parse(&widgets, many, &v, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 64 values"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_trials_forms),
		cmocka_unit_test(test_other_options),
		cmocka_unit_test(test_quick_preset),
		cmocka_unit_test(test_word_options),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_scenario_params),
		cmocka_unit_test(test_scenario_param_errors),
		cmocka_unit_test(test_param_parse),
		cmocka_unit_test(test_param_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
