/* SPDX-License-Identifier: MIT */
/*
 * ccdma_smccc_call(): the SMCCC conduit the installed RSI client calls
 * (<ccdma/arm64/smccc.h>). SMCCC 1.2: x0..x17 in, x0..x17 out of `smc #0`.
 * Where nothing answers an SMC the instruction traps as UNDEFINED; the
 * vector in start.S resumes after it with x0 = SMCCC_NOT_SUPPORTED, so
 * the results stored below then say "no RMM" (rsi_detect: plain mode).
 */
    .text
    .global ccdma_smccc_call
ccdma_smccc_call:
    str     x0, [sp, #-16]!             /* keep the block pointer across the call */
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
    .global example_smc_insn
example_smc_insn:
    smc     #0
    ldr     x18, [sp], #16
    stp     x0, x1, [x18, #0]
    stp     x2, x3, [x18, #16]
    stp     x4, x5, [x18, #32]
    stp     x6, x7, [x18, #48]
    stp     x8, x9, [x18, #64]
    stp     x10, x11, [x18, #80]
    stp     x12, x13, [x18, #96]
    stp     x14, x15, [x18, #112]
    stp     x16, x17, [x18, #128]
    ret
