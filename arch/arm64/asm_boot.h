/* SPDX-License-Identifier: MIT */
/*
 * Assembler steps every AArch64 entry path here takes before any C runs,
 * with the MMU off (aligned stores only).
 */
#ifndef CCDMA_ARM64_ASM_BOOT_H
#define CCDMA_ARM64_ASM_BOOT_H

#ifndef __ASSEMBLER__
#error "assembler only"
#endif

#include "arch/arm64/sysregs.h"

/*
 * Zero [__bss_start, __bss_end) (16-byte aligned by the linker script),
 * then discard every cache line over [__bss_start, __image_end): those
 * zeros went to memory with the MMU off, and a loader that ran with caches
 * on may have left lines behind for .bss, the stacks or the page tables.
 * Clobbers x0..x4.
 */
.macro zero_bss_discard_lines
    adr_l   x0, __bss_start
    adr_l   x1, __bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:  adr_l   x0, __bss_start
    adr_l   x1, __image_end
    mrs     x2, ctr_el0
    ubfx    x2, x2, #16, #4             /* DminLine: log2(words per line) */
    mov     x3, #4
    lsl     x3, x3, x2                  /* line size in bytes */
    sub     x4, x3, #1
    bic     x0, x0, x4
3:  dc      ivac, x0
    add     x0, x0, x3
    cmp     x0, x1
    b.lo    3b
    dsb     sy
.endm

#endif /* CCDMA_ARM64_ASM_BOOT_H */
