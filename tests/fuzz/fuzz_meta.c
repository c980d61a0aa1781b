// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: meta.txt reader. */
#include "fuzz_input.h"
#include "files/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	struct gb_meta m;
	int fd = fuzz_input_path(data, size, path, sizeof(path));

	if (!gb_meta_read(&m, path, err, sizeof(err))) {
		/* what it accepted must be self-consistent */
		if (!gb_meta_get(&m, "format_version"))
			abort();
		gb_meta_free(&m);
	}
	close(fd);
	return 0;
}
