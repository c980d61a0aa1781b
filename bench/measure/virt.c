// SPDX-License-Identifier: GPL-2.0
/* Virtual machine detection from CPUID and DMI, for meta.txt's `virt`. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "base/util.h"
#include "measure/virt.h"

static const struct {
	const char *signature;	/* CPUID 0x40000000 vendor, or DMI text */
	const char *virt;
} vendors[] = {
	{ "KVMKVMKVM", "kvm" },
	{ "TCGTCGTCGTCG", "qemu-tcg" },
	{ "Microsoft Hv", "hyperv" },
	{ "VMwareVMware", "vmware" },
	{ "XenVMMXenVMM", "xen" },
	{ "QEMU", "qemu-tcg" },	/* DMI: QEMU without KVM's CPUID leaf */
	{ "Amazon EC2", "kvm" },
	{ "Google", "kvm" },
	{ "Xen", "xen" },
	{ "VMware", "vmware" },
	{ "Microsoft Corporation", "hyperv" },
};

static const char *match_vendor(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(vendors); i++)
		if (strstr(text, vendors[i].signature))
			return vendors[i].virt;
	return NULL;
}

#if defined(__x86_64__)
/* CPUID.1:ECX[31] is set by every hypervisor worth the name. */
static bool cpuid_hypervisor(char *vendor, size_t len)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &c, 4);
	memcpy(vendor + 8, &d, 4);
	vendor[len > 12 ? 12 : len - 1] = '\0';
	return true;
}
#endif

/* Does the NUL-separated string list in @path hold @want? */
static bool dt_has(const char *path, const char *want)
{
	char buf[512];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		if (strstr(buf + i, want))
			return true;
	return false;
}

/*
 * arm64 booted with -kernel has no DMI: qemu's "virt" machine shows in
 * the device tree, and an emulated CPU has implementer 0 in MIDR_EL1,
 * which no real core uses.
 */
static const char *dt_virt(char *how, size_t len)
{
	char midr[32];

	if (!dt_has("/proc/device-tree/compatible", "linux,dummy-virt"))
		return NULL;
	if (!gb_read_line("/sys/devices/system/cpu/cpu0/regs/identification/"
			  "midr_el1", midr, sizeof(midr)) &&
	    (strtoul(midr, NULL, 16) >> 24) == 0) {
		snprintf(how, len, "device tree linux,dummy-virt, MIDR %s "
			 "(implementer 0: an emulated CPU)", midr);
		return "qemu-tcg";
	}
	snprintf(how, len, "device tree linux,dummy-virt (qemu), a real "
		 "CPU's MIDR");
	return "kvm";
}

const char *gb_virt_detect(char *how, size_t len)
{
	static const char *const files[] = {
		"/sys/class/dmi/id/sys_vendor",
		"/sys/class/dmi/id/product_name",
		"/sys/hypervisor/type",
		"/proc/device-tree/hypervisor/compatible",
	};
	const char *v;
	char buf[128];

#if defined(__x86_64__)
	char vendor[16];

	if (cpuid_hypervisor(vendor, sizeof(vendor))) {
		v = match_vendor(vendor);
		snprintf(how, len, "CPUID hypervisor bit, vendor '%s'", vendor);
		return v ? v : "other";
	}
#endif
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (gb_read_line(files[i], buf, sizeof(buf)))
			continue;
		v = match_vendor(buf);
		if (v || i >= 2) {
			snprintf(how, len, "%s: '%s'", files[i], buf);
			return v ? v : "other";
		}
	}
	v = dt_virt(how, len);
	if (v)
		return v;
	snprintf(how, len, "no hypervisor seen (CPUID, DMI, device tree)");
	return "none";
}
