// SPDX-License-Identifier: GPL-2.0
/* --label: a name for a run that every table, TSV and plot can carry. */
#include <stdio.h>
#include <string.h>

#include "files/label.h"

static const char *char_name(unsigned char c, char *buf, size_t len)
{
	switch (c) {
	case '\t':
		return "TAB";
	case '\n':
		return "newline";
	case '\r':
		return "carriage return";
	case '/':
		return "'/'";
	case '\\':
		return "'\\'";
	}
	snprintf(buf, len, "control character 0x%02x", c);
	return buf;
}

int gb_label_check(const char *label, char *err, size_t errlen)
{
	char name[40];
	size_t len = strlen(label);

	if (!len) {
		snprintf(err, errlen, "--label is empty: give a short name, "
			 "e.g. --label base-try2");
		return -1;
	}
	if (len > GB_RUN_LABEL_MAX) {
		snprintf(err, errlen, "--label is %zu bytes long: give at "
			 "most %d", len, GB_RUN_LABEL_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (c >= 0x20 && c != 0x7f && c != '/' && c != '\\')
			continue;
		snprintf(err, errlen, "--label: %s at byte %zu would break a "
			 "file name or TSV column: use letters, digits, "
			 "spaces, '-', '_', '.' or '+'",
			 char_name(c, name, sizeof(name)), i + 1);
		return -1;
	}
	return 0;
}
