/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 translation for the EL1 runtime: an identity map (VA == canonical
 * physical address) whose output may carry the realm's shared bit, so that
 * a shared page keeps its CPU address and is reached through the
 * unprotected alias. 4 KiB granule, 39-bit VA, 1 GiB and 2 MiB blocks split
 * on demand (the table code is arch/pgtable.c, shared with AArch32).
 */
#ifndef CCDMA_ARM64_MMU_H
#define CCDMA_ARM64_MMU_H

#include "arch/pgtable.h" /* the MMU interface, enum mmu_attr, MAIR_* */

#define MMU_VA_BITS 39

/* Load a translation regime (MAIR, TCR, TTBR0) and turn the MMU and caches
 * on: the boot CPU's first activation, and each secondary with the boot
 * CPU's registers. */
void mmu_enable_regime(uint64_t mair, uint64_t tcr, uint64_t ttbr);

#endif /* CCDMA_ARM64_MMU_H */
