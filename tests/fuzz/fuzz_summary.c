// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: summary.tsv reader. */
#include "fuzz_input.h"
#include "files/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	struct gb_summary_row *rows;
	int fd = fuzz_input_path(data, size, path, sizeof(path));
	long n = gb_summary_read(path, &rows, err, sizeof(err));

	for (long i = 0; i < n; i++)
		if (!(rows[i].s.min <= rows[i].s.median &&
		      rows[i].s.median <= rows[i].s.max) || rows[i].s.n < 1)
			abort();	/* accepted what it must reject */
	free(rows);
	close(fd);
	return 0;
}
