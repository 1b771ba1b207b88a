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
 *
 * Secondary CPUs (boot/cpus.c) come in at secondary_entry with x0 = their
 * index: from PSCI CPU_ON, or released from a pen (the -bios stub's, or
 * the one below for CPUs that enter here together with the boot CPU). They
 * take the same EL steps on stacks of their own, x21 holding the index,
 * and skip what the boot CPU already did for the image.
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
    .global smp_pen_release
smp_pen_release:                        /* res2: a pen's release address (boot/cpus.c) */
    .quad   0
    .quad   0, 0                        /* res3, res4 */
    .ascii  "ARM\x64"                   /* magic */
    .long   0                           /* res5 (no PE header) */

    .section .text.boot, "ax"
primary_entry:
    /* Without a DTB from a loader, every CPU may have come here at reset:
     * all but the boot CPU wait in the pen. */
    cbnz    x0, 1f
    mrs     x1, mpidr_el1
    ldr     x2, =MPIDR_AFF_MASK
    tst     x1, x2
    b.ne    image_pen
1:  mov     x19, x0                     /* DTB pointer from the loader, or 0 */
    mov     x21, #0                     /* CPU index: the boot CPU */
    relocate_image
enter_els:
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
    sub     x0, x0, x21, lsl #STACK_EL3_SHIFT
    mov     sp, x0
    msr     cptr_el3, xzr               /* no FP/SIMD traps to EL3 */
    /* A GICv3 CPU interface in system registers: let the lower ELs use it
     * (ICC_SRE_EL3.{Enable, SRE}). */
    mrs     x0, id_aa64pfr0_el1
    ubfx    x0, x0, #24, #4
    cbz     x0, 3f
    mrs     x0, S3_6_C12_C12_5
    mov     x1, #0x9
    orr     x0, x0, x1
    msr     S3_6_C12_C12_5, x0
    isb
3:
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
    sub     x0, x0, x21, lsl #STACK_EL2_SHIFT
    mov     sp, x0
    ldr     x0, =HCR_RW                 /* EL1 is AArch64; nothing trapped */
    msr     hcr_el2, x0
    ldr     x0, =CPTR_EL2_RES1
    msr     cptr_el2, x0                /* no FP/SIMD traps */
    mrs     x0, id_aa64pfr0_el1         /* GICv3 system registers for EL1 */
    ubfx    x0, x0, #24, #4
    cbz     x0, 3f
    mrs     x0, S3_4_C12_C9_5           /* ICC_SRE_EL2.{Enable, SRE} */
    mov     x1, #0x9
    orr     x0, x0, x1
    msr     S3_4_C12_C9_5, x0
    isb
3:
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
    cbz     x21, 1f
    adr_l   x0, __stack_cpus_top        /* secondary i: the (i-1)th from the top */
    sub     x1, x21, #1
    sub     x0, x0, x1, lsl #STACK_CPU_SHIFT
1:  mov     sp, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0               /* FP/SIMD on: picolibc may use it */
    isb
    cbz     x21, 2f
    mov     x0, x21
    bl      boot_secondary_main         /* never returns */
    b       .
2:
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

/* ---- Secondary CPUs ------------------------------------------------------------ */

/* PSCI CPU_ON lands here, x0 = the index boot/cpus.c gave as context. */
    .global secondary_entry
secondary_entry:
    mov     x21, x0
    mov     x19, #0
    b       enter_els

/* Released from a pen: find our index by MPIDR in the table the boot CPU
 * wrote (to memory, for a CPU whose caches are off); park if absent. */
    .global secondary_pen_entry
secondary_pen_entry:
    mrs     x1, mpidr_el1
    ldr     x2, =MPIDR_AFF_MASK
    and     x1, x1, x2
    adr_l   x3, smp_pen_mpidr
    mov     x0, #1
1:  cmp     x0, #CCDMA_MAX_CPUS
    b.hs    park
    ldr     x4, [x3, x0, lsl #3]
    cmp     x4, x1
    b.eq    secondary_entry
    add     x0, x0, #1
    b       1b

/* A CPU that entered with the boot CPU waits for its release. */
image_pen:
    adr_l   x1, smp_pen_release
2:  wfe
    ldr     x2, [x1]
    cbz     x2, 2b
    br      x2

park:
    wfe
    b       park
