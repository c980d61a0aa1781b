// SPDX-License-Identifier: GPL-2.0
/*
 * fork: what guard ranges cost a process that forks.
 *
 * The subject forks, the child _exit()s at once, the subject waits for
 * it; the op is timed from before fork() to after waitpid(), so it
 * holds copying the mm, the child's teardown of it and two context
 * switches.  The parent carries one populated mapping of --fork-mib MiB
 * with --guards K one-page guard ranges spread evenly over it; K = 0 is
 * the same mapping without guards.
 *
 * Why: fork copies a VMA's page tables only when it must
 * (vma_needs_copy()).  A private anonymous VMA with an anon_vma is
 * always copied, so there guards add only their markers.  A shared
 * mapping (shmem, file) is normally not copied (the child refaults from
 * the page cache); on kernels with VM_MAYBE_GUARD a VMA that ever held
 * a guard is copied whole, so one guard makes fork pay for every
 * populated page table of the mapping.  Compare K = 0 with K >= 1 per
 * backing.  Guards never split a VMA: K is bounded by the mapping's
 * pages, not by vm.max_map_count.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure/guard.h"
#include "measure/params.h"
#include "measure/scenario.h"
#include "base/util.h"

static const struct gb_param_def guards_param = {
	"guards", "one-page guard ranges in the forking parent's mapping "
	"(0: the same mapping without guards)", "0,1,64,1024", NULL, 0,
	1 << 22
};
static const struct gb_param_def fork_mib_param = {
	"fork-mib", "MiB of populated memory the forking parent carries",
	"64", NULL, 1, 1 << 20
};

static const struct gb_param_use params[] = {
	{ &gb_param_backing }, { &guards_param }, { &fork_mib_param }, { NULL },
};

const struct gb_scenario gb_scenario_fork;

/* MemAvailable from /proc/meminfo in bytes; 0 if unknown. */
static unsigned long long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kib = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

