/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GB_FUZZ_INPUT_H
#define GB_FUZZ_INPUT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The readers take paths, as compare and trend do: hand each input over
 * as a memfd's /proc path, no disk involved.
 */
static inline int fuzz_input_path(const uint8_t *data, size_t size,
				  char *path, size_t len)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
