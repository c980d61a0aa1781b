/* SPDX-License-Identifier: GPL-2.0 */
/* What killed runs leave behind, the locks that tell it, claimed CPUs. */
#ifndef GB_LEFTOVERS_H
#define GB_LEFTOVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * What a run killed outright (SIGKILL, the OOM killer, a crash) leaves:
 * its results directory under a dot-name, .<name>.tmp.<pid>, holding
 * meta.txt and every trial flushed, and its directory for file-backed
 * mappings, $TMPDIR/guard-bench.<pid>.XXXXXX.  A live run holds a lock
 * on each (flock on the directory) for as long as it runs, so another
 * run, `list` and `clean` can tell a leftover from a run in progress.
 */

/* Lock @dir for the life of this process.  0 or -errno. */
int gb_hold_dir(const char *dir);

/* $TMPDIR/guard-bench.<pid>.XXXXXX, made and held; @buf or NULL. */
char *gb_own_tmpdir(char *buf, size_t len);

struct gb_leftover {
	char path[4096];
	char final[4096];	/* run: the name it would have had */
	pid_t pid;		/* its owner, gone */
	bool is_run;		/* a results dot-dir (else a $TMPDIR one) */
};

typedef void (*gb_leftover_fn)(const struct gb_leftover *l, void *arg);

/*
 * Call @fn for each leftover of a run that is gone: dot-dirs under
 * <@root>/<release>/ and this user's guard-bench.<pid>.* in $TMPDIR
 * (or /tmp).  @root may be NULL.  Returns how many.
 */
size_t gb_leftovers(const char *root, gb_leftover_fn fn, void *arg);

/* Remove a $TMPDIR leftover: what it holds has no value. */
void gb_leftover_remove(const struct gb_leftover *l);

/* One line on stderr per leftover, with what to do about it. */
size_t gb_leftovers_report(const char *root, bool remove_tmp);

/*
 * Claim @cpus for this run.  Another guard-bench run that claimed one
 * of them makes both runs' numbers wrong: returns how many are taken,
 * the first of them in @cpu.
 */
size_t gb_claim_cpus(const unsigned int *cpus, size_t n, unsigned int *cpu);

#endif