/* Field @i of /proc/self/statm (0: size, 5: data+stack) in bytes. */
static unsigned long long vm_bytes(int i)
{
	unsigned long long v[7] = { 0 };
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		v[i] = 0;
	fclose(f);
	return v[i] * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/*
 * What the sweep needs, checked before anything runs: room for K
 * separated ranges, and memory within the process's limits and the
 * machine's.  Each failure names the limit and the fix.
 */
static int check_limits(const struct gb_config *cfg, long mib, long max_k,
			char *err, size_t errlen)
{
	const struct gb_param_val *backing = gb_param(cfg, "backing");
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long bytes = (unsigned long long)mib << 20;
	unsigned long long pages = bytes / (unsigned long long)page;
	unsigned long long avail = mem_available();
	struct rlimit rl;
	bool file = false, anon = false;

	for (size_t b = 0; b < backing->n; b++) {
		file |= backing->v[b] == GB_BACKING_FILE;
		anon |= backing->v[b] == GB_BACKING_ANON;
	}
	if ((unsigned long long)max_k * 2 + 1 > pages) {
		snprintf(err, errlen, "--guards %ld needs %ld pages (a free "
			 "page between ranges) but --fork-mib %ld maps %llu: "
			 "raise --fork-mib or lower --guards", max_k,
			 max_k * 2 + 1, mib, pages);
		return -1;
	}
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    vm_bytes(0) + bytes > rl.rlim_cur) {
		snprintf(err, errlen, "--fork-mib %ld: the mapping and the "
			 "rest of the process exceed RLIMIT_AS (ulimit -v, "
			 "%llu MiB): lower --fork-mib or raise the limit", mib,
			 (unsigned long long)rl.rlim_cur >> 20);
		return -1;
	}
	if (anon && !getrlimit(RLIMIT_DATA, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && vm_bytes(5) + bytes > rl.rlim_cur) {
		snprintf(err, errlen, "--fork-mib %ld: private anonymous memory "
			 "beyond RLIMIT_DATA (ulimit -d, %llu MiB): lower "
			 "--fork-mib or raise the limit", mib,
			 (unsigned long long)rl.rlim_cur >> 20);
		return -1;
	}
	if (avail && bytes > avail / 2) {
		snprintf(err, errlen, "--fork-mib %ld: populating it would take "
			 "over half of MemAvailable (%llu MiB): lower "
			 "--fork-mib", mib, avail >> 20);
		return -1;
	}
	if (file && cfg->tmpdir) {
		struct statvfs vfs;

		if (!statvfs(cfg->tmpdir, &vfs) &&
		    (unsigned long long)vfs.f_bavail * vfs.f_frsize < bytes) {
			snprintf(err, errlen, "--fork-mib %ld does not fit the "
				 "free space of --tmpdir %s (%llu MiB): lower "
				 "--fork-mib or give another --tmpdir", mib,
				 cfg->tmpdir, (unsigned long long)vfs.f_bavail *
				 vfs.f_frsize >> 20);
			return -1;
		}
	}
	return 0;
}

/* A cell's values, set at plan time */
struct fork_args {
	enum gb_backing backing;
	long guards, mib;
};

static int plan(struct gb_plan *plan, const struct gb_config *cfg,
		unsigned int max_contenders, char *err, size_t errlen)
{
	const struct gb_param_val *backing = gb_param(cfg, "backing");
	const struct gb_param_val *guards = gb_param(cfg, "guards");
	const struct gb_param_val *mib = gb_param(cfg, "fork-mib");
	long max_k = 0;

	(void)max_contenders;
	if (gb_param_one(cfg, "fork-mib", "fork", LONG_MAX, err, errlen) < 0)
		return -1;
	for (size_t k = 0; k < guards->n; k++)
		if (guards->v[k] > max_k)
			max_k = guards->v[k];
	if (check_limits(cfg, mib->v[0], max_k, err, errlen))
		return -1;
	if (cfg->emulate) {
		gb_note("fork: not run under --emulate: the guards are put in "
			"before the timed loop, so the install's lock changes "
			"nothing fork measures");
		return 0;
	}
	for (size_t b = 0; b < backing->n; b++) {
		for (size_t k = 0; k < guards->n; k++) {
			struct gb_cell *c;
			struct fork_args *a;

			c = gb_plan_add(plan, &gb_scenario_fork, 0,
					"backing=%s guards=%ld",
					gb_backing_words[backing->v[b]],
					guards->v[k]);
			a = gb_cell_args(c, sizeof(*a));
			a->backing = (enum gb_backing)backing->v[b];
			a->guards = guards->v[k];
			a->mib = mib->v[0];
		}
	}
	return 0;
}

static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const struct fork_args *a = c->args;
	size_t k = (size_t)a->guards, len = (size_t)a->mib << 20;
	size_t pages = len / page;
	struct gb_mapping *map;
	int ret = gb_guard_check(a->backing, cfg, why, whylen);

	if (ret)
		return ret;
	c->priv = map = gb_zalloc(sizeof(*map));
	ret = gb_map(map, a->backing, len, cfg->tmpdir, why, whylen);
	if (ret)
		return ret;
	for (size_t off = 0; off < len; off += page)
		map->addr[off] = 1;
	/* range i in the middle of the i-th of K equal stretches */
	for (size_t i = 0; i < k; i++) {
		size_t at = (2 * i + 1) * pages / (2 * k);

		if (madvise(map->addr + at * page, page, MADV_GUARD_INSTALL)) {
			ret = -errno;
			snprintf(why, whylen, "MADV_GUARD_INSTALL on %s: %s",
				 gb_backing_names[a->backing], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int subject_op(struct gb_worker *w, unsigned int op)
{
	int status;
	pid_t pid;

	(void)w;
	(void)op;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

GB_SCENARIO(fork, "fork()+_exit+waitpid latency of a parent whose "
	    "populated mapping carries K guard ranges, against K = 0",
	.timed_ops = GB_LIST("fork"),
	.primary = GB_LIST("fork_latency_p50_ns@guards"),
	.subject_rate = "forks_per_sec",
	.subject_unit = "fork",
	.subject_op = subject_op,
	.teardown = gb_unmap_priv);
