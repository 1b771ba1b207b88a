/* SPDX-License-Identifier: MIT */
/*
 * The firmware's SMCCC conduit: x0..x17 in and out of `smc #0` (SMCCC 1.2).
 * Where no EL2/EL3 exists the SMC is UNDEFINED; the fixup table turns that
 * into SMCCC_NOT_SUPPORTED (-1) in x[0], so RSI detection never traps.
 */
#include "arch/arm64/smccc.h"

.macro fixup insn, resume
    .pushsection .ccdma_fixup, "a"
    .balign 8
    .quad   \insn, \resume
    .popsection
.endm

    .text
/* void smccc_smc_raw(struct smccc_regs *r) */
    .global smccc_smc_raw
smccc_smc_raw:
    stp     x29, x30, [sp, #-32]!
    mov     x29, sp
    str     x0, [sp, #16]
    mov     x18, x0
    ldp     x0, x1, [x18, #0]
    ldp     x2, x3, [x18, #16]
    ldp     x4, x5, [x18, #32]
    ldp     x6, x7, [x18, #48]
    ldp     x8, x9, [x18, #64]
    ldp     x10, x11, [x18, #80]
    ldp     x12, x13, [x18, #96]
    ldp     x14, x15, [x18, #112]
    ldp     x16, x17, [x18, #128]
1:  smc     #0
    ldr     x18, [sp, #16]
    stp     x0, x1, [x18, #0]
    stp     x2, x3, [x18, #16]
    stp     x4, x5, [x18, #32]
    stp     x6, x7, [x18, #48]
    stp     x8, x9, [x18, #64]
    stp     x10, x11, [x18, #80]
    stp     x12, x13, [x18, #96]
    stp     x14, x15, [x18, #112]
    stp     x16, x17, [x18, #128]
    ldp     x29, x30, [sp], #32
    ret
2:  ldr     x18, [sp, #16]
    mov     x0, #-1                     /* SMCCC_NOT_SUPPORTED */
    str     x0, [x18]
    ldp     x29, x30, [sp], #32
    ret
    fixup 1b, 2b
