// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings of each backing (anon, shmem, file), whether a backing takes
 * guards, VMA flags and bounds from /proc, and the guard install/remove op.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "measure/guard.h"
#include "measure/scenario.h"
#include "base/util.h"

const char *const gb_backing_names[GB_NR_BACKINGS] = {
	[GB_BACKING_ANON] = "anon",
	[GB_BACKING_SHMEM] = "shmem",
	[GB_BACKING_FILE] = "file",
};

static int map_fd(struct gb_mapping *m, enum gb_backing backing,
		  const char *tmpdir, char *why, size_t whylen)
{
	if (backing == GB_BACKING_SHMEM) {
		m->fd = memfd_create("guard-bench", MFD_CLOEXEC);
		if (m->fd < 0) {
			snprintf(why, whylen, "memfd_create: %s",
				 strerror(errno));
			return -errno;
		}
	} else {
		char *path = gb_asprintf("%s/guard-bench.XXXXXX", tmpdir);

		m->fd = mkostemp(path, O_CLOEXEC);
		if (m->fd < 0) {
			int err = errno;

			snprintf(why, whylen, "cannot create a file in %s: %s",
				 tmpdir, strerror(err));
			free(path);
			return -err;
		}
		/* the fd is all we need: nothing left, even by kill -9 */
		unlink(path);
		free(path);
	}
	if (ftruncate(m->fd, (off_t)m->len)) {
		snprintf(why, whylen, "ftruncate: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int gb_map(struct gb_mapping *m, enum gb_backing backing, size_t len,
	   const char *tmpdir, char *why, size_t whylen)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS, ret;
	void *p;

	memset(m, 0, sizeof(*m));
	m->backing = backing;
	m->len = len;
	m->fd = -1;
	if (backing != GB_BACKING_ANON) {
		ret = map_fd(m, backing, tmpdir, why, whylen);
		if (ret) {
			gb_unmap(m);
			return ret;
		}
		flags = MAP_SHARED;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, m->fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		snprintf(why, whylen, "mmap %zu bytes: %s", len,
			 strerror(errno));
		gb_unmap(m);
		return ret;
	}
	m->addr = p;
	/* Base-page faults whatever the THP setting; EINVAL without THP. */
	madvise(p, len, MADV_NOHUGEPAGE);
	return 0;
}

void gb_unmap(struct gb_mapping *m)
{
	if (m->addr)
		munmap(m->addr, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->addr = NULL;
	m->fd = -1;
}

int gb_guard_supported(enum gb_backing backing, const char *tmpdir,
		       char *why, size_t whylen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct gb_mapping m;
	int ret;

	ret = gb_map(&m, backing, 4 * page, tmpdir, why, whylen);
	if (ret)
		return ret;
	ret = 1;
	if (madvise(m.addr + page, page, MADV_GUARD_INSTALL)) {
		int err = errno;

		if (err == EINVAL) {
			snprintf(why, whylen,
				 "kernel rejects MADV_GUARD_INSTALL on %s "
				 "(EINVAL): %s", gb_backing_names[backing],
				 backing == GB_BACKING_ANON ?
				 "guard regions need Linux 6.13+" :
				 "file and shmem guards need Linux 6.15+");
			ret = 0;
		} else {
			snprintf(why, whylen, "MADV_GUARD_INSTALL on %s: %s",
				 gb_backing_names[backing], strerror(err));
			ret = -err;
		}
	} else if (madvise(m.addr + page, page, MADV_GUARD_REMOVE)) {
		snprintf(why, whylen, "MADV_GUARD_REMOVE on %s: %s",
			 gb_backing_names[backing], strerror(errno));
		ret = errno == EINVAL ? 0 : -errno;
	}
	gb_unmap(&m);
	return ret;
}

static int find_vma(FILE *f, unsigned long a, unsigned long *start,
		    unsigned long *end)
{
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && a >= s && a < e) {
			*start = s;
			*end = e;
			return 0;
		}
	}
	return -ENOENT;
}

int gb_vma_bounds(const void *addr, unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int ret;

	if (!f)
		return -errno;
	ret = find_vma(f, (unsigned long)addr, start, end);
	fclose(f);
	return ret;
}

int gb_vma_has_flag(const void *addr, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long s, e;
	char line[1024];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	if (find_vma(f, (unsigned long)addr, &s, &e))
		goto out;
	/* The VMA's own lines follow its header until VmFlags. */
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (strncmp(line, "VmFlags:", 8))
			continue;
		ret = 0;
		for (tok = strtok_r(line + 8, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save))
			if (!strcmp(tok, flag))
				ret = 1;
		break;
	}
out:
	fclose(f);
	return ret;
}

int gb_dir_writable(const char *dir)
{
	char *path = gb_asprintf("%s/.guard-bench-probe.XXXXXX", dir);
	int fd = mkstemp(path), ret = 0;

	if (fd < 0)
		ret = -errno;
	else {
		close(fd);
		unlink(path);
	}
	free(path);
	return ret;
}

int gb_emulate_write_lock(void *vma, size_t len, unsigned int *flip)
{
	int advice = (*flip)++ & 1 ? MADV_DODUMP : MADV_DONTDUMP;

	return madvise(vma, len, advice) ? -errno : 0;
}

int gb_guard_check(enum gb_backing backing, const struct gb_config *cfg,
		   char *why, size_t whylen)
{
	int ret = gb_guard_supported(backing, cfg->tmpdir, why, whylen);

	return ret <= 0 ? (ret == 0 ? GB_SKIP : ret) : 0;
}

int gb_op_cell_setup(struct gb_cell *c, const struct gb_config *cfg,
		     size_t more, char *why, size_t whylen)
{
	const struct gb_op_args *a = c->args;
	struct gb_slots *s = &c->slots;
	char *x;
	int ret = gb_guard_check(GB_BACKING_ANON, cfg, why, whylen);

	if (!ret)
		ret = gb_slots_reserve(s, 2 + more, why, whylen);
	if (ret)
		return ret;
	x = gb_slot(s, 0);
	c->guard = (struct gb_guard_target){ x + s->page,
		(size_t)a->guard_pages * s->page, x, s->slot };
	return gb_slots_open(s, x, s->slot, "the subject's VMA", why, whylen);
}

void gb_unmap_priv(struct gb_cell *c)
{
	gb_unmap(c->priv);
}

int gb_fault_and_drop(char *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	for (size_t off = 0; off < len; off += page)
		((volatile char *)p)[off] = 1;
	return madvise(p, len, MADV_DONTNEED) ? -errno : 0;
}

int gb_guard_subject_op(struct gb_worker *w, unsigned int op, void *range,
			size_t len, void *vma, size_t vma_len)
{
	if (madvise(range, len, op == 0 ? MADV_GUARD_INSTALL :
					  MADV_GUARD_REMOVE))
		return -errno;
	if (op == 0 && w->cell->emulate_write_lock)
		return gb_emulate_write_lock(vma, vma_len, &w->flip);
	return 0;
}
