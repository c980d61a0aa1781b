// SPDX-License-Identifier: GPL-2.0
/*
 * PMU events by name through libpfm4: the preset table for this CPU,
 * kernel+user or user-only counting, and presets and event strings
 * encoded into perf_event_attr (gb_pmu_resolve, in the main thread,
 * once).  The workers then only make system calls (pmu_thread.c), so
 * no libpfm4 call ever races.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "measure/pmu.h"
#include "base/util.h"

#include <perfmon/pfmlib_perf_event.h>

#define CAP_SYS_ADMIN_BIT	21
#define CAP_PERFMON_BIT		38

static bool pfm_ready;

int gb_pmu_init(char *err, size_t errlen)
{
	int r;

	if (pfm_ready)
		return 0;
	r = pfm_initialize();
	if (r != PFM_SUCCESS) {
		snprintf(err, errlen, "libpfm4: pfm_initialize: %s",
			 pfm_strerror(r));
		return -1;
	}
	pfm_ready = true;
	return 0;
}

void gb_pmu_exit(void)
{
	if (pfm_ready)
		pfm_terminate();
	pfm_ready = false;
}

/* ---- scope: kernel+user or user-only ------------------------------- */

bool gb_pmu_decide_user_only(int paranoid, bool privileged, bool force_user,
			     char *why, size_t whylen)
{
	if (force_user) {
		snprintf(why, whylen, "user-only counting: asked for");
		return true;
	}
	if (privileged) {
		snprintf(why, whylen, "kernel+user counting: %s held",
			 "CAP_PERFMON or CAP_SYS_ADMIN");
		return false;
	}
	if (paranoid <= 1) {
		snprintf(why, whylen, "kernel+user counting: %s=%d allows it",
			 "perf_event_paranoid", paranoid);
		return false;
	}
	snprintf(why, whylen,
		 "user-only counting: perf_event_paranoid=%d and no "
		 "CAP_PERFMON; kernel work (faults, madvise) is not counted: "
		 "run as root or sysctl kernel.perf_event_paranoid=1",
		 paranoid);
	return true;
}

/* A kernel without the file has no perf events: as strict as 2. */
static int read_paranoid(void)
{
	char buf[32];
	long v;

	if (gb_read_line("/proc/sys/kernel/perf_event_paranoid", buf,
			 sizeof(buf)) ||
	    gb_parse_long(buf, -1000, 1000, &v))
		return 2;
	return (int)v;
}

/* CAP_PERFMON (5.8+) or CAP_SYS_ADMIN in our effective set. */
static bool privileged(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return ((eff >> CAP_PERFMON_BIT) & 1) ||
	       ((eff >> CAP_SYS_ADMIN_BIT) & 1);
}

/* ---- which preset table -------------------------------------------- */

static bool pmu_info(int p, pfm_pmu_info_t *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return pfm_get_pmu_info((pfm_pmu_t)p, info) == PFM_SUCCESS;
}

static const struct gb_pmu_table *table_for_pmu(const char *pmu)
{
	for (size_t i = 0; i < gb_pmu_nr_tables; i++)
		for (size_t k = 0; k < ARRAY_SIZE(gb_pmu_tables[i].pmus); k++)
			if (gb_pmu_tables[i].pmus[k] &&
			    !strcmp(gb_pmu_tables[i].pmus[k], pmu))
				return &gb_pmu_tables[i];
	return NULL;
}

/*
 * libpfm4 detects the CPU from CPUID or /proc/cpuinfo, not from the
 * kernel: in a VM without a virtual PMU it still names a core PMU whose
 * events then fail to open.  Say so up front.
 */
static bool kernel_has_core_pmu(void)
{
	DIR *d = opendir("/sys/bus/event_source/devices");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = !strcmp(de->d_name, "cpu") ||
			!strncmp(de->d_name, "cpu_", 4) ||
			!strncmp(de->d_name, "armv8", 5) ||
			!strncmp(de->d_name, "armv9", 5);
	closedir(d);
	return found;
}

const struct gb_pmu_table *gb_pmu_detect(char *why, size_t whylen)
{
	const char *hint = kernel_has_core_pmu() ? "" :
		"; the kernel exposes no core PMU (VM?): hardware events "
		"will not open";
	const char *other = NULL;
	pfm_pmu_info_t info;

	for (int p = PFM_PMU_NONE; p < PFM_PMU_MAX; p++) {
		const struct gb_pmu_table *t;

		if (!pmu_info(p, &info) || !info.is_present ||
		    info.type != PFM_PMU_TYPE_CORE)
			continue;
		t = table_for_pmu(info.name);
		if (t) {
			snprintf(why, whylen,
				 "table %s: libpfm4 detects %s (%s)%s",
				 t->name, info.name, info.desc, hint);
			return t;
		}
		if (!other)
			other = info.name;
	}
	snprintf(why, whylen,
		 "no table for this CPU (libpfm4 core PMU: %s): %s%s",
		 other ? other : "none", "generic fallback", hint);
	return &gb_pmu_generic;
}

