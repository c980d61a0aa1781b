/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel releases ordered as people read them (trend). */
#ifndef GB_KVERSION_H
#define GB_KVERSION_H

/*
 * Order kernel releases (`uname -r`) as people read them:
 *
 *	6.9 < 6.10-rc1 < 6.10-rc2 < 6.10 < 6.10-fc-v1 < 6.10.1
 *
 * Numbers compare as numbers; an -rcN release comes before the
 * release itself; a local suffix ("-fc-v595", "+deb14-cloud-amd64",
 * "-91-generic") is kept and ordered right after its base, suffixes
 * among themselves in natural order (digit runs as numbers).  A string
 * that does not start with a number sorts after every release, by
 * strcmp.  Returns <0, 0 or >0 like strcmp; 0 only for equal strings.
 */
int gb_kversion_cmp(const char *a, const char *b);

/* Natural order: "v9" < "v10"; ties broken by strcmp. */
int gb_natural_cmp(const char *a, const char *b);

#endif
