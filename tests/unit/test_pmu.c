// SPDX-License-Identifier: GPL-2.0
/*
 * PMU counting.  The preset tables are checked against libpfm4 itself
 * for every CPU family with LIBPFM_FORCE_PMU, so a misspelt event fails
 * here rather than on the one machine that has that CPU.  Counting is
 * checked with software events, which every kernel has, even in a VM
 * without a PMU; hardware events must then fail to open cleanly.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "measure/pmu.h"
#include "base/util.h"

#include <perfmon/pfmlib_perf_event.h>

#define NR_PAGES 1000

static bool pmu_by_name(const char *name, pfm_pmu_info_t *info)
{
	for (int p = PFM_PMU_NONE; p < PFM_PMU_MAX; p++) {
		memset(info, 0, sizeof(*info));
		info->size = sizeof(*info);
		if (pfm_get_pmu_info((pfm_pmu_t)p, info) == PFM_SUCCESS &&
		    !strcmp(info->name, name))
			return true;
	}
	return false;
}

static int encode(const char *ev)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;

	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	return pfm_get_os_event_encoding(ev, PFM_PLM0 | PFM_PLM3,
					 PFM_OS_PERF_EVENT_EXT, &arg);
}

/* Encode @names; print what encodes; count what does not. */
static int check_list(const char *pmu, const char *preset,
		      const char *const *names, size_t room)
{
	int bad = 0;

	printf("  %-18s %-9s:", pmu, preset);
	for (size_t i = 0; i < room && names[i]; i++) {
		int r = encode(names[i]);

		if (r == PFM_SUCCESS) {
			printf(" %s", names[i]);
			continue;
		}
		printf(" [FAIL %s: %s]", names[i], pfm_strerror(r));
		bad++;
	}
	printf("\n");
	return bad;
}

static void force_pmu(const char *pmu)
{
	char err[256];

	gb_pmu_exit();
	if (pmu)
		setenv("LIBPFM_FORCE_PMU", pmu, 1);
	else
		unsetenv("LIBPFM_FORCE_PMU");
	if (gb_pmu_init(err, sizeof(err)))
		fail_msg("%s", err);
}

/*
 * In a fresh process started with LIBPFM_FORCE_PMU=@pmu: is @pmu the
 * core PMU detected, is @t the table chosen, does every event encode?
 * Exit status: events that did not encode; 100 + n on a setup failure.
 */
static int forced_child(const struct gb_pmu_table *t, const char *pmu)
{
	pfm_pmu_info_t info;
	char why[GB_PMU_WHY_LEN];
	int bad;

	if (gb_pmu_init(why, sizeof(why))) {
		printf("  %s: %s\n", pmu, why);
		return 101;
	}
	if (!pmu_by_name(pmu, &info) || !info.is_present) {
		printf("  LIBPFM_FORCE_PMU=%s: PMU not present\n", pmu);
		return 102;
	}
	if (gb_pmu_detect(why, sizeof(why)) != t) {
		printf("  forced %s: detect chose: %s\n", pmu, why);
		return 103;
	}
	bad = check_list(pmu, "coherence", t->coherence,
			 ARRAY_SIZE(t->coherence));
	bad += check_list(pmu, "basic", t->basic, ARRAY_SIZE(t->basic));
	printf("  %-18s %-9s: (perf:: only; libpfm4 hides the perf PMU "
	       "while another is forced: checked unforced)\n", pmu, "sw");
	return bad;
}

/*
 * The arm64 build's unit tests run under Debian 12's qemu-aarch64
 * (scripts/cross-arm64.sh sets GB_QEMU_USER): there fork() hangs in the
 * child and perf_event_open is not emulated.  Forced-PMU checks then run
 * one process per PMU (test_pmu --forced-pmu NAME); counting is tested
 * natively and on the arm64 kernel under qemu-system.
 */
static bool qemu_user(const char *what)
{
	if (!getenv("GB_QEMU_USER"))
		return false;
	print_message("under qemu-user %s: skipped (see scripts/"
		      "cross-arm64.sh)\n", what);
	return true;
}

static bool no_fork(void)
{
	return qemu_user("fork() hangs");
}

static bool no_perf(void)
{
	return qemu_user("perf_event_open is not emulated");
}

