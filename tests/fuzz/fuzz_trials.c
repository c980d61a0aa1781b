// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: trials.tsv reader (what compare's statistics are fed). */
#define _GNU_SOURCE
#include <math.h>

#include "fuzz_input.h"
#include "files/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	struct gb_trial_series *series;
	int fd = fuzz_input_path(data, size, path, sizeof(path));
	long n = gb_trials_read(path, &series, err, sizeof(err));

	for (long i = 0; i < n; i++)
		for (size_t k = 0; k < series[i].n; k++)
			if (!isfinite(series[i].v[k]))
				abort();	/* accepted a non-finite value */
	if (n >= 0)
		gb_trials_free(series, n);
	close(fd);
	return 0;
}
