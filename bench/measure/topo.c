// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's topology through hwloc: named placements for contenders,
 * CPU relations, pinning and the topology.xml export (topo.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "measure/topo.h"
#include "base/util.h"

/* One table: list, help text and docs are generated from it. */
const struct gb_placement gb_placements[] = {
	{ "spread", "other cores first, SMT siblings only when cores run out" },
	{ "smt", "SMT siblings of the subject (same core)" },
	{ "l2", "other cores sharing the subject's L2" },
	{ "llc", "cores sharing the subject's last-level cache, not its L2" },
	{ "cross-llc", "same package, other last-level cache" },
	{ "cross-numa", "another NUMA node" },
	{ NULL, NULL }		/* ends it, for the option engine */
};
const size_t gb_nr_placements = ARRAY_SIZE(gb_placements) - 1;

static unsigned int count_type(hwloc_topology_t t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);

	return n > 0 ? (unsigned int)n : 0;
}

int gb_topo_init(struct gb_topo *tp, int subject_cpu)
{
	hwloc_obj_t pu;

	memset(tp, 0, sizeof(*tp));
	if (hwloc_topology_init(&tp->t) || hwloc_topology_load(tp->t))
		return -errno ? -errno : -EIO;
	tp->nr_pus = count_type(tp->t, HWLOC_OBJ_PU);
	tp->nr_cores = count_type(tp->t, HWLOC_OBJ_CORE);
	tp->nr_packages = count_type(tp->t, HWLOC_OBJ_PACKAGE);
	tp->nr_numa = count_type(tp->t, HWLOC_OBJ_NUMANODE);
	tp->nr_l2 = count_type(tp->t, HWLOC_OBJ_L2CACHE);
	tp->nr_l3 = count_type(tp->t, HWLOC_OBJ_L3CACHE);
	if (subject_cpu < 0) {
		pu = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, 0);
	} else {
		pu = hwloc_get_pu_obj_by_os_index(tp->t,
						  (unsigned int)subject_cpu);
	}
	if (!pu)
		return -ENODEV;
	tp->subject_cpu = pu->os_index;
	return 0;
}

void gb_topo_fini(struct gb_topo *tp)
{
	if (tp->t)
		hwloc_topology_destroy(tp->t);
	tp->t = NULL;
}

static hwloc_obj_t pu_obj(struct gb_topo *tp, unsigned int cpu)
{
	return hwloc_get_pu_obj_by_os_index(tp->t, cpu);
}

enum gb_relation gb_topo_relation(struct gb_topo *tp, unsigned int a,
				  unsigned int b, bool *same_numa)
{
	hwloc_obj_t pa = pu_obj(tp, a), pb = pu_obj(tp, b), anc, ka, kb;

	if (same_numa)
		*same_numa = hwloc_bitmap_isequal(pa->nodeset, pb->nodeset);
	if (a == b)
		return GB_REL_SELF;
	anc = hwloc_get_common_ancestor_obj(tp->t, pa, pb);
	if (anc->type == HWLOC_OBJ_CORE)
		return GB_REL_SMT;
	if (anc->type == HWLOC_OBJ_L1CACHE || anc->type == HWLOC_OBJ_L2CACHE)
		return GB_REL_L2;
	if (anc->type == HWLOC_OBJ_L3CACHE || anc->type == HWLOC_OBJ_L4CACHE ||
	    anc->type == HWLOC_OBJ_L5CACHE)
		return GB_REL_LLC;
	ka = hwloc_get_ancestor_obj_by_type(tp->t, HWLOC_OBJ_PACKAGE, pa);
	kb = hwloc_get_ancestor_obj_by_type(tp->t, HWLOC_OBJ_PACKAGE, pb);
	if (ka && ka == kb)
		return GB_REL_PACKAGE;
	return GB_REL_MACHINE;
}

const char *gb_relation_name(enum gb_relation rel)
{
	static const char *const names[] = {
		[GB_REL_SELF] = "self", [GB_REL_SMT] = "smt",
		[GB_REL_L2] = "l2", [GB_REL_LLC] = "llc",
		[GB_REL_PACKAGE] = "package", [GB_REL_MACHINE] = "machine",
	};

	return names[rel];
}

