/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GB_FUZZ_INPUT_H
#define GB_FUZZ_INPUT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The readers take paths, as compare and trend do, and open only
 * regular files, never through a link (so not a memfd's /proc path):
 * each input is written to one file of this process, under /dev/shm
 * where it exists, removed at exit.  Returns an fd for the caller to
 * close.
 */
static char fuzz_file[64];

static void fuzz_input_cleanup(void)
{
	unlink(fuzz_file);
}

static inline int fuzz_input_path(const uint8_t *data, size_t size,
				  char *path, size_t len)
{
	int fd;

	if (!fuzz_file[0]) {
		snprintf(fuzz_file, sizeof(fuzz_file), "%s/gb-fuzz-%d",
			 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm",
			 (int)getpid());
		atexit(fuzz_input_cleanup);
	}
	fd = open(fuzz_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "%s", fuzz_file);
	return fd;
}

#endif