/* ---- names --------------------------------------------------------- */

/* Levenshtein, case-folded: for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[GB_PMU_NAME_LEN + 1];

	if (lb > GB_PMU_NAME_LEN)
		return lb;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (tolower((unsigned char)a[i - 1]) !=
					     tolower((unsigned char)b[j - 1]));

			row[j] = sub;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

static const char *nearest_preset(const char *s, size_t *dist)
{
	const char *best = gb_pmu_presets[0];

	*dist = (size_t)-1;
	for (size_t i = 0; gb_pmu_presets[i]; i++) {
		size_t d = edit_distance(s, gb_pmu_presets[i]);

		if (d < *dist) {
			*dist = d;
			best = gb_pmu_presets[i];
		}
	}
	return best;
}

static bool pmu_has_event(int p, const char *ev)
{
	pfm_pmu_info_t pinfo;
	pfm_event_info_t einfo;

	if (!pmu_info(p, &pinfo))
		return false;
	for (int i = pinfo.first_event; i != -1; i = pfm_get_event_next(i)) {
		memset(&einfo, 0, sizeof(einfo));
		einfo.size = sizeof(einfo);
		if (pfm_get_event_info(i, PFM_OS_NONE, &einfo) == PFM_SUCCESS &&
		    !strcasecmp(einfo.name, ev))
			return true;
	}
	return false;
}

/*
 * Is the event of "[pmu::]EVENT[:umask...]" one of any PMU built into
 * libpfm4, present or not?  Then it is a real name for another CPU, not
 * a typo.  @where gets the first PMU that has it.
 */
static bool known_anywhere(const char *s, char *where, size_t wlen)
{
	const char *sep = strstr(s, "::");
	const char *ev = sep ? sep + 2 : s;
	size_t plen = sep ? (size_t)(sep - s) : 0;
	char name[GB_PMU_NAME_LEN];
	pfm_pmu_info_t info;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(ev, ":"), ev);
	for (int p = PFM_PMU_NONE; p < PFM_PMU_MAX; p++) {
		if (!pmu_info(p, &info))
			continue;
		if (sep && (strlen(info.name) != plen ||
			    strncasecmp(info.name, s, plen)))
			continue;
		if (pmu_has_event(p, name)) {
			snprintf(where, wlen, "%s", info.name);
			return true;
		}
	}
	return false;
}

static void usage_error(const char *s, int r, char *err, size_t errlen)
{
	size_t dist;
	const char *near = nearest_preset(s, &dist);

	if (dist <= 3 && dist < strlen(s))
		snprintf(err, errlen,
			 "unknown event or preset '%s' (libpfm4: %s): did you "
			 "mean '%s'? (presets: coherence, basic, sw)",
			 s, pfm_strerror(r), near);
	else
		snprintf(err, errlen,
			 "unknown event or preset '%s' (libpfm4: %s): give a "
			 "preset (coherence, basic, sw) or a libpfm4 event "
			 "name (showevtinfo lists them)", s, pfm_strerror(r));
}

/* ---- resolve ------------------------------------------------------- */

static int encode(struct gb_pmu_event *e, bool user_only)
{
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int r;

	memset(&arg, 0, sizeof(arg));
	arg.attr = &e->attr;
	arg.fstr = &fstr;
	arg.size = sizeof(arg);
	r = pfm_get_os_event_encoding(e->name, user_only ? PFM_PLM3 :
				      PFM_PLM0 | PFM_PLM3,
				      PFM_OS_PERF_EVENT_EXT, &arg);
	if (r == PFM_SUCCESS && fstr)
		snprintf(e->canon, sizeof(e->canon), "%s", fstr);
	free(fstr);
	return r;
}

/* The same counter twice ("basic,sw") is counted once. */
static bool is_duplicate(const struct gb_pmu_set *set,
			 const struct gb_pmu_event *e)
{
	for (size_t i = 0; i < set->nr; i++) {
		const struct gb_pmu_event *o = &set->ev[i];

		if (!e->resolved || !o->resolved)
			continue;
		if (o->attr.type == e->attr.type &&
		    o->attr.config == e->attr.config &&
		    o->attr.config1 == e->attr.config1 &&
		    o->attr.config2 == e->attr.config2)
			return true;
	}
	for (size_t i = 0; i < set->nr; i++)
		if (!e->resolved && !strcasecmp(set->ev[i].name, e->name))
			return true;
	return false;
}

