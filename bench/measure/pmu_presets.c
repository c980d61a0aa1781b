// SPDX-License-Identifier: GPL-2.0
/*
 * The PMU preset tables: data only.  Every spelling is libpfm4 4.13's
 * and tests/unit/test_pmu.c encodes each one with LIBPFM_FORCE_PMU set
 * to every PMU of its row, so a typo fails a test, not a run on a
 * machine we do not have.
 *
 * `coherence` counts what cache-line transfers between cores cost: loads
 * that hit a line modified in another core (HITM) and RFOs, locked
 * loads, memory-ordering machine clears.  It is per thread, over every
 * address the thread touched: the experiment's design, not the counter,
 * ties a count to one cache line.  `basic` is cycles and instructions
 * plus `sw`; `sw` is software events only, which need no PMU.
 */
#include <stddef.h>

#include "measure/pmu.h"
#include "base/util.h"

const char *const gb_pmu_presets[] = { "coherence", "basic", "sw", NULL };

const char *const gb_pmu_sw_events[] = {
	"perf::PERF_COUNT_SW_PAGE_FAULTS",
	"perf::CONTEXT-SWITCHES",
	"perf::CPU-MIGRATIONS",
	NULL
};

/*
 * Intel cycles and instructions by their architectural names: the kernel
 * puts 0x3c and 0xc0 on fixed counters, leaving the general ones, four
 * per thread with SMT on, to the coherence events.
 */
const struct gb_pmu_table gb_pmu_tables[] = {
	{
		.name = "skx",
		.desc = "Intel Skylake-X / Cascade Lake-X",
		.pmus = { "skx", "clx" },
		/* 4.13 has no OCR (offcore response) spelling for these */
		.coherence = {
			"MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM",
			"MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM",
			"L2_RQSTS:RFO_MISS",
			"MEM_INST_RETIRED:LOCK_LOADS",
			"MACHINE_CLEARS:MEMORY_ORDERING",
		},
		.basic = { "UNHALTED_CORE_CYCLES", "INSTRUCTION_RETIRED" },
	},
	{
		.name = "icx",
		.desc = "Intel Ice Lake-X",
		.pmus = { "icx" },
		.coherence = {
			"MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM",
			"MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM",
			"OCR:DEMAND_RFO_L3_HIT_SNOOP_HITM",
			"L2_RQSTS:RFO_MISS",
			"MEM_INST_RETIRED:LOCK_LOADS",
			"MACHINE_CLEARS:MEMORY_ORDERING",
		},
		.basic = { "UNHALTED_CORE_CYCLES", "INSTRUCTION_RETIRED" },
	},
	{
		/* 4.13 detects SPR by model 143 only: EMR falls to generic */
		.name = "spr",
		.desc = "Intel Sapphire Rapids",
		.pmus = { "spr" },
		/* SPR names the HITM umask XSNP_FWD */
		.coherence = {
			"MEM_LOAD_L3_HIT_RETIRED:XSNP_FWD",
			"MEM_LOAD_L3_MISS_RETIRED:REMOTE_HITM",
			"OCR:DEMAND_RFO_L3_HIT_SNOOP_HITM",
			"L2_RQSTS:RFO_MISS",
			"MEM_INST_RETIRED:LOCK_LOADS",
			"MACHINE_CLEARS:MEMORY_ORDERING",
		},
		.basic = { "UNHALTED_CORE_CYCLES", "INSTRUCTION_RETIRED" },
	},
	{
		/* AMD has no HITM split: fills from another core's cache */
		.name = "amd64_fam17h_zen2",
		.desc = "AMD Zen 2",
		.pmus = { "amd64_fam17h_zen2" },
		.coherence = {
			"DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE",
			"DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_RMT_CACHE",
			"REQUESTS_TO_L2_GROUP1:CHANGE_TO_X",
		},
		.basic = { "CYCLES_NOT_IN_HALT", "RETIRED_INSTRUCTIONS" },
	},
	{
		.name = "amd64_fam19h_zen3",
		.desc = "AMD Zen 3",
		.pmus = { "amd64_fam19h_zen3" },
		.coherence = {
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LCL_L2",
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE",
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL",
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_RMT",
			"REQUESTS_TO_L2_GROUP1:CHANGE_TO_X",
		},
		.basic = { "CYCLES_NOT_IN_HALT", "RETIRED_INSTRUCTIONS" },
	},
	{
		/* Zen 4 renamed the umasks: same bits as Zen 3's */
		.name = "amd64_fam19h_zen4",
		.desc = "AMD Zen 4",
		.pmus = { "amd64_fam19h_zen4" },
		.coherence = {
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LCL_L2",
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX",
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:NEAR_CACHE_NEAR_FAR",
			"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:FAR_CACHE_NEAR_FAR",
			"REQUESTS_TO_L2_GROUP1:CHANGE_TO_X",
		},
		.basic = { "CYCLES_NOT_IN_HALT", "RETIRED_INSTRUCTIONS" },
	},
	{
		/* No HITM on Arm: refills from outside the core, invals */
		.name = "arm_neoverse",
		.desc = "Arm Neoverse N1 / V1 / V2",
		.pmus = { "arm_n1", "arm_v1", "arm_v2" },
		.arm = true,
		.coherence = {
			"L1D_CACHE_REFILL",
			"L1D_CACHE_REFILL_OUTER",
			"L1D_CACHE_INVAL",
			"L2D_CACHE_REFILL",
			"BUS_ACCESS",
			"REMOTE_ACCESS",
			"LL_CACHE_MISS_RD",
		},
		.basic = { "CPU_CYCLES", "INST_RETIRED" },
	},
};

const size_t gb_pmu_nr_tables = ARRAY_SIZE(gb_pmu_tables);

/*
 * No table for this CPU.  There is no portable coherence event: the
 * kernel's generic cache events are the nearest thing and say so.
 */
const struct gb_pmu_table gb_pmu_generic = {
	.name = "generic",
	.desc = "no table for this CPU: perf generic events",
	.coherence = {
		"perf::L1-DCACHE-LOAD-MISSES",
		"perf::LLC-LOAD-MISSES",
	},
	.basic = { "perf::CYCLES", "perf::INSTRUCTIONS" },
};
