// SPDX-License-Identifier: GPL-2.0
/*
 * A worker's own counters: the events gb_pmu_resolve() encoded, opened
 * with perf_event_open in the calling thread as groups the PMU can
 * schedule, started and stopped together, read and scaled for
 * multiplexing.  Only system calls: no libpfm4 here (pmu.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "measure/pmu.h"
#include "base/util.h"

#define PROBE_S			100e-6
#define READ_FORMAT	(PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | \
			 PERF_FORMAT_TOTAL_TIME_RUNNING)

/* A sibling the group has no room for: it leads the next group. */
#define GROUP_FULL	(-ENOSPC)

/* ---- open, per thread ---------------------------------------------- */

static int open_fd(struct gb_pmu_thread *t, unsigned int i, int group_fd)
{
	struct perf_event_attr a = t->set->ev[i].attr;
	long fd;

	a.size = sizeof(a);
	a.disabled = group_fd < 0;	/* siblings follow their leader */
	a.inherit = 0;
	a.read_format = READ_FORMAT;
	if (t->user_only) {
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
	}
	fd = syscall(SYS_perf_event_open, &a, 0, -1, group_fd,
		     PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

static const char *open_hint(int err)
{
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		return ": no counter for it here (CPU, or VM without a PMU)";
	case EACCES:
	case EPERM:
		return ": not permitted (perf_event_paranoid, CAP_PERFMON)";
	case EBUSY:
		return ": counters held exclusively by someone else";
	default:
		return "";
	}
}

static void set_unavailable(struct gb_pmu_thread *t, unsigned int i, int err)
{
	snprintf(t->why[i], sizeof(t->why[i]), "perf_event_open: %s%s",
		 strerror(err), open_hint(err));
}

/*
 * Not this event's fault, so stop opening: out of descriptors or memory,
 * or kernel mode refused, which gb_pmu_open_thread() retries user-only.
 */
static bool fatal(int err, bool user_only)
{
	if ((err == EACCES || err == EPERM) && !user_only)
		return true;	/* retried user-only */
	return err == EMFILE || err == ENFILE || err == ENOMEM;
}

/* 1: leads group @g; 0: cannot count here; -errno: fatal. */
static int open_leader(struct gb_pmu_thread *t, struct gb_pmu_group *g,
		       unsigned int i)
{
	int fd = open_fd(t, i, -1);

	if (fd < 0) {
		if (fatal(-fd, t->user_only))
			return fd == -EPERM ? -EACCES : fd;
		set_unavailable(t, i, -fd);
		return 0;
	}
	t->fd[i] = fd;
	t->nr_open++;
	g->leader_fd = fd;
	g->nr = 1;
	g->ev[0] = (uint8_t)i;
	return 1;
}

/* 1: joined @g; 0: cannot count here; GROUP_FULL; -errno: fatal. */
static int open_sibling(struct gb_pmu_thread *t, struct gb_pmu_group *g,
			unsigned int i)
{
	int fd = open_fd(t, i, g->leader_fd);

	if (fd == -EINVAL || fd == -ENOSPC)
		return GROUP_FULL;
	if (fd < 0) {
		if (fatal(-fd, t->user_only))
			return fd == -EPERM ? -EACCES : fd;
		set_unavailable(t, i, -fd);
		return 0;
	}
	t->fd[i] = fd;
	t->nr_open++;
	g->ev[g->nr++] = (uint8_t)i;
	return 1;
}

static void close_group(struct gb_pmu_thread *t, struct gb_pmu_group *g)
{
	/* siblings first: the leader's close would orphan them anyway */
	for (unsigned int k = g->nr; k-- > 0;) {
		close(t->fd[g->ev[k]]);
		t->fd[g->ev[k]] = -1;
		t->nr_open--;
	}
	g->nr = 0;
	g->leader_fd = -1;
}

static int read_group(const struct gb_pmu_group *g, uint64_t *buf)
{
	size_t want = (3 + g->nr) * sizeof(uint64_t);
	ssize_t n = read(g->leader_fd, buf, want);

	if (n < 0)
		return -errno;
	if ((size_t)n != want || buf[0] != g->nr)
		return -EIO;
	return 0;
}

static void spin(double seconds)
{
	double end = gb_mono_sec() + seconds;

	while (gb_mono_sec() < end)
		;
}

/*
 * A group the kernel accepted can still never get on the PMU (a counter
 * pinned by the NMI watchdog or another user).  Run it alone for a
 * moment: time_running 0 means it does not fit.
 */
static bool group_unschedulable(struct gb_pmu_group *g)
{
	uint64_t buf[3 + GB_PMU_MAX_EVENTS];
	bool stuck;

	ioctl(g->leader_fd, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
	ioctl(g->leader_fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	spin(PROBE_S);
	ioctl(g->leader_fd, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	stuck = !read_group(g, buf) && buf[1] > 0 && buf[2] == 0;
	ioctl(g->leader_fd, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
	return stuck;
}

static int open_groups(struct gb_pmu_thread *t, const uint8_t *idx,
		       unsigned int n);

/* Split the last group in two halves, each opened as groups again. */
static int split_last_group(struct gb_pmu_thread *t)
{
	struct gb_pmu_group *g = &t->group[t->nr_groups - 1];
	uint8_t ev[GB_PMU_MAX_EVENTS];
	unsigned int n = g->nr, half = g->nr / 2;

	memcpy(ev, g->ev, n);
	close_group(t, g);
	t->nr_groups--;
	return open_groups(t, ev, half) ?: open_groups(t, ev + half, n - half);
}

/*
 * Open @idx[0..n) as few groups as the PMU takes, in order: a sibling
 * the kernel refuses (EINVAL/ENOSPC: no counter left) leads the next.
 */
static int open_groups(struct gb_pmu_thread *t, const uint8_t *idx,
		       unsigned int n)
{
	unsigned int k = 0;

	while (k < n) {
		struct gb_pmu_group *g = &t->group[t->nr_groups];
		int r = open_leader(t, g, idx[k++]);

		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		t->nr_groups++;
		for (; k < n; k++) {
			r = open_sibling(t, g, idx[k]);
			if (r == GROUP_FULL)
				break;
			if (r < 0)
				return r;
		}
		if (g->nr > 1 && group_unschedulable(g)) {
			r = split_last_group(t);
			if (r)
				return r;
		}
	}
	return 0;
}

/*
 * A software leader cannot take hardware siblings that need a PMU
 * context; separate groups for each sidestep that.
 */
static int open_all(struct gb_pmu_thread *t)
{
	uint8_t sw[GB_PMU_MAX_EVENTS], hw[GB_PMU_MAX_EVENTS];
	unsigned int nsw = 0, nhw = 0;

	for (unsigned int i = 0; i < t->set->nr; i++) {
		const struct gb_pmu_event *e = &t->set->ev[i];

		if (!e->resolved)
			snprintf(t->why[i], sizeof(t->why[i]), "%s", e->why);
		else if (e->software)
			sw[nsw++] = (uint8_t)i;
		else
			hw[nhw++] = (uint8_t)i;
	}
	return open_groups(t, sw, nsw) ?: open_groups(t, hw, nhw);
}

static void thread_reset(struct gb_pmu_thread *t,
			 const struct gb_pmu_set *set)
{
	memset(t, 0, sizeof(*t));
	t->set = set;
	for (unsigned int i = 0; i < GB_PMU_MAX_EVENTS; i++)
		t->fd[i] = -1;
}

int gb_pmu_open_thread(struct gb_pmu_thread *t, const struct gb_pmu_set *set)
{
	int r;

	thread_reset(t, set);
	t->user_only = set->user_only;
	snprintf(t->scope_why, sizeof(t->scope_why), "%s", set->scope_why);
	r = open_all(t);
	if (r == -EACCES && !t->user_only) {
		gb_pmu_close(t);
		thread_reset(t, set);
		t->user_only = true;
		snprintf(t->scope_why, sizeof(t->scope_why),
			 "user-only counting: kernel+user refused (%s)",
			 strerror(EACCES));
		r = open_all(t);
	}
	if (r < 0) {
		gb_pmu_close(t);
		return r;
	}
	return (int)t->nr_open;
}

static int group_ioctl(struct gb_pmu_thread *t, unsigned long req)
{
	for (unsigned int k = 0; k < t->nr_groups; k++)
		if (ioctl(t->group[k].leader_fd, req, PERF_IOC_FLAG_GROUP))
			return -errno;
	return 0;
}

int gb_pmu_start(struct gb_pmu_thread *t)
{
	return group_ioctl(t, PERF_EVENT_IOC_RESET) ?:
	       group_ioctl(t, PERF_EVENT_IOC_ENABLE);
}

int gb_pmu_stop(struct gb_pmu_thread *t)
{
	return group_ioctl(t, PERF_EVENT_IOC_DISABLE);
}

void gb_pmu_close(struct gb_pmu_thread *t)
{
	for (unsigned int k = 0; k < t->nr_groups; k++)
		close_group(t, &t->group[k]);
	t->nr_groups = 0;
}

/* ---- read ---------------------------------------------------------- */

void gb_pmu_count_set(struct gb_pmu_count *c, uint64_t raw, uint64_t en,
		      uint64_t run)
{
	c->valid = true;
	c->raw = raw;
	c->enabled = en;
	c->running = run;
	if (!en) {		/* never started: nothing to scale */
		c->ratio = 1;
		c->scaled = (double)raw;
	} else if (!run) {	/* never got a counter: unknown */
		c->ratio = 0;
		c->scaled = NAN;
	} else {
		c->ratio = (double)run / (double)en;
		c->scaled = (double)raw * ((double)en / (double)run);
	}
	c->multiplexed = c->ratio < 1;
}

static void clear_counts(struct gb_pmu_count *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].scaled = NAN;
	}
}

int gb_pmu_read(struct gb_pmu_thread *t, struct gb_pmu_count *out)
{
	uint64_t buf[3 + GB_PMU_MAX_EVENTS];

	clear_counts(out, t->set->nr);
	for (unsigned int k = 0; k < t->nr_groups; k++) {
		const struct gb_pmu_group *g = &t->group[k];
		int r = read_group(g, buf);

		if (r)
			return r;
		for (unsigned int m = 0; m < g->nr; m++)
			gb_pmu_count_set(&out[g->ev[m]], buf[3 + m], buf[1], buf[2]);
	}
	return 0;
}

double gb_pmu_per_op(const struct gb_pmu_count *c, uint64_t ops)
{
	if (!c->valid || !ops)
		return NAN;
	return c->scaled / (double)ops;
}
