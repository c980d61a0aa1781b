// SPDX-License-Identifier: GPL-2.0
/* detect: what this kernel and machine offer, and what skews numbers. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/config.h"
#include "measure/clock.h"
#include "cmd/commands.h"
#include "measure/kernel.h"
#include "files/leftovers.h"
#include "measure/speedref.h"
#include "measure/sysinfo.h"
#include "measure/topo.h"
#include "measure/stackguard.h"
#include "base/util.h"
#include "measure/virt.h"

static void print_placements(struct gb_topo *tp)
{
	unsigned int cpus[GB_MAX_CPUS];

	printf("placements (contender CPUs for a subject on CPU %u):\n",
	       tp->subject_cpu);
	for (size_t i = 0; i < gb_nr_placements; i++) {
		char why[192];
		size_t n = gb_topo_placement_cpus(tp, gb_placements[i].name,
						  cpus, GB_MAX_CPUS, why, sizeof(why));

		if (!n) {
			printf("  %-11s none: %s\n", gb_placements[i].name,
			       why);
			continue;
		}
		printf("  %-11s %zu CPU%s:", gb_placements[i].name, n,
		       n == 1 ? "" : "s");
		for (size_t k = 0; k < n && k < 16; k++)
			printf(" %u", cpus[k]);
		printf("%s\n", n > 16 ? " ..." : "");
	}
}

struct detect_args {
	bool help;
};

static const struct gb_opt detect_table[] = {
	GB_OPT_HELP(struct detect_args),
};

static const struct gb_optset detect_opts = {
	GB_OPTSET("detect", detect_table),
};

/* The kernel, the CPU, the hypervisor and the topology. */
static void print_machine(void)
{
	struct gb_topo tp;
	struct utsname u;
	char buf[256], how[192];
	const char *virt;

	uname(&u);
	printf("kernel:      %s (%s) %s\n", u.release, u.version, u.machine);
	gb_cpu_model(buf, sizeof(buf));
	printf("cpu:         %s, %ld CPUs online\n", buf, gb_nr_cpus());
	virt = gb_virt_detect(how, sizeof(how));
	printf("virt:        %s (%s)%s\n", virt, how,
	       strcmp(virt, "none") ? ": timings are not bare metal" : "");
	if (gb_topo_init(&tp, -1))
		gb_die(GB_EXIT_FAILURE, "hwloc cannot load the topology");
	gb_topo_describe(&tp, buf, sizeof(buf));
	printf("topology:    %s\n", buf);
	print_placements(&tp);
	gb_topo_fini(&tp);
}

/* What the kernel does with MADV_GUARD_INSTALL, probed. */
static void print_guard(void)
{
	struct gb_kernel_caps caps;
	char buf[256], tmpdir[4096];
	const char *td;

	/* named and locked like a run's: a kill -9 here leaves a known name */
	td = gb_own_tmpdir(tmpdir, sizeof(tmpdir));
	gb_kernel_probe(&caps, td ? td : "/tmp");
	printf("MADV_GUARD_INSTALL:\n");
	for (int b = 0; b < GB_NR_BACKINGS; b++)
		printf("  %-11s %s\n", gb_backing_names[b],
		       gb_kernel_support_str(&caps, b, buf, sizeof(buf)));
	if (td)
		rmdir(td);
	printf("maybe_guard_flag: %s (`gu` in VmFlags after an install: "
	       "VM_MAYBE_GUARD)\n", gb_kernel_flag_str(&caps));
	gb_kernel_path_str(&caps, buf, sizeof(buf));
	printf("guard_path:  %s\n", buf);
	if (caps.lock_ids.via)
		printf("tracefs:     not mounted: tracepoint ids read through "
		       "%s\n", caps.lock_ids.via);
	gb_stack_guard_describe(buf, sizeof(buf));
	printf("stack_guard: %s\n", buf);
	if (caps.supported[GB_BACKING_ANON] == 0)
		printf("  => guard-bench run needs MADV_GUARD_INSTALL: boot "
		       "Linux 6.13 or later\n");
}

/* The timer a run would use and the speed references, measured. */
static void print_clock(void)
{
	struct gb_speedref ref;
	struct gb_clock clk;

	if (!gb_clock_init(&clk, "auto"))
		printf("timer:       %s, %.4f ns/tick, %.1f ns per read%s%s\n",
		       gb_clock_name(&clk), clk.ns_per_tick, clk.overhead_ns,
		       clk.fallback_reason[0] ? "; fallback: " : "",
		       clk.fallback_reason);
	if (!gb_clock_init(&clk, "auto")) {
		gb_speedref_measure(&clk, &ref);
		printf("speed ref:   getppid %.1f ns (ref_syscall_ns), %.1f ns "
		       "per 1000 multiply-adds (ref_loop_ns)\n",
		       ref.syscall_ns, ref.loop_ns);
	}
}

static void print_settings(void)
{
	struct gb_setting set[GB_NR_SETTINGS];
	char mit[1024];

	gb_mitigations_detail("", mit, sizeof(mit));
	printf("syscall entry/exit set by: %s\n", mit);
	gb_settings_read("", set);
	printf("settings that skew numbers:\n");
	for (int i = 0; i < GB_NR_SETTINGS; i++)
		printf("  %-12s %-28s %s\n", set[i].key, set[i].value,
		       set[i].hint);
}

int gb_cmd_detect(int argc, char **argv)
{
	struct detect_args args;

	gb_opts_parse_or_die(&detect_opts, &args, argc, argv, NULL, NULL);
	if (args.help) {
		printf("usage: guard-bench detect [options]\n\nWhat this "
		       "kernel and machine offer, and what skews numbers.\n\n");
		gb_opts_usage(&detect_opts, stdout);
		return GB_EXIT_OK;
	}
	print_machine();
	print_guard();
	print_clock();
	print_settings();
	return GB_EXIT_OK;
}
