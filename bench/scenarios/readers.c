// SPDX-License-Identifier: GPL-2.0
/*
 * readers: guard install against threads that only read the mm.
 *
 * The subject installs then removes guards on a range in VMA X while N
 * reader threads run an operation that looks up the address space
 * without changing it, each on its own range in another VMA Y, so the
 * two sides share only the mm: on kernels where both take the mmap read
 * lock, what they contend on is the rwsem's count cache line.  Each
 * trial also runs a control phase with the subject idle, so the readers'
 * rate can be read against themselves (contender_rate_vs_control).
 *
 * Which lock a reader op takes differs between kernels (some moved to
 * per-VMA locks or RCU), so it is measured, never assumed: at set-up the
 * op runs 64 times alone with the mmap_lock tracepoint counted
 * (mmap_lock_read_per_reader_op_alone), and an op that takes no mmap
 * read lock here is named so on stderr.  The harness's accounting phase
 * counts the same per op under contention (mmap_lock_read_per_reader_op).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "measure/params.h"
#include "measure/scenario.h"
#include "measure/slots.h"
#include "base/util.h"

#ifndef MPOL_F_ADDR
#define MPOL_F_ADDR (1 << 1)	/* include/uapi/linux/mempolicy.h */
#endif

enum { OP_MINCORE, OP_WILLNEED, OP_MEMPOLICY, OP_MAPS, NR_OPS };
static const char *const op_words[] = {
	"mincore", "willneed", "mempolicy", "maps", NULL
};
/* what each op is, for notes and docs */
static const char *const op_calls[] = {
	"mincore()", "madvise(MADV_WILLNEED)", "get_mempolicy(MPOL_F_ADDR)",
	"read(/proc/self/maps)",
};

#define READER_PAGES 16		/* each reader's own range */
#define MAPS_BUF (64 * 1024)
#define PROBE_CALLS 64

static const struct gb_param_def reader_op_param = {
	"reader-op", "what each reader does on its own range: mincore(), "
	"madvise(MADV_WILLNEED), get_mempolicy(MPOL_F_ADDR), or read "
	"/proc/self/maps whole", "mincore,willneed,mempolicy,maps",
	op_words, 0, 0
};

static const struct gb_param_use params[] = {
	{ &reader_op_param }, { &gb_param_guard_pages }, { NULL },
};

/* One reader's state, on its own cache lines. */
struct reader {
	char *range;
	int fd;			/* /proc/self/maps, for OP_MAPS */
	char *buf;
} __attribute__((aligned(256)));

struct readers_cell {
	char *y;		/* the readers' VMA, in c->slots */
	size_t len;		/* each reader's range */
	int op;
	unsigned int nr;
	double probe[2];	/* read, write acquisitions per op; <0: n/a */
	bool no_lock;		/* the probe saw no mmap read lock */
	struct reader r[];	/* [1..nr]; [0] unused (the subject) */
};

/* Each op against the reader sweep, one --guard-pages */
GB_OP_SWEEP_PLAN(readers, "reader-op")

static int reader_op(int op, struct reader *r, size_t len)
{
	unsigned char vec[READER_PAGES];
	off_t off = 0;
	ssize_t got;
	int mode;

	switch (op) {
	case OP_MINCORE:
		return mincore(r->range, len, vec) ? -errno : 0;
	case OP_WILLNEED:
		return madvise(r->range, len, MADV_WILLNEED) ? -errno : 0;
	case OP_MEMPOLICY:
		return syscall(SYS_get_mempolicy, &mode, NULL, 0UL, r->range,
			       (unsigned long)MPOL_F_ADDR) ? -errno : 0;
	case OP_MAPS:
		/* the whole file: each read may lock and unlock */
		while ((got = pread(r->fd, r->buf, MAPS_BUF, off)) > 0)
			off += got;
		return got < 0 ? -errno : 0;
	}
	return -EINVAL;
}

/*
 * Which lock the op takes on this kernel: PROBE_CALLS calls from this
 * thread alone, counted with the mmap_lock tracepoint.  Once per op per
 * run: the kernel does not change between cells.
 */
static void probe_locks(struct readers_cell *rc)
{
	static struct gb_lockstat_ids ids;
	static bool ids_done, noted_na;
	static double seen[NR_OPS][2];
	static bool probed[NR_OPS], noted[NR_OPS];
	uint64_t a[GB_NR_LOCK_EVENTS], b[GB_NR_LOCK_EVENTS];
	struct gb_lockstat ls;
	char why[256];
	int op = rc->op;

	rc->probe[0] = rc->probe[1] = -1;
	if (probed[op]) {
		rc->probe[0] = seen[op][0];
		rc->probe[1] = seen[op][1];
		rc->no_lock = seen[op][0] < 0.5;
		return;
	}
	if (!ids_done) {
		gb_lockstat_init(&ids);
		ids_done = true;
	}
	if (gb_lockstat_open(&ids, &ls, why, sizeof(why))) {
		if (!noted_na)
			gb_note("readers: cannot tell which lock the reader "
				"ops take on this kernel: %s", why);
		noted_na = true;
		return;
	}
	gb_lockstat_read(&ls, a);
	for (int i = 0; i < PROBE_CALLS; i++)
		reader_op(op, &rc->r[1], rc->len);
	gb_lockstat_read(&ls, b);
	gb_lockstat_close(&ls);
	if (a[GB_LOCK_MMAP_READ] == UINT64_MAX ||
	    b[GB_LOCK_MMAP_READ] == UINT64_MAX)
		return;
	seen[op][0] = (double)(b[GB_LOCK_MMAP_READ] - a[GB_LOCK_MMAP_READ]) /
		      PROBE_CALLS;
	seen[op][1] = a[GB_LOCK_MMAP_WRITE] == UINT64_MAX ? -1 :
		      (double)(b[GB_LOCK_MMAP_WRITE] -
			       a[GB_LOCK_MMAP_WRITE]) / PROBE_CALLS;
	probed[op] = true;
	rc->probe[0] = seen[op][0];
	rc->probe[1] = seen[op][1];
	rc->no_lock = seen[op][0] < 0.5;
	if (rc->no_lock && !noted[op])
		gb_note("readers: reader op %s (%s) takes no mmap read lock on "
			"this kernel (%.2f read acquisitions per call over %d "
			"calls): its cells measure guard install beside a "
			"reader that does not share the mmap lock; see "
			"mmap_lock_read_per_reader_op_alone", op_words[op],
			op_calls[op], seen[op][0], PROBE_CALLS);
	noted[op] = true;
}

