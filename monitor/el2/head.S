/* SPDX-License-Identifier: MIT */
/*
 * Entry of the EL2 program (the host, with the emulated RMM in
 * ccdma-realm.elf). Two loaders start it:
 *   - QEMU's -kernel with an ELF, at EL2 with virtualization=on, x0 = 0;
 *   - TF-A's BL2/BL31 as BL33, at NS-EL2, x0 = the boot CPU's MPIDR.
 * Either way the DTB is found by monitor/el2/main.c. Until the MMU is on
 * every access is Device memory: aligned stores only.
 */
#include "arch/arm64/asm_boot.h"

    .section .text.head, "ax"
    .global _head
_head:
    mov     x19, x0
    mrs     x20, CurrentEL
    ubfx    x20, x20, #2, #2
    adr_l   x0, __stack_top
    mov     sp, x0

    zero_bss_discard_lines

    cmp     x20, #2
    b.ne    not_el2
    ldr     x0, =SCTLR_EL2_RES1
    msr     sctlr_el2, x0               /* MMU and caches off, little endian */
    isb
    adr_l   x0, vectors_el2
    msr     vbar_el2, x0
    ldr     x0, =CPTR_EL2_RES1
    msr     cptr_el2, x0                /* FP/SIMD untrapped (UNKNOWN at reset) */
    ldr     x0, =HCR_RW
    msr     hcr_el2, x0
    isb
    mov     x0, x19
    mov     x1, x20
    bl      monitor_main                /* never returns */
1:  wfi
    b       1b

/* Entered at EL1 (no virtualization=on) or EL3: the program needs EL2.
 * monitor_wrong_el says so through semihosting and stops. */
not_el2:
    mov     x0, x20
    bl      monitor_wrong_el            /* never returns */
1:  wfi
    b       1b