/*
 * libpfm4 4.13's pfm_terminate() leaves every PMU it activated active,
 * so a second pfm_initialize() with another LIBPFM_FORCE_PMU sees both:
 * each forced check runs in its own process, re-executing this one.
 */
static int check_table_forced(size_t ti, const char *pmu)
{
	char idx[24];
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		snprintf(idx, sizeof(idx), "%zu", ti);
		setenv("LIBPFM_FORCE_PMU", pmu, 1);
		execl("/proc/self/exe", "test_pmu", "--forced", idx, pmu,
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) >= 100)
		fail_msg("forced check of %s failed (status %#x)", pmu,
			 status);
	return WEXITSTATUS(status);
}

static bool pmu_compiled_in(const char *pmu)
{
	pfm_pmu_info_t info;

	force_pmu(NULL);
	return pmu_by_name(pmu, &info);
}

static int check_tables(bool arm)
{
	int bad = 0;

	for (size_t i = 0; i < gb_pmu_nr_tables; i++) {
		const struct gb_pmu_table *t = &gb_pmu_tables[i];

		if (t->arm != arm)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(t->pmus) && t->pmus[k]; k++) {
			if (!pmu_compiled_in(t->pmus[k]))
				fail_msg("PMU %s is not built into this "
					 "libpfm4", t->pmus[k]);
			bad += check_table_forced(i, t->pmus[k]);
		}
	}
	return bad;
}

/* 1. Every x86 preset event encodes under its forced PMU. */
static void test_presets_encode_x86(void **state)
{
	(void)state;
#if defined(__x86_64__) || defined(__i386__)
	printf("presets encoding under LIBPFM_FORCE_PMU, one process each:\n");
	assert_int_equal(check_tables(false), 0);
#else
	print_message("x86 PMUs are built into x86 libpfm4 only: skipped\n");
	skip();
#endif
}

/* 1b. Arm tables: only an arm libpfm4 can encode them. */
static void test_presets_encode_arm(void **state)
{
	(void)state;
#if defined(__aarch64__)
	if (no_fork())
		skip();
	assert_int_equal(check_tables(true), 0);
#else
	print_message("arm_n1, arm_v1, arm_v2 are built into arm libpfm4 "
		      "only: Arm preset tables not checked on this "
		      "architecture (skipped)\n");
	skip();
#endif
}

/* 1c. Generic fallback and sw: perf:: events, on the real host. */
static void test_generic_encode(void **state)
{
	const struct gb_pmu_table *t = &gb_pmu_generic;
	int bad;

	(void)state;
	force_pmu(NULL);
	bad = check_list("generic", "coherence", t->coherence,
			 ARRAY_SIZE(t->coherence));
	bad += check_list("generic", "basic", t->basic, ARRAY_SIZE(t->basic));
	bad += check_list("generic", "sw", gb_pmu_sw_events, SIZE_MAX);
	assert_int_equal(bad, 0);
}

static const struct gb_pmu_event *find_event(const struct gb_pmu_set *set,
					     const char *name, size_t *idx)
{
	*idx = 0;
	for (size_t i = 0; i < set->nr; i++)
		if (!strcmp(set->ev[i].name, name)) {
			*idx = i;
			return &set->ev[i];
		}
	fail_msg("%s not in the set", name);
	return NULL;
}

/*
 * Fresh anonymous pages, one write each: NR_PAGES minor faults.  Not
 * instrumented: ASan and TSan shadow memory would fault in more pages.
 */
__attribute__((no_sanitize_address, no_sanitize_thread))
static void touch_pages(char *p, long page)
{
	for (long i = 0; i < NR_PAGES; i++)
		((volatile char *)p)[i * page] = 1;
}