static int setup_readers(struct readers_cell *rc, const struct gb_slots *s,
			 char *why, size_t whylen)
{
	for (unsigned int i = 1; i <= rc->nr; i++) {
		struct reader *r = &rc->r[i];

		r->range = rc->y + (i - 1) * s->slot;
		/* populated: the page tables a walk reads exist */
		for (size_t off = 0; off < rc->len; off += s->page)
			r->range[off] = 1;
		if (rc->op != OP_MAPS)
			continue;
		r->fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			snprintf(why, whylen, "open /proc/self/maps: %s",
				 strerror(errno));
			return -errno;
		}
		r->buf = gb_zalloc(MAPS_BUF);
	}
	return 0;
}

/* The reader op on its own, once: a kernel without it skips the cell */
static int try_op(struct readers_cell *rc, char *why, size_t whylen)
{
	int ret = reader_op(rc->op, &rc->r[1], rc->len);

	if (ret == -ENOSYS) {
		snprintf(why, whylen, "%s: ENOSYS: this kernel lacks it "
			 "(CONFIG_NUMA=n for get_mempolicy)", op_calls[rc->op]);
		return GB_SKIP;
	}
	if (ret)
		snprintf(why, whylen, "%s: %s", op_calls[rc->op],
			 strerror(-ret));
	return ret;
}

/*
 * One reservation [X | hole | Y]; the hole stays PROT_NONE so X and Y
 * never merge.  Every range starts its own page-table page (a PMD's
 * span), so no two threads share a PTE lock.
 */
static int setup(struct gb_cell *c, const struct gb_config *cfg, char *why,
		 size_t whylen)
{
	unsigned int nr = c->nr_contenders;
	struct readers_cell *rc;
	int ret = gb_op_cell_setup(c, cfg, nr, why, whylen);

	if (ret)
		return ret;
	rc = gb_zalloc_aligned(256, sizeof(*rc) + (nr + 1) * sizeof(rc->r[0]));
	c->priv = rc;
	for (unsigned int i = 0; i <= nr; i++)
		rc->r[i].fd = -1;
	rc->y = gb_slot(&c->slots, 2);
	rc->len = READER_PAGES * c->slots.page;
	rc->op = ((const struct gb_op_args *)c->args)->op;
	rc->nr = nr;
	rc->probe[0] = rc->probe[1] = -1;
	if (nr)
		ret = gb_slots_open(&c->slots, rc->y, nr * c->slots.slot,
				    "the readers' VMA", why, whylen);
	if (!ret)
		ret = setup_readers(rc, &c->slots, why, whylen);
	if (!ret && nr)
		ret = try_op(rc, why, whylen);
	if (ret)
		return ret;
	if (nr)
		probe_locks(rc);
	/*
	 * Said in the cell too: a cell that ends done keeps its reason
	 * (harness.c, mark()); its control's is rewritten, so not there.
	 */
	if (rc->no_lock)
		snprintf(c->reason, sizeof(c->reason), "reader op %s takes no "
			 "mmap read lock on this kernel (%.2f per call)",
			 op_words[rc->op], rc->probe[0]);
	c->worker_priv = (char *)rc->r;
	c->worker_stride = sizeof(rc->r[0]);
	return 0;
}

static int contender_op(struct gb_worker *w)
{
	const struct readers_cell *rc = w->cell->priv;

	return reader_op(rc->op, w->priv, rc->len);
}

/*
 * The set-up probe joins the cell's metrics once its trials are in
 * (a series added before them would be taken for the trial count).
 * Named like the harness's lock counts, n = 1.
 */
static void put_probe(struct gb_cell *c, const char *name, double v)
{
	struct gb_series *s;

	if (v < 0 || !c->nr_series || c->nr_series == GB_MAX_METRICS)
		return;
	s = &c->series[c->nr_series++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->unit = "per op";
	s->v = gb_zalloc(sizeof(double));
	s->v[0] = v;
	s->n = 1;
}

static void teardown(struct gb_cell *c)
{
	struct readers_cell *rc = c->priv;

	put_probe(c, "mmap_lock_read_per_reader_op_alone", rc->probe[0]);
	put_probe(c, "mmap_lock_write_per_reader_op_alone", rc->probe[1]);
	for (unsigned int i = 1; i <= rc->nr; i++) {
		if (rc->r[i].fd >= 0)
			close(rc->r[i].fd);
		free(rc->r[i].buf);
	}
}

GB_SCENARIO(readers, "guard install/remove while N threads run mm read "
	    "operations (mincore, MADV_WILLNEED, get_mempolicy, "
	    "/proc/self/maps) on their own VMA",
	.primary = GB_LIST("install_latency_p50_ns",
			   "contender_rate_vs_control"),
	.contender_role = "reader",
	.control_label = "installer=none",
	.contender_op = contender_op,
	.teardown = teardown);
