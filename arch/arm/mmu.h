/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 translation for the AArch32 runtime (PL1, SVC mode) with LPAE:
 * TTBCR.EAE=1, long descriptors, an identity map of the 32-bit address space
 * (TTBR0 covers all 4 GiB, walks from level 1), 4 KiB pages and 2 MiB blocks
 * split on demand. The MMU interface (arch/pgtable.h) is the one AArch64
 * implements, so boot/main.c serves both; the tables are arch/pgtable.c's.
 */
#ifndef CCDMA_ARM_MMU_H
#define CCDMA_ARM_MMU_H

#include "arch/pgtable.h" /* the MMU interface, enum mmu_attr, MAIR_* */

#define MMU_VA_BITS 32

#endif /* CCDMA_ARM_MMU_H */
