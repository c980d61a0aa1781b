// SPDX-License-Identifier: GPL-2.0
/*
 * Settings that skew numbers (governor, THP, mitigations, ...), the CPU
 * model and counts, read from /sys and /proc (sysinfo.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure/sysinfo.h"
#include "base/util.h"

static int read_rel(const char *root, const char *path, char *buf, size_t len)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", root, path);
	return gb_read_line(full, buf, len);
}

/* "always [madvise] never" -> "madvise" */
static void bracketed(const char *in, char *out, size_t len)
{
	const char *a = strchr(in, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b)
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(out, len, "%s", in);
}

static void read_governor(const char *root, struct gb_setting *s)
{
	char path[128], gov[64], first[64] = "";
	bool mixed = false;
	int n = 0;

	for (int cpu = 0; cpu < 4096; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor",
			 cpu);
		if (read_rel(root, path, gov, sizeof(gov)))
			continue;
		if (!n++)
			snprintf(first, sizeof(first), "%s", gov);
		else if (strcmp(first, gov))
			mixed = true;
	}
	if (!n) {
		snprintf(s->value, sizeof(s->value), "n/a");
		snprintf(s->hint, sizeof(s->hint),
			 "no cpufreq: a VM or fixed clock; nothing to set");
		return;
	}
	snprintf(s->value, sizeof(s->value), "%s", mixed ? "mixed" : first);
	if (!mixed && !strcmp(first, "performance"))
		snprintf(s->hint, sizeof(s->hint), "ok: fixed high frequency");
	else
		snprintf(s->hint, sizeof(s->hint),
			 "frequency scaling skews timings: "
			 "cpupower frequency-set -g performance");
}

static void read_turbo(const char *root, struct gb_setting *s)
{
	char v[32];

	if (!read_rel(root, "/sys/devices/system/cpu/intel_pstate/no_turbo",
		      v, sizeof(v))) {
		snprintf(s->value, sizeof(s->value), "%s",
			 atoi(v) ? "off" : "on");
	} else if (!read_rel(root, "/sys/devices/system/cpu/cpufreq/boost",
			     v, sizeof(v))) {
		snprintf(s->value, sizeof(s->value), "%s",
			 atoi(v) ? "on" : "off");
	} else {
		snprintf(s->value, sizeof(s->value), "n/a");
		snprintf(s->hint, sizeof(s->hint),
			 "no boost control exposed (VM or no driver support)");
		return;
	}
	if (!strcmp(s->value, "on"))
		snprintf(s->hint, sizeof(s->hint),
			 "boost varies with load and heat: echo 1 > "
			 "/sys/devices/system/cpu/intel_pstate/no_turbo "
			 "(or 0 > .../cpufreq/boost)");
	else
		snprintf(s->hint, sizeof(s->hint), "ok: boost off");
}

static void read_smt(const char *root, struct gb_setting *s)
{
	char ctl[32] = "", act[32] = "";

	if (read_rel(root, "/sys/devices/system/cpu/smt/control", ctl,
		     sizeof(ctl))) {
		snprintf(s->value, sizeof(s->value), "n/a");
		snprintf(s->hint, sizeof(s->hint),
			 "kernel exposes no SMT control");
		return;
	}
	read_rel(root, "/sys/devices/system/cpu/smt/active", act, sizeof(act));
	snprintf(s->value, sizeof(s->value), "%s%s", ctl,
		 !strcmp(act, "1") ? " (active)" : "");
	snprintf(s->hint, sizeof(s->hint), "%s",
		 !strcmp(act, "1") ?
		 "siblings share a core: --placement smt measures that; "
		 "spread avoids it until cores run out" :
		 "no SMT siblings: placement smt is skipped");
}

static void read_thp(const char *root, struct gb_setting *s)
{
	char v[128];

	if (read_rel(root, "/sys/kernel/mm/transparent_hugepage/enabled", v,
		     sizeof(v))) {
		snprintf(s->value, sizeof(s->value), "n/a");
		snprintf(s->hint, sizeof(s->hint), "no THP in this kernel");
		return;
	}
	bracketed(v, s->value, sizeof(s->value));
	snprintf(s->hint, sizeof(s->hint),
		 "scenarios mark their mappings MADV_NOHUGEPAGE, so faults "
		 "are 4 KiB whatever this says");
}

