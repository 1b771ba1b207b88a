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

#define MPIDR_AFF_MASK 0xff00ffffff
/* Per-CPU stacks (linker/ccdma-virt.ld): CCDMA_MAX_CPUS 4 KiB slices of the
 * EL3 and EL2 stacks, and a 16 KiB EL1 stack for each secondary. */
#define CCDMA_MAX_CPUS 8
#define STACK_EL3_SHIFT 12
#define STACK_EL2_SHIFT 12
#define STACK_CPU_SHIFT 14

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

/*
 * The image is linked position-independent at __link_base and may run
 * elsewhere: add delta = (where _head runs) - __link_base to every place
 * an R_AARCH64_RELATIVE entry of .rela.dyn names, and write the addend +
 * delta there (the only kind the build lets through; R_AARCH64_NONE is
 * skipped). The stores go to memory with the MMU off, so each place's
 * cache line is discarded as for .bss. Runs before anything reads a
 * pointer from the image's data. Clobbers x0..x10.
 */
#define R_AARCH64_RELATIVE 1027
.macro relocate_image
    adr_l   x0, _head
    ldr     x1, =__link_base            /* absolute: no relocation of its own */
    subs    x2, x0, x1
    b.eq    3f
    mrs     x8, ctr_el0
    ubfx    x8, x8, #16, #4
    mov     x9, #4
    lsl     x9, x9, x8                  /* D-cache line size */
    sub     x9, x9, #1
    adr_l   x3, __rela_start
    adr_l   x4, __rela_end
1:  cmp     x3, x4
    b.hs    2f
    ldp     x5, x6, [x3], #16           /* r_offset, r_info */
    ldr     x7, [x3], #8                /* r_addend */
    cmp     w6, #R_AARCH64_RELATIVE
    b.ne    1b
    add     x7, x7, x2
    add     x5, x5, x2
    str     x7, [x5]
    bic     x10, x5, x9
    dc      ivac, x10
    b       1b
2:  dsb     sy
3:
.endm

#endif /* CCDMA_ARM64_ASM_BOOT_H */