static char *map_pages(long page)
{
	char *p = mmap(NULL, NR_PAGES * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(madvise(p, NR_PAGES * page, MADV_NOHUGEPAGE), 0);
	return p;
}

/* Count page faults of touching NR_PAGES in this thread. */
static uint64_t count_faults(struct gb_pmu_thread *t, size_t pf)
{
	long page = sysconf(_SC_PAGESIZE);
	struct gb_pmu_count c[GB_PMU_MAX_EVENTS];
	char *p = map_pages(page);

	assert_int_equal(gb_pmu_start(t), 0);
	touch_pages(p, page);
	assert_int_equal(gb_pmu_stop(t), 0);
	assert_int_equal(gb_pmu_read(t, c), 0);
	munmap(p, NR_PAGES * page);
	assert_true(c[pf].valid);
	printf("  page faults: raw %llu, enabled %llu ns, running %llu ns, "
	       "ratio %.3f, scaled %.0f (want %d +- 5%%)\n",
	       (unsigned long long)c[pf].raw,
	       (unsigned long long)c[pf].enabled,
	       (unsigned long long)c[pf].running, c[pf].ratio, c[pf].scaled,
	       NR_PAGES);
	assert_false(c[pf].multiplexed);
	return c[pf].raw;
}

static void assert_near_pages(uint64_t n)
{
	if (n < NR_PAGES * 95 / 100 || n > NR_PAGES * 105 / 100)
		fail_msg("page faults %llu, want %d +- 5%%",
			 (unsigned long long)n, NR_PAGES);
}

static void resolve_ok(struct gb_pmu_set *set, const char *list,
		       unsigned int flags)
{
	char err[512];

	if (gb_pmu_resolve(set, list, flags, err, sizeof(err)))
		fail_msg("resolve '%s': %s", list, err);
}

static size_t nr_resolved(const struct gb_pmu_set *set)
{
	size_t n = 0;

	for (size_t i = 0; i < set->nr; i++)
		n += set->ev[i].resolved;
	return n;
}

/* 2. The sw preset counts for real, here, in this thread. */
static void test_sw_counts(void **state)
{
	static struct gb_pmu_set set;
	static struct gb_pmu_thread t;
	size_t pf;

	(void)state;
	if (no_perf())
		skip();
	force_pmu(NULL);
	resolve_ok(&set, "sw", 0);
	assert_int_equal(nr_resolved(&set), 3);
	find_event(&set, "perf::PERF_COUNT_SW_PAGE_FAULTS", &pf);
	assert_int_equal(gb_pmu_open_thread(&t, &set), 3);
	assert_near_pages(count_faults(&t, pf));
	gb_pmu_close(&t);
}

/* 3. A hardware event with no PMU: left out, with a reason. */
static void test_hw_event_without_pmu(void **state)
{
	static struct gb_pmu_set set;
	static struct gb_pmu_thread t;
	const struct gb_pmu_event *cyc;
	size_t ci, pf;
	int n;

	(void)state;
	if (no_perf())
		skip();
	force_pmu(NULL);
	resolve_ok(&set, "perf::CYCLES,sw", 0);
	cyc = find_event(&set, "perf::CYCLES", &ci);
	find_event(&set, "perf::PERF_COUNT_SW_PAGE_FAULTS", &pf);
	if (!cyc->resolved)
		assert_true(strstr(cyc->why, "libpfm4: ") != NULL);
	n = gb_pmu_open_thread(&t, &set);
	assert_true(n >= 3);
	if (t.fd[ci] < 0) {
		assert_true(strlen(t.why[ci]) > 0);
		printf("  perf::CYCLES unavailable: %s\n", t.why[ci]);
	} else {
		printf("  perf::CYCLES counts on this machine\n");
	}
	assert_near_pages(count_faults(&t, pf));
	gb_pmu_close(&t);
}

static void expect_usage_error(const char *list, const char *want1,
			       const char *want2)
{
	static struct gb_pmu_set set;
	char err[512] = "";

	assert_int_equal(gb_pmu_resolve(&set, list, 0, err, sizeof(err)), -1);
	printf("  '%s' -> %s\n", list, err);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("'%s': message lacks '%s'/'%s'", err, want1,
			 want2 ? want2 : "");
}

/* 4. Unknown names are usage errors that say what to type instead. */
static void test_unknown_event(void **state)
{
	static struct gb_pmu_set set;
	const struct gb_pmu_event *e;
	size_t i;

	(void)state;
	force_pmu(NULL);
	expect_usage_error("foo::bar_baz", pfm_strerror(PFM_ERR_NOTFOUND),
			   "coherence");
	expect_usage_error("coherance", "did you mean 'coherence'",
			   pfm_strerror(PFM_ERR_NOTFOUND));
	expect_usage_error("sw,,basic", "empty name", NULL);
#if defined(__x86_64__)
	/* a real event of a CPU we do not have, or a bad umask: skipped */
	resolve_ok(&set, "sw,REQUESTS_TO_L2_GROUP1:NO_SUCH_UMASK", 0);
	e = find_event(&set, "REQUESTS_TO_L2_GROUP1:NO_SUCH_UMASK", &i);
	assert_false(e->resolved);
	assert_true(strstr(e->why, "libpfm4: ") != NULL);
#else
	(void)set;
	(void)e;
	(void)i;
#endif
}

struct scope_case {
	int paranoid;
	bool privileged, force, user_only;
	const char *why;
};

/* 5. Kernel+user unless paranoid > 1 without privilege, or asked. */
static void test_scope_decision(void **state)
{
	static const struct scope_case cases[] = {
		{ 2, false, false, true, "perf_event_paranoid=2" },
		{ 3, false, false, true, "perf_event_paranoid=3" },
		{ 2, true, false, false, "CAP_PERFMON" },
		{ 1, false, false, false, "perf_event_paranoid=1" },
		{ -1, false, false, false, "perf_event_paranoid=-1" },
		{ -1, true, false, false, "CAP_PERFMON" },
		{ -1, true, true, true, "asked for" },
		{ 2, false, true, true, "asked for" },
	};
	char why[GB_PMU_WHY_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct scope_case *c = &cases[i];
		bool u = gb_pmu_decide_user_only(c->paranoid, c->privileged,
						 c->force, why, sizeof(why));

		printf("  paranoid %2d cap %d force %d -> %s\n", c->paranoid,
		       c->privileged, c->force, why);
		assert_int_equal(u, c->user_only);
		assert_non_null(strstr(why, c->why));
	}
}

/* 5b. Forced user-only reaches the attrs and still counts user faults. */
static void test_user_only_flag(void **state)
{
	static struct gb_pmu_set set;
	static struct gb_pmu_thread t;
	size_t pf;

	(void)state;
	if (no_perf())
		skip();
	force_pmu(NULL);
	resolve_ok(&set, "sw", GB_PMU_USER_ONLY);
	assert_true(set.user_only);
	for (size_t i = 0; i < set.nr; i++)
		assert_int_equal(set.ev[i].attr.exclude_kernel, 1);
	find_event(&set, "perf::PERF_COUNT_SW_PAGE_FAULTS", &pf);
	assert_int_equal(gb_pmu_open_thread(&t, &set), 3);
	assert_true(t.user_only);
	/* the fault is taken from user mode: exclude_kernel keeps it */
	assert_near_pages(count_faults(&t, pf));
	gb_pmu_close(&t);
}

static size_t index_of(const struct gb_pmu_set *set, const char *name)
{
	for (size_t i = 0; i < set->nr; i++)
		if (!strcmp(set->ev[i].name, name))
			return i;
	return SIZE_MAX;
}

/*
 * Unprivileged, paranoid > 1, but told kernel+user was fine: the kernel
 * refuses (EACCES), the open falls back to user-only and still counts.
 * A child process, so no cmocka asserts: the exit status says.
 */
static int eacces_child(void)
{
	static struct gb_pmu_set set;
	static struct gb_pmu_thread t;
	struct gb_pmu_count c[GB_PMU_MAX_EVENTS];
	long page = sysconf(_SC_PAGESIZE);
	size_t pf;
	char err[256], *p;

	if (gb_pmu_resolve(&set, "sw", 0, err, sizeof(err)))
		return 10;
	pf = index_of(&set, "perf::PERF_COUNT_SW_PAGE_FAULTS");
	set.user_only = false;	/* as if paranoid allowed kernel */
	for (size_t i = 0; i < set.nr; i++)
		set.ev[i].attr.exclude_kernel = 0;
	if (pf == SIZE_MAX || gb_pmu_open_thread(&t, &set) != 3)
		return 11;
	printf("  uid %d: %s\n", (int)geteuid(), t.scope_why);
	if (!t.user_only || !strstr(t.scope_why, "refused"))
		return 12;
	p = mmap(NULL, NR_PAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || madvise(p, NR_PAGES * page, MADV_NOHUGEPAGE))
		return 13;
	if (gb_pmu_start(&t))
		return 14;
	touch_pages(p, page);
	if (gb_pmu_stop(&t) || gb_pmu_read(&t, c))
		return 14;
	printf("  page faults, user-only after EACCES: %llu\n",
	       (unsigned long long)c[pf].raw);
	gb_pmu_close(&t);
	return c[pf].raw < NR_PAGES * 95 / 100 ||
	       c[pf].raw > NR_PAGES * 105 / 100 ? 15 : 0;
}

static void drop_privileges(void)
{
	if (geteuid() != 0)
		return;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		_exit(20);
}

/* 5c. The runtime fallback: kernel+user refused with EACCES. */
static void test_eacces_fallback(void **state)
{
	char buf[32] = "";
	int status;
	pid_t pid;

	(void)state;
	force_pmu(NULL);
	if (gb_read_line("/proc/sys/kernel/perf_event_paranoid", buf,
			 sizeof(buf)) || atoi(buf) <= 1) {
		print_message("perf_event_paranoid=%s lets anyone count the "
			      "kernel: no EACCES to fall back from (skipped)\n",
			      buf);
		skip();
	}
	if (no_fork())
		skip();
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		drop_privileges();
		_exit(eacces_child());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("EACCES fallback child: status %#x", status);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* 6. 100 open/read/close cycles leave no descriptor behind. */
static void test_no_fd_leak(void **state)
{
	static struct gb_pmu_set set;
	static struct gb_pmu_thread t;
	struct gb_pmu_count c[GB_PMU_MAX_EVENTS];
	int before, after;

	(void)state;
	if (no_perf())
		skip();
	force_pmu(NULL);
	resolve_ok(&set, "basic,coherence", 0);
	before = count_fds();
	for (int i = 0; i < 100; i++) {
		assert_true(gb_pmu_open_thread(&t, &set) >= 3);
		assert_true(count_fds() > before);
		assert_int_equal(gb_pmu_read(&t, c), 0);
		gb_pmu_close(&t);
	}
	after = count_fds();
	printf("  fds before %d, after 100 cycles %d\n", before, after);
	assert_int_equal(after, before);
}

/* 7. Scaling as gb_pmu_read scales: multiplexed, never run, per op. */
static void test_scaling(void **state)
{
	struct gb_pmu_count d[3];

	(void)state;
	gb_pmu_count_set(&d[0], 300, 200, 100);
	assert_int_equal(d[0].raw, 300);
	assert_true(fabs(d[0].ratio - 0.5) < 1e-12);
	assert_true(fabs(d[0].scaled - 600) < 1e-9);
	assert_true(d[0].multiplexed);
	assert_true(fabs(gb_pmu_per_op(&d[0], 200) - 3) < 1e-12);
	gb_pmu_count_set(&d[1], 0, 200, 0);
	assert_true(isnan(d[1].scaled));
	assert_true(isnan(gb_pmu_per_op(&d[1], 200)));
	assert_true(isnan(gb_pmu_per_op(&d[0], 0)));
	gb_pmu_count_set(&d[2], 42, 0, 0);	/* never enabled: as read */
	assert_true(fabs(d[2].scaled - 42) < 1e-12);
	assert_false(d[2].multiplexed);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets_encode_x86),
		cmocka_unit_test(test_presets_encode_arm),
		cmocka_unit_test(test_generic_encode),
		cmocka_unit_test(test_sw_counts),
		cmocka_unit_test(test_hw_event_without_pmu),
		cmocka_unit_test(test_unknown_event),
		cmocka_unit_test(test_scope_decision),
		cmocka_unit_test(test_user_only_flag),
		cmocka_unit_test(test_eacces_fallback),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_scaling),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* one forced PMU, this process: for where fork() cannot be used */
	if (argc == 3 && !strcmp(argv[1], "--forced-pmu")) {
		for (size_t i = 0; i < gb_pmu_nr_tables; i++)
			for (size_t k = 0; k < ARRAY_SIZE(gb_pmu_tables[i].pmus) &&
			     gb_pmu_tables[i].pmus[k]; k++)
				if (!strcmp(gb_pmu_tables[i].pmus[k], argv[2]))
					return forced_child(&gb_pmu_tables[i],
							    argv[2]);
		printf("no preset table serves PMU %s\n", argv[2]);
		return 104;
	}
	if (argc == 4 && !strcmp(argv[1], "--forced")) {
		size_t ti = strtoul(argv[2], NULL, 10);

		if (ti >= gb_pmu_nr_tables)
			return 100;
		return forced_child(&gb_pmu_tables[ti], argv[3]);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
