// SPDX-License-Identifier: GPL-2.0
/*
 * Lock accounting: mmap_lock and contention tracepoints counted per
 * thread through perf_event_open (lockstat.h).
 */
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

#include "measure/lockstat.h"
#include "base/util.h"

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

/* Read each event's id relative to @dirfd, a tracefs root. */
static int read_ids_at(int dirfd, uint64_t id[GB_NR_LOCK_EVENTS],
		       bool have[GB_NR_LOCK_EVENTS])
{
	int found = 0;

	for (int e = 0; e < GB_NR_LOCK_EVENTS; e++) {
		char path[512], line[64];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "events/%s/id",
			 tracepoints[e].event);
		have[e] = false;
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n <= 0)
			continue;
		line[n] = '\0';
		id[e] = strtoull(line, NULL, 10);
		have[e] = true;
		found++;
	}
	return found;
}

static int read_ids(const char *root, uint64_t id[GB_NR_LOCK_EVENTS],
		    bool have[GB_NR_LOCK_EVENTS])
{
	int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), found;

	if (dirfd < 0)
		return 0;
	found = read_ids_at(dirfd, id, have);
	close(dirfd);
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
 * The new mount API (Linux 5.2): a tracefs mount that is attached
 * nowhere, read through its fd and gone when the fd closes.  No mount
 * table is touched, so it works where a private mount cannot: in a
 * chroot, whose / is not a mount point.  Raw syscalls: glibc before
 * 2.36 has no wrappers, and their numbers are the same on every arch.
 */
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#define GB_FSOPEN_CLOEXEC	0x1
#define GB_FSCONFIG_CMD_CREATE	6
#define GB_FSMOUNT_CLOEXEC	0x1

static int read_ids_fsmount(uint64_t id[GB_NR_LOCK_EVENTS],
			    bool have[GB_NR_LOCK_EVENTS])
{
	int fsfd, mfd, found, err;

	fsfd = (int)syscall(SYS_fsopen, "tracefs", GB_FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fsfd, GB_FSCONFIG_CMD_CREATE, NULL, NULL,
		    0)) {
		err = -errno;
		close(fsfd);
		return err;
	}
	mfd = (int)syscall(SYS_fsmount, fsfd, GB_FSMOUNT_CLOEXEC, 0);
	err = -errno;
	close(fsfd);
	if (mfd < 0)
		return err;
	found = read_ids_at(mfd, id, have);
	close(mfd);
	return found;
}

/*
 * Mount tracefs where nobody else sees it: a child in its own mount
 * namespace reads the ids and sends them back through a pipe.  Returns
 * the ids found, or -errno of the step that failed.
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
	if (pid < 0) {
		int err = -errno;

		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		close(pfd[0]);
		memset(&msg, 0, sizeof(msg));
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("nodev", tracefs_roots[0], "tracefs", 0, NULL))
			msg.found = -errno;
		else
			msg.found = read_ids(tracefs_roots[0], msg.id,
					     msg.have);
		if (write(pfd[1], &msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	memset(&msg, 0, sizeof(msg));
	if (read(pfd[0], &msg, sizeof(msg)) != sizeof(msg))
		msg.found = -EIO;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	memcpy(id, msg.id, sizeof(msg.id));
	memcpy(have, msg.have, sizeof(msg.have));
	return msg.found;
}

static const char *err_name(int ret)
{
	return ret < 0 ? strerror(-ret) : "no mmap_lock events in it";
}

void gb_lockstat_init(struct gb_lockstat_ids *ids)
{
	bool mounted = false, closed = false;
	int fsm = 0, priv = 0;

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
	if (!mounted && geteuid() == 0) {
		fsm = read_ids_fsmount(ids->id, ids->have);
		if (fsm > 0)
			ids->via = "a detached tracefs mount (fsmount)";
		else
			priv = read_ids_private(ids->id, ids->have);
		if (priv > 0)
			ids->via = "a private tracefs mount";
	}
	ids->ok = ids->have[GB_LOCK_MMAP_READ];
	if (ids->ok)
		return;
	if (!mounted && geteuid() != 0)
		snprintf(ids->why, sizeof(ids->why),
			 "tracefs is not mounted: as root, " MOUNT_HINT);
	else if (!mounted && fsm <= 0 && priv <= 0)
		snprintf(ids->why, sizeof(ids->why),
			 "tracefs is not mounted, fsmount failed (%s) and a "
			 "private mount failed (%s): " MOUNT_HINT,
			 err_name(fsm), err_name(priv));
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
