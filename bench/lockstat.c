// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockstat.h"
#include "util.h"

const char *const gb_lock_event_names[GB_NR_LOCK_EVENTS] = {
	[GB_LOCK_MMAP_READ] = "mmap_lock_read",
	[GB_LOCK_MMAP_WRITE] = "mmap_lock_write",
	[GB_LOCK_CONTENTION] = "lock_contention",
};

/* tracefs path of each event, and the filter that splits it */
static const struct {
	const char *event;
	const char *filter;
} tracepoints[GB_NR_LOCK_EVENTS] = {
	[GB_LOCK_MMAP_READ] = { "mmap_lock/mmap_lock_start_locking", "write==0" },
	[GB_LOCK_MMAP_WRITE] = { "mmap_lock/mmap_lock_start_locking", "write==1" },
	[GB_LOCK_CONTENTION] = { "lock/contention_begin", NULL },
};

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

#define MOUNT_HINT "mount -t tracefs nodev /sys/kernel/tracing"

static int read_ids(const char *root, uint64_t id[GB_NR_LOCK_EVENTS],
		    bool have[GB_NR_LOCK_EVENTS])
{
	int found = 0;

	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++) {
		char path[512], line[64];

		snprintf(path, sizeof(path), "%s/events/%s/id", root,
			 tracepoints[e].event);
		have[e] = !gb_read_line(path, line, sizeof(line));
		if (have[e]) {
			id[e] = strtoull(line, NULL, 10);
			found++;
		}
	}
	return found;
}

/* 1 mounted and readable, 0 not mounted, -EACCES mounted but closed */
static int tracefs_state(const char *root)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events", root);
	if (!access(path, X_OK))
		return 1;
	return errno == EACCES ? -EACCES : 0;
}

/*
 * Mount tracefs where nobody else sees it: a child in its own mount
 * namespace reads the ids and sends them back through a pipe.
 */
static int read_ids_private(uint64_t id[GB_NR_LOCK_EVENTS],
			    bool have[GB_NR_LOCK_EVENTS])
{
	struct {
		uint64_t id[GB_NR_LOCK_EVENTS];
		bool have[GB_NR_LOCK_EVENTS];
		int found;
	} msg;
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pfd[0]);
		memset(&msg, 0, sizeof(msg));
		if (!unshare(CLONE_NEWNS) &&
		    !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
		    !mount("nodev", tracefs_roots[0], "tracefs", 0, NULL))
			msg.found = read_ids(tracefs_roots[0], msg.id,
					     msg.have);
		if (write(pfd[1], &msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	memset(&msg, 0, sizeof(msg));
	if (read(pfd[0], &msg, sizeof(msg)) != sizeof(msg))
		msg.found = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	memcpy(id, msg.id, sizeof(msg.id));
	memcpy(have, msg.have, sizeof(msg.have));
	return msg.found;
}

void gb_lockstat_init(struct gb_lockstat_ids *ids)
{
	bool mounted = false, closed = false;

	memset(ids, 0, sizeof(*ids));
	for (size_t r = 0; r < ARRAY_SIZE(tracefs_roots); r++) {
		int state = tracefs_state(tracefs_roots[r]);

		closed |= state == -EACCES;
		if (state <= 0)
			continue;
		mounted = true;
		if (read_ids(tracefs_roots[r], ids->id, ids->have))
			break;
	}
	mounted |= closed;
	if (!mounted && geteuid() == 0)
		read_ids_private(ids->id, ids->have);
	ids->ok = ids->have[GB_LOCK_MMAP_READ];
	if (ids->ok)
		return;
	if (!mounted && geteuid() != 0)
		snprintf(ids->why, sizeof(ids->why),
			 "tracefs is not mounted: as root, " MOUNT_HINT);
	else if (!mounted)
		snprintf(ids->why, sizeof(ids->why),
			 "tracefs is not mounted and a private mount failed: "
			 MOUNT_HINT);
	else if (closed)
		snprintf(ids->why, sizeof(ids->why),
			 "tracefs is not readable by this user: run as root, "
			 "or chmod o+rx /sys/kernel/tracing and its events");
	else
		snprintf(ids->why, sizeof(ids->why),
			 "no mmap_lock tracepoints in this kernel (needs "
			 "CONFIG_TRACING and Linux 5.10+)");
}

static int open_one(uint64_t config, const char *filter, int *fd)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = config;
	attr.disabled = 1;
	attr.sample_period = 0;
	*fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1,
			   PERF_FLAG_FD_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (filter && ioctl(*fd, PERF_EVENT_IOC_SET_FILTER, filter)) {
		int err = -errno;

		close(*fd);
		*fd = -1;
		return err;
	}
	return 0;
}

int gb_lockstat_open(const struct gb_lockstat_ids *ids,
		     struct gb_lockstat *ls, char *why, size_t whylen)
{
	int ret;

	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++)
		ls->fd[e] = -1;
	if (!ids->ok) {
		snprintf(why, whylen, "%s", ids->why);
		return -ENOENT;
	}
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++) {
		if (!ids->have[e])
			continue;
		ret = open_one(ids->id[e], tracepoints[e].filter, &ls->fd[e]);
		if (ret && e == GB_LOCK_CONTENTION)
			continue;	/* optional: counted where it opens */
		if (ret) {
			snprintf(why, whylen, "perf_event_open(%s): %s%s",
				 tracepoints[e].event, strerror(-ret),
				 ret == -EACCES || ret == -EPERM ?
				 ": run as root, grant CAP_PERFMON, or "
				 "sysctl kernel.perf_event_paranoid=-1" : "");
			gb_lockstat_close(ls);
			return ret;
		}
	}
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++)
		if (ls->fd[e] >= 0)
			ioctl(ls->fd[e], PERF_EVENT_IOC_ENABLE, 0);
	return 0;
}

void gb_lockstat_read(const struct gb_lockstat *ls,
		      uint64_t out[GB_NR_LOCK_EVENTS])
{
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++) {
		uint64_t v;

		out[e] = UINT64_MAX;
		if (ls->fd[e] >= 0 && read(ls->fd[e], &v, sizeof(v)) ==
		    sizeof(v))
			out[e] = v;
	}
}

void gb_lockstat_close(struct gb_lockstat *ls)
{
	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++) {
		if (ls->fd[e] >= 0)
			close(ls->fd[e]);
		ls->fd[e] = -1;
	}
}
