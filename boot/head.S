/* SPDX-License-Identifier: MIT */
/*
 * Entry point for every boot protocol.
 *
 *  - QEMU -kernel / kvmtool: the arm64 Image header below makes the loader
 *    treat us as Linux, so x0 holds the DTB address.
 *  - ELF -kernel, -bios stub, FVP: x0 may be 0; the DTB is then looked for
 *    at the base of RAM (boot_find_dtb).
 *
 * The image runs where it was loaded: it relocates itself first
 * (relocate_image), so any 2 MiB-aligned base + text_offset will do.
 *
 * We may enter at EL3, EL2 or EL1. Each EL we pass through gets its own
 * vectors and stack before anything can fault. EL3 and EL2 then drop to
 * EL1.
 * Everything here runs with the MMU off, so only aligned accesses.
 */
#include "arch/arm64/asm_boot.h"

    .section .text.head, "ax"
    .global _head
_head:
    b       primary_entry               /* code0 */
    .long   0                           /* code1 */
    .quad   CCDMA_TEXT_OFFSET           /* text_offset: load base - RAM base */
    .quad   __image_size                /* image_size (non-zero: QEMU honours text_offset) */
    .quad   0xa                         /* flags: little endian, 4 KiB pages, anywhere in RAM */
    .quad   0, 0, 0                     /* res2..res4 */
    .ascii  "ARM\x64"                   /* magic */
    .long   0                           /* res5 (no PE header) */

    .section .text.boot, "ax"
primary_entry:
    mov     x19, x0                     /* DTB pointer from the loader, or 0 */
    relocate_image
    mrs     x20, CurrentEL
    ubfx    x20, x20, #2, #2            /* entry EL, kept for the boot line */

    cmp     x20, #3
    b.eq    el3_entry
    cmp     x20, #2
    b.eq    el2_entry
    b       el1_entry

/* ---- EL3: own vectors and stack, then drop to EL2 if it exists, else EL1. */
el3_entry:
    ldr     x0, =SCTLR_EL3_RES1
    msr     sctlr_el3, x0               /* MMU and caches off, little endian */
    isb
    adr_l   x0, vectors_el3
    msr     vbar_el3, x0
    adr_l   x0, __stack_el3_top
    mov     sp, x0
    msr     cptr_el3, xzr               /* no FP/SIMD traps to EL3 */
#ifdef CCDMA_CNTFRQ_HZ
    /* Only EL3 may set the counter frequency; without TF-A nobody else does. */
    mrs     x0, cntfrq_el0
    cbnz    x0, 2f
    ldr     x0, =CCDMA_CNTFRQ_HZ
    msr     cntfrq_el0, x0
2:
#endif
    mrs     x1, id_aa64pfr0_el1
    ubfx    x1, x1, #8, #4              /* EL2 implemented? */
    ldr     x0, =(SCR_NS | SCR_RW | SCR_RES1)
    cbz     x1, 1f
    orr     x0, x0, #SCR_HCE
    msr     scr_el3, x0
    mov     x0, #(SPSR_MASK_ALL | SPSR_EL2H)
    msr     spsr_el3, x0
    adr_l   x0, el2_entry
    msr     elr_el3, x0
    isb
    eret
1:  msr     scr_el3, x0
    /* No EL2: configure what EL2 would have for EL1, then enter EL1. */
    mov     x0, #(SPSR_MASK_ALL | SPSR_EL1H)
    msr     spsr_el3, x0
    adr_l   x0, el1_entry
    msr     elr_el3, x0
    isb
    eret

/* ---- EL2: own vectors and stack; hand EL1 a sane, untrapped machine. */
el2_entry:
    ldr     x0, =SCTLR_EL2_RES1
    msr     sctlr_el2, x0
    isb
    adr_l   x0, vectors_el2
    msr     vbar_el2, x0
    adr_l   x0, __stack_el2_top
    mov     sp, x0
    ldr     x0, =HCR_RW                 /* EL1 is AArch64; nothing trapped */
    msr     hcr_el2, x0
    ldr     x0, =CPTR_EL2_RES1
    msr     cptr_el2, x0                /* no FP/SIMD traps */
    mov     x0, #3
    msr     cnthctl_el2, x0             /* EL1 may use the physical counter and timer */
    msr     cntvoff_el2, xzr
    msr     vttbr_el2, xzr
    mrs     x0, midr_el1
    msr     vpidr_el2, x0
    mrs     x0, mpidr_el1
    msr     vmpidr_el2, x0
    mov     x0, #(SPSR_MASK_ALL | SPSR_EL1H)
    msr     spsr_el2, x0
    adr_l   x0, el1_entry
    msr     elr_el2, x0
    isb
    eret

/* ---- EL1: the runtime proper. */
el1_entry:
    ldr     x0, =SCTLR_EL1_RES1
    msr     sctlr_el1, x0
    isb
    adr_l   x0, vectors_el1
    msr     vbar_el1, x0
    adr_l   x0, __stack_el1_top
    mov     sp, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0               /* FP/SIMD on: picolibc may use it */
    isb

    zero_bss_discard_lines
    /* A first stack-protector guard from the counter; boot_main mixes in
     * the DTB's rng-seed later from a frame that never returns. */
    mrs     x0, cntpct_el0
    mrs     x1, midr_el1
    eor     x0, x0, x1, ror #17
    ldr     x1, =0x9e3779b97f4a7c15
    mul     x0, x0, x1
    adr_l   x1, __stack_chk_guard
    str     x0, [x1]

    mov     x0, x19
    mov     x1, x20
    bl      boot_main                   /* never returns */
    b       .
