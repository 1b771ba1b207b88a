/* SPDX-License-Identifier: MIT */
/*
 * The monitor's CPU state switches that C cannot express: the realm's
 * FP/SIMD registers around a trap (picolibc's string and stdio code uses
 * SIMD even though ours is -mgeneral-regs-only), and the first entry into
 * the realm.
 */
#include "arch/arm64/sysregs.h"

    .text
/* q0..q31 as 16 pairs at x0, then FPSR and FPCR past them. */
.macro fpsimd_pairs op
    \op     q0, q1, [x0, #32 * 0]
    \op     q2, q3, [x0, #32 * 1]
    \op     q4, q5, [x0, #32 * 2]
    \op     q6, q7, [x0, #32 * 3]
    \op     q8, q9, [x0, #32 * 4]
    \op     q10, q11, [x0, #32 * 5]
    \op     q12, q13, [x0, #32 * 6]
    \op     q14, q15, [x0, #32 * 7]
    \op     q16, q17, [x0, #32 * 8]
    \op     q18, q19, [x0, #32 * 9]
    \op     q20, q21, [x0, #32 * 10]
    \op     q22, q23, [x0, #32 * 11]
    \op     q24, q25, [x0, #32 * 12]
    \op     q26, q27, [x0, #32 * 13]
    \op     q28, q29, [x0, #32 * 14]
    \op     q30, q31, [x0, #32 * 15]
    add     x0, x0, #32 * 16            /* past the stp/ldp offset range */
.endm

/* void fpsimd_save(struct fpsimd_state *s) */
    .global fpsimd_save
    .balign 8
fpsimd_save:
    fpsimd_pairs stp
    mrs     x1, fpsr
    mrs     x2, fpcr
    stp     x1, x2, [x0]
    ret

/* void fpsimd_restore(const struct fpsimd_state *s) */
    .global fpsimd_restore
    .balign 8
fpsimd_restore:
    fpsimd_pairs ldp
    ldp     x1, x2, [x0]
    msr     fpsr, x1
    msr     fpcr, x2
    ret

/*
 * noreturn void monitor_enter_realm(uint64_t entry, uint64_t arg)
 * EL1h with DAIF masked, x0 = arg (the DTB), and nothing of the monitor's
 * left in the general registers or the EL1/EL0 stack pointers.
 */
    .global monitor_enter_realm
    .balign 8
monitor_enter_realm:
    msr     elr_el2, x0
    mov     x0, #(SPSR_MASK_ALL | SPSR_EL1H)
    msr     spsr_el2, x0
    msr     sp_el1, xzr
    msr     sp_el0, xzr
    msr     tpidr_el0, xzr              /* the monitor's TLS pointer stays private */
    mov     x0, x1
    mov     x1, xzr
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    mov     x6, xzr
    mov     x7, xzr
    mov     x8, xzr
    mov     x9, xzr
    mov     x10, xzr
    mov     x11, xzr
    mov     x12, xzr
    mov     x13, xzr
    mov     x14, xzr
    mov     x15, xzr
    mov     x16, xzr
    mov     x17, xzr
    mov     x18, xzr
    mov     x19, xzr
    mov     x20, xzr
    mov     x21, xzr
    mov     x22, xzr
    mov     x23, xzr
    mov     x24, xzr
    mov     x25, xzr
    mov     x26, xzr
    mov     x27, xzr
    mov     x28, xzr
    mov     x29, xzr
    mov     x30, xzr
    isb
    eret
