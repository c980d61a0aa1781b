/* SPDX-License-Identifier: GPL-2.0 */
/* Where threads run: the hwloc topology and named contender placements. */
#ifndef GB_TOPO_H
#define GB_TOPO_H

#include <hwloc.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Where threads run.  The subject (timed) thread sits on one PU; every
 * contender gets a PU chosen by a named placement relative to it.  CPUs
 * are named by OS index (what taskset and /proc use).
 */
struct gb_topo {
	hwloc_topology_t t;
	unsigned int nr_pus;		/* PUs this process may use */
	unsigned int subject_cpu;	/* OS index */
	unsigned int nr_cores, nr_packages, nr_numa, nr_l2, nr_l3;
};

/* How a contender's PU relates to the subject's. */
enum gb_relation {
	GB_REL_SELF,
	GB_REL_SMT,		/* same core: SMT sibling */
	GB_REL_L2,		/* shares L2 (or L1), other core */
	GB_REL_LLC,		/* shares L3, not L2 */
	GB_REL_PACKAGE,		/* same package, no shared cache seen */
	GB_REL_MACHINE,		/* other package */
};

struct gb_placement {
	const char *name;
	const char *summary;
};

extern const struct gb_placement gb_placements[];
extern const size_t gb_nr_placements;

/* Load the topology; @subject_cpu < 0 picks the first allowed PU. */
int gb_topo_init(struct gb_topo *tp, int subject_cpu);
void gb_topo_fini(struct gb_topo *tp);

/*
 * Fill @cpus (room for @max) with the PUs placement @name offers for
 * contenders, in the order they are handed out.  Returns how many, 0 if
 * this machine has none (then @why says what is missing).
 */
size_t gb_topo_placement_cpus(struct gb_topo *tp, const char *name,
			      unsigned int *cpus, size_t max, char *why,
			      size_t whylen);

enum gb_relation gb_topo_relation(struct gb_topo *tp, unsigned int a,
				  unsigned int b, bool *same_numa);
const char *gb_relation_name(enum gb_relation rel);

/*
 * Bind the calling thread to @cpu and verify it runs there.
 * Returns 0, or -errno (-EIO: bound but never seen on that CPU).
 */
int gb_topo_bind_self(struct gb_topo *tp, unsigned int cpu);

int gb_topo_export_xml(struct gb_topo *tp, const char *path);
/* "1 package, 2 cores, 2 PUs, 1 NUMA node, L2 x2, L3 x1" */
void gb_topo_describe(struct gb_topo *tp, char *buf, size_t len);

#endif
