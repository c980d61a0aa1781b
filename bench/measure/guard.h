/* SPDX-License-Identifier: GPL-2.0 */
/* Guard regions' building blocks: backings, mappings, VMA flags from /proc. */
#ifndef GB_GUARD_H
#define GB_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/* include/uapi/asm-generic/mman-common.h, Linux 6.13+ */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

enum gb_backing {
	GB_BACKING_ANON,
	GB_BACKING_SHMEM,	/* memfd */
	GB_BACKING_FILE,	/* a file under --tmpdir */
	GB_NR_BACKINGS,
};

extern const char *const gb_backing_names[GB_NR_BACKINGS];

/* A mapping the scenarios install guards into. */
struct gb_mapping {
	enum gb_backing backing;
	char *addr;
	size_t len;
	int fd;			/* shmem, file: unlinked at once */
};

/*
 * Map @len bytes (page multiple) of @backing, MADV_NOHUGEPAGE so every
 * fault is a base page.  @tmpdir is used for file backing.
 * Returns 0 or -errno; @why says what failed.
 */
int gb_map(struct gb_mapping *m, enum gb_backing backing, size_t len,
	   const char *tmpdir, char *why, size_t whylen);
void gb_unmap(struct gb_mapping *m);

/*
 * Does this kernel accept MADV_GUARD_INSTALL (and REMOVE) on @backing?
 * 1 yes, 0 no (EINVAL; @why says so), -errno when the probe itself failed.
 */
int gb_guard_supported(enum gb_backing backing, const char *tmpdir,
		       char *why, size_t whylen);

/*
 * Does the VMA holding @addr show the `gu` VmFlag (VM_MAYBE_GUARD) in
 * /proc/self/smaps?  1 yes, 0 no, -errno if smaps could not be read.
 */
int gb_vma_has_flag(const void *addr, const char *flag);

/* Bounds of the VMA holding @addr, from /proc/self/maps. */
int gb_vma_bounds(const void *addr, unsigned long *start, unsigned long *end);

/*
 * --emulate write-lock: after an install, flip VM_DONTDUMP on the whole
 * VMA (MADV_DONTDUMP / MADV_DODUMP alternately).  That takes the mmap
 * write lock and the VMA write lock, as the series' v1 install did: a
 * same-kernel proxy, labelled so wherever it shows.  0 or -errno.
 */
int gb_emulate_write_lock(void *vma, size_t len, unsigned int *flip);

/* Is @dir a directory we can create files in?  0 or -errno. */
int gb_dir_writable(const char *dir);

#endif
