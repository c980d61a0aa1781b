// SPDX-License-Identifier: GPL-2.0
/* trials.tsv's stream: stdio over write(2) that keeps the first errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "files/trials_file.h"

static ssize_t tf_write(void *cookie, const char *buf, size_t len)
{
	struct gb_trials_file *tf = cookie;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(tf->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!tf->err)
				tf->err = n < 0 ? errno : EIO;
			/* stdio marks the stream in error on a short count */
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int tf_close(void *cookie)
{
	struct gb_trials_file *tf = cookie;
	int ret = tf->fd >= 0 ? close(tf->fd) : 0;

	tf->fd = -1;
	return ret;
}

FILE *gb_trials_open(struct gb_trials_file *tf, const char *path, int flags)
{
	cookie_io_functions_t io = { .write = tf_write, .close = tf_close };
	FILE *f;
	int err;

	tf->err = 0;
	tf->fd = open(path, flags | O_WRONLY | O_CLOEXEC, 0644);
	if (tf->fd < 0)
		return NULL;
	f = fopencookie(tf, "w", io);
	if (!f) {
		err = errno;
		close(tf->fd);
		tf->fd = -1;
		errno = err;
	}
	return f;
}

int gb_trials_flush(struct gb_trials_file *tf, FILE *f)
{
	if (!fflush(f) && !ferror(f))
		return 0;
	return -(tf->err ? tf->err : EIO);
}

int gb_trials_close(struct gb_trials_file *tf, FILE *f)
{
	int ret = gb_trials_flush(tf, f);

	if (!ret && fsync(tf->fd))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = tf->err ? -tf->err : -EIO;
	return ret;
}