/* Is @cpu the first PU of its core?  Cores without a CORE object count. */
static bool first_pu_of_core(struct gb_topo *tp, hwloc_obj_t pu)
{
	hwloc_obj_t core;

	core = hwloc_get_ancestor_obj_by_type(tp->t, HWLOC_OBJ_CORE, pu);
	if (!core)
		return true;
	return hwloc_bitmap_first(core->cpuset) == (int)pu->os_index;
}

static bool placement_match(struct gb_topo *tp, const char *name,
			    unsigned int cpu, int pass)
{
	bool same_numa;
	enum gb_relation rel;

	rel = gb_topo_relation(tp, tp->subject_cpu, cpu, &same_numa);
	if (rel == GB_REL_SELF)
		return false;
	if (!strcmp(name, "spread")) {
		hwloc_obj_t pu = pu_obj(tp, cpu);
		bool first = first_pu_of_core(tp, pu) && rel != GB_REL_SMT;

		/* pass 0: one PU per other core; pass 1: the siblings */
		return pass == 0 ? first : !first;
	}
	if (pass)
		return false;
	if (!strcmp(name, "smt"))
		return rel == GB_REL_SMT;
	if (!strcmp(name, "l2"))
		return rel == GB_REL_L2;
	if (!strcmp(name, "llc"))
		return rel == GB_REL_LLC;
	if (!strcmp(name, "cross-llc"))
		return rel == GB_REL_PACKAGE && tp->nr_l3 > 0;
	if (!strcmp(name, "cross-numa"))
		return !same_numa;
	return false;
}

static void why_missing(struct gb_topo *tp, const char *name, char *why,
			size_t len)
{
	const char *what = "no such PU";

	if (!strcmp(name, "smt"))
		what = "no SMT sibling (SMT off or absent)";
	else if (!strcmp(name, "l2"))
		what = "no other core shares the subject's L2";
	else if (!strcmp(name, "llc"))
		what = "no other core shares the subject's L3 only";
	else if (!strcmp(name, "cross-llc"))
		what = tp->nr_l3 ? "only one last-level cache per package" :
				   "topology reports no L3";
	else if (!strcmp(name, "cross-numa"))
		what = "only one NUMA node";
	else if (!strcmp(name, "spread"))
		what = "only one PU available";
	snprintf(why, len, "placement %s: %s on this machine", name, what);
}

size_t gb_topo_placement_cpus(struct gb_topo *tp, const char *name,
			      unsigned int *cpus, size_t max, char *why,
			      size_t whylen)
{
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++) {
		hwloc_obj_t pu = NULL;

		while ((pu = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_PU,
							pu))) {
			if (n < max &&
			    placement_match(tp, name, pu->os_index, pass))
				cpus[n++] = pu->os_index;
		}
	}
	if (!n && why)
		why_missing(tp, name, why, whylen);
	return n;
}

int gb_topo_bind_self(struct gb_topo *tp, unsigned int cpu)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc(), where = hwloc_bitmap_alloc();
	int ret = 0;

	hwloc_bitmap_only(set, cpu);
	if (hwloc_set_cpubind(tp->t, set, HWLOC_CPUBIND_THREAD)) {
		ret = -errno;
		goto out;
	}
	/* The kernel migrates us on return; allow the scheduler a moment. */
	ret = -EIO;
	for (int i = 0; i < 1000; i++) {
		if (!hwloc_get_last_cpu_location(tp->t, where,
						 HWLOC_CPUBIND_THREAD) &&
		    hwloc_bitmap_isequal(where, set)) {
			ret = 0;
			break;
		}
		sched_yield();
	}
out:
	hwloc_bitmap_free(set);
	hwloc_bitmap_free(where);
	return ret;
}

int gb_topo_export_xml(struct gb_topo *tp, const char *path)
{
	return hwloc_topology_export_xml(tp->t, path, 0) ? -errno : 0;
}

void gb_topo_describe(struct gb_topo *tp, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%u package(s), %u core(s), %u PU(s), %u NUMA node(s), "
		 "%u L2, %u L3",
		 tp->nr_packages, tp->nr_cores, tp->nr_pus, tp->nr_numa,
		 tp->nr_l2, tp->nr_l3);
}
