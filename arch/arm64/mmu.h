/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 translation for the EL1 runtime: an identity map (VA == canonical
 * physical address) whose output may carry the realm's shared bit, so that
 * a shared page keeps its CPU address and is reached through the
 * unprotected alias. 4 KiB granule, 39-bit VA, 1 GiB and 2 MiB blocks split
 * on demand (the table code is boot/pgtable.c, shared with AArch32).
 */
#ifndef CCDMA_ARM64_MMU_H
#define CCDMA_ARM64_MMU_H

#include "boot/pgtable.h" /* the MMU interface, enum mmu_attr, MAIR_* */

#define MMU_VA_BITS 39

#endif /* CCDMA_ARM64_MMU_H */
