/* SPDX-License-Identifier: GPL-2.0 */
/* Virtual machine detection, for meta.txt. */
#ifndef GB_VIRT_H
#define GB_VIRT_H

#include <stddef.h>

/*
 * Are we in a virtual machine?  Timings from one are not bare-metal
 * numbers, so every run says so.  Returns the `virt` word for meta.txt:
 * none, kvm, qemu-tcg, hyperv, vmware, xen, or other; @how says what
 * gave it away.
 */
const char *gb_virt_detect(char *how, size_t len);

#endif