static void read_aslr(const char *root, struct gb_setting *s)
{
	char v[16];

	if (read_rel(root, "/proc/sys/kernel/randomize_va_space", v,
		     sizeof(v))) {
		snprintf(s->value, sizeof(s->value), "n/a");
		snprintf(s->hint, sizeof(s->hint), "cannot read ASLR setting");
		return;
	}
	snprintf(s->value, sizeof(s->value), "%s", v);
	snprintf(s->hint, sizeof(s->hint), "%s",
		 !strcmp(v, "0") ? "ok: off system-wide" :
		 "layout changes page-table placement: guard-bench run "
		 "disables it for itself (--aslr keep to not)");
}

static void read_mitigations(const char *root, struct gb_setting *s)
{
	char dir[256], path[512], v[256];
	int mitigated = 0, vulnerable = 0, total = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sys/devices/system/cpu/vulnerabilities",
		 root);
	d = opendir(dir);
	if (!d) {
		snprintf(s->value, sizeof(s->value), "n/a");
		snprintf(s->hint, sizeof(s->hint),
			 "kernel exposes no vulnerabilities directory");
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (gb_read_line(path, v, sizeof(v)))
			continue;
		total++;
		if (!strncmp(v, "Mitigation", 10))
			mitigated++;
		else if (!strncmp(v, "Vulnerable", 10))
			vulnerable++;
	}
	closedir(d);
	snprintf(s->value, sizeof(s->value),
		 "%d mitigated, %d vulnerable, %d other of %d", mitigated,
		 vulnerable, total - mitigated - vulnerable, total);
	snprintf(s->hint, sizeof(s->hint),
		 "mitigations change syscall entry cost: compare only runs "
		 "with the same line here");
}

void gb_mitigations_detail(const char *root, char *buf, size_t len)
{
	char dir[256], path[512], v[256];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	snprintf(buf, len, "n/a");
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/cpu/vulnerabilities",
		 root);
	d = opendir(dir);
	if (!d)
		return;
	buf[0] = '\0';
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (gb_read_line(path, v, sizeof(v)) ||
		    !strcmp(v, "Not affected"))
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used,
						 "%s%s: %s", used ? "; " : "",
						 de->d_name, v);
	}
	closedir(d);
	if (!buf[0])
		snprintf(buf, len, "none: not affected by any");
}

void gb_settings_read(const char *root, struct gb_setting set[GB_NR_SETTINGS])
{
	static const char *const keys[GB_NR_SETTINGS] = {
		[GB_SET_GOVERNOR] = "governor", [GB_SET_TURBO] = "turbo",
		[GB_SET_SMT] = "smt", [GB_SET_THP] = "thp",
		[GB_SET_ASLR] = "aslr_system",
		[GB_SET_MITIGATIONS] = "mitigations",
	};

	for (int i = 0; i < GB_NR_SETTINGS; i++) {
		set[i].key = keys[i];
		set[i].value[0] = set[i].hint[0] = '\0';
	}
	read_governor(root, &set[GB_SET_GOVERNOR]);
	read_turbo(root, &set[GB_SET_TURBO]);
	read_smt(root, &set[GB_SET_SMT]);
	read_thp(root, &set[GB_SET_THP]);
	read_aslr(root, &set[GB_SET_ASLR]);
	read_mitigations(root, &set[GB_SET_MITIGATIONS]);
}

void gb_cpu_model(char *buf, size_t len)
{
	static const char *const keys[] = { "model name", "Model", "CPU part" };
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (strncmp(line, keys[k], strlen(keys[k])) || !colon)
				continue;
			colon++;
			colon += strspn(colon, " \t");
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon);
			fclose(f);
			return;
		}
	}
	fclose(f);
}

long gb_nr_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

long gb_cache_line_size(void)
{
	char buf[32];
	long v = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);

	if (v > 0)
		return v;
	if (!gb_read_line("/sys/devices/system/cpu/cpu0/cache/index0/"
			  "coherency_line_size", buf, sizeof(buf)))
		return atol(buf);
	return -1;
}
