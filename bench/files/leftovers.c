// SPDX-License-Identifier: GPL-2.0
/*
 * What killed runs leave (results dot-dirs, tmpdirs): the locks a live
 * run holds, finding and removing leftovers, claiming CPUs (leftovers.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "files/leftovers.h"
#include "base/util.h"

int gb_hold_dir(const char *dir)
{
	/* never closed: the lock goes when the process does */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		close(fd);
		return -err;
	}
	return 0;
}

char *gb_own_tmpdir(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	snprintf(buf, len, "%s/guard-bench.%d.XXXXXX", base, (int)getpid());
	if (!mkdtemp(buf))
		return NULL;
	/* without file locks (a kernel without them) the PID must do */
	gb_hold_dir(buf);
	return buf;
}

/*
 * Is the owner of @path, PID @pid, gone?  Its lock is not held (or
 * locks do not work here), and no guard-bench of that PID is alive
 * (one between mkdir and lock is).
 */
static bool owner_gone(const char *path, pid_t pid)
{
	char proc[64], comm[32] = "";
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool held;

	if (fd < 0)
		return false;
	held = flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	if (held)
		return false;
	snprintf(proc, sizeof(proc), "/proc/%d/comm", (int)pid);
	return gb_read_line(proc, comm, sizeof(comm)) ||
	       strcmp(comm, "guard-bench");
}

/* "<prefix><pid><sep>..." -> pid, or 0 */
static pid_t name_pid(const char *s, const char *prefix, char sep)
{
	size_t n = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(s, prefix, n) || s[n] < '1' || s[n] > '9')
		return 0;
	pid = strtol(s + n, &end, 10);
	if (*end != sep || pid <= 0 || pid > 1L << 30)
		return 0;
	return (pid_t)pid;
}

static bool is_own_dir(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid();
}

static size_t scan_tmp(gb_leftover_fn fn, void *arg)
{
	const char *base = getenv("TMPDIR");
	struct gb_leftover l;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (!base || !*base)
		base = "/tmp";
	d = opendir(base);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		memset(&l, 0, sizeof(l));
		l.pid = name_pid(de->d_name, "guard-bench.", '.');
		if (!l.pid)
			continue;
		snprintf(l.path, sizeof(l.path), "%s/%s", base, de->d_name);
		if (!is_own_dir(l.path) || !owner_gone(l.path, l.pid))
			continue;
		fn(&l, arg);
		n++;
	}
	closedir(d);
	return n;
}

/* .<name>.tmp.<pid> in @dir (one release's directory) */
static size_t scan_release(const char *dir, gb_leftover_fn fn, void *arg)
{
	struct gb_leftover l;
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		const char *tail = strstr(de->d_name, ".tmp.");
		int len;

		if (de->d_name[0] != '.' || !tail || tail == de->d_name + 1)
			continue;
		memset(&l, 0, sizeof(l));
		l.is_run = true;
		l.pid = name_pid(tail, ".tmp.", '\0');
		len = (int)(tail - de->d_name - 1);
		snprintf(l.path, sizeof(l.path), "%s/%s", dir, de->d_name);
		snprintf(l.final, sizeof(l.final), "%s/%.*s", dir, len,
			 de->d_name + 1);
		if (!l.pid || !is_own_dir(l.path) || !owner_gone(l.path, l.pid))
			continue;
		fn(&l, arg);
		n++;
	}
	closedir(d);
	return n;
}

size_t gb_leftovers(const char *root, gb_leftover_fn fn, void *arg)
{
	struct dirent *de;
	size_t n = scan_tmp(fn, arg);
	DIR *d = root ? opendir(root) : NULL;

	if (!d)
		return n;
	while ((de = readdir(d))) {
		char *sub;

		if (de->d_name[0] == '.')
			continue;
		sub = gb_asprintf("%s/%s", root, de->d_name);
		if (is_own_dir(sub))
			n += scan_release(sub, fn, arg);
		free(sub);
	}
	closedir(d);
	return n;
}

void gb_leftover_remove(const struct gb_leftover *l)
{
	gb_rm_rf(l->path);
}

struct report_ctx {
	const char *root;
	bool remove_tmp;
};

static void report_one(const struct gb_leftover *l, void *arg)
{
	const struct report_ctx *r = arg;

	if (l->is_run) {
		gb_warn("%s: left by guard-bench PID %d, which is gone (killed "
			"before it finished): `guard-bench clean -o %s` keeps "
			"its trials as an incomplete run, `clean --remove "
			"-o %s` deletes it", l->path, (int)l->pid, r->root,
			r->root);
	} else if (r->remove_tmp) {
		gb_rm_rf(l->path);
		gb_note("removed %s, left by guard-bench PID %d, which is gone",
			l->path, (int)l->pid);
	} else {
		gb_warn("%s: left by guard-bench PID %d, which is gone: "
			"`guard-bench clean` removes it", l->path, (int)l->pid);
	}
}

size_t gb_leftovers_report(const char *root, bool remove_tmp)
{
	struct report_ctx r = { root, remove_tmp };

	return gb_leftovers(root, report_one, &r);
}

/*
 * One abstract unix socket per CPU, "guard-bench-cpu-N": bound while a
 * run lives, gone with it whatever way it ends, and nothing on disk.
 */
size_t gb_claim_cpus(const unsigned int *cpus, size_t n, unsigned int *cpu)
{
	size_t taken = 0;

	for (size_t i = 0; i < n; i++) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		socklen_t len;

		if (fd < 0)
			return taken;
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
				 "guard-bench-cpu-%u", cpus[i]));
		if (!bind(fd, (struct sockaddr *)&a, len))
			continue;	/* ours now: kept open till exit */
		if (errno == EADDRINUSE && !taken++)
			*cpu = cpus[i];
		close(fd);
	}
	return taken;
}
