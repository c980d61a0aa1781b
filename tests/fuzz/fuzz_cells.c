// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the strict TSV reader, on cells.tsv's header. */
#include "fuzz_input.h"
#include "files/results.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	struct gb_tsv *t = gb_zalloc(sizeof(*t));
	int fd = fuzz_input_path(data, size, path, sizeof(path));

	if (!gb_tsv_open(t, path, gb_cells_header, err, sizeof(err))) {
		int r;

		while ((r = gb_tsv_next(t, err, sizeof(err))) == 1) {
			double v;

			for (size_t c = 0; c < t->ncols; c++)
				if (!t->col[c])
					abort();
			gb_tsv_number(t, 3, &v, err, sizeof(err));
		}
		gb_tsv_close(t);
	}
	free(t);
	close(fd);
	return 0;
}