/*
 * Why @e did not encode.  false: libpfm4 knows no event of that name on
 * any PMU, which for a typed name is a typo.
 */
static bool explain_unresolved(struct gb_pmu_event *e, int r)
{
	char where[64];

	if (r != PFM_ERR_NOTFOUND) {
		snprintf(e->why, sizeof(e->why), "libpfm4: %s",
			 pfm_strerror(r));
		return true;
	}
	if (!known_anywhere(e->name, where, sizeof(where))) {
		snprintf(e->why, sizeof(e->why),
			 "libpfm4: %s (in no PMU libpfm4 loaded)",
			 pfm_strerror(r));
		return false;
	}
	snprintf(e->why, sizeof(e->why),
		 "libpfm4: %s (an event of PMU %s, not of this CPU)",
		 pfm_strerror(r), where);
	return true;
}

static int add_event(struct gb_pmu_set *set, const char *name,
		     const char *preset, char *err, size_t errlen)
{
	struct gb_pmu_event *e = &set->ev[set->nr];
	int r;

	if (set->nr == GB_PMU_MAX_EVENTS) {
		snprintf(err, errlen, "more than %d PMU events: ask for fewer",
			 GB_PMU_MAX_EVENTS);
		return -1;
	}
	if (strlen(name) >= sizeof(e->name)) {
		snprintf(err, errlen, "PMU event name too long: '%.40s...'",
			 name);
		return -1;
	}
	memset(e, 0, sizeof(*e));
	strcpy(e->name, name);
	e->preset = preset;
	r = encode(e, set->user_only);
	e->resolved = r == PFM_SUCCESS;
	/*
	 * Only a typed name can be a typo: a preset's names are checked
	 * by test_pmu against libpfm4 for every CPU they are for.
	 */
	if (!e->resolved && !explain_unresolved(e, r) && !preset) {
		usage_error(name, r, err, errlen);
		return -1;
	}
	if (is_duplicate(set, e))
		return 0;
	e->software = e->resolved && e->attr.type == PERF_TYPE_SOFTWARE;
	if (set->user_only) {	/* PLM3 alone says so; make sure */
		e->attr.exclude_kernel = 1;
		e->attr.exclude_hv = 1;
	}
	set->nr++;
	return 0;
}

static int add_list(struct gb_pmu_set *set, const char *const *names,
		    size_t room, const char *preset, char *err, size_t errlen)
{
	for (size_t i = 0; i < room && names[i]; i++)
		if (add_event(set, names[i], preset, err, errlen))
			return -1;
	return 0;
}

static int add_token(struct gb_pmu_set *set, const char *tok, char *err,
		     size_t errlen)
{
	const struct gb_pmu_table *t = set->table;
	size_t len = strlen(set->table_why);

	if (!strcasecmp(tok, "sw"))
		return add_list(set, gb_pmu_sw_events, SIZE_MAX, "sw", err,
				errlen);
	if (!strcasecmp(tok, "basic"))
		return add_list(set, t->basic, ARRAY_SIZE(t->basic), "basic",
				err, errlen) ?:
		       add_list(set, gb_pmu_sw_events, SIZE_MAX, "basic", err,
				errlen);
	if (strcasecmp(tok, "coherence"))
		return add_event(set, tok, NULL, err, errlen);
	if (t == &gb_pmu_generic && !strstr(set->table_why, "; coherence"))
		snprintf(set->table_why + len, sizeof(set->table_why) - len,
			 "; coherence = generic cache misses, not HITM");
	return add_list(set, t->coherence, ARRAY_SIZE(t->coherence),
			"coherence", err, errlen);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int add_all(struct gb_pmu_set *set, const char *list, char *err,
		   size_t errlen)
{
	char *copy = gb_strdup(list), *rest = copy, *tok;
	int r = 0;

	/* strsep, not strtok: ",," is an empty name, a typo to report */
	while (!r && (tok = strsep(&rest, ","))) {
		tok = trim(tok);
		if (*tok) {
			r = add_token(set, tok, err, errlen);
			continue;
		}
		snprintf(err, errlen, "empty name in PMU event list '%s'",
			 list);
		r = -1;
	}
	free(copy);
	return r;
}

int gb_pmu_resolve(struct gb_pmu_set *set, const char *list,
		   unsigned int flags, char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	if (gb_pmu_init(err, errlen))
		return -1;
	set->table = gb_pmu_detect(set->table_why, sizeof(set->table_why));
	set->user_only = gb_pmu_decide_user_only(read_paranoid(),
						 privileged(),
						 flags & GB_PMU_USER_ONLY,
						 set->scope_why,
						 sizeof(set->scope_why));
	return add_all(set, list, err, errlen);
}
