/* SPDX-License-Identifier: MIT */
/*
 * The runtime's exception vectors for EL1, and for EL2 and EL3 while the
 * boot path passes through them (arch/arm64/exception_handlers.c handles
 * each).
 */
#include "arch/arm64/exc_vectors.h"

/*
 * exc_fp_call_el1(frame, slot): exc_handler_el1(frame, slot) with q0-q31,
 * FPSR and FPCR kept across it. The runtime's own code uses none of them
 * (-mgeneral-regs-only), but the C library's optimised string routines do
 * (picolibc's release memset keeps its pattern in q0, and zeroes with DC
 * ZVA), and a handler may call them, or take a fault that interrupted one
 * (tests/boot/selftest_string_exceptions.c).
 */
#define FP_FRAME_SIZE (32 + 32 * 16) /* FPSR, FPCR, x30, pad, then q0-q31 */

    .text
exc_fp_call_el1:
    sub     sp, sp, #FP_FRAME_SIZE
    mrs     x2, fpsr
    mrs     x3, fpcr
    stp     x2, x3, [sp]
    str     x30, [sp, #16]
    stp     q0, q1, [sp, #32 + 32 * 0]
    stp     q2, q3, [sp, #32 + 32 * 1]
    stp     q4, q5, [sp, #32 + 32 * 2]
    stp     q6, q7, [sp, #32 + 32 * 3]
    stp     q8, q9, [sp, #32 + 32 * 4]
    stp     q10, q11, [sp, #32 + 32 * 5]
    stp     q12, q13, [sp, #32 + 32 * 6]
    stp     q14, q15, [sp, #32 + 32 * 7]
    stp     q16, q17, [sp, #32 + 32 * 8]
    stp     q18, q19, [sp, #32 + 32 * 9]
    stp     q20, q21, [sp, #32 + 32 * 10]
    stp     q22, q23, [sp, #32 + 32 * 11]
    stp     q24, q25, [sp, #32 + 32 * 12]
    stp     q26, q27, [sp, #32 + 32 * 13]
    stp     q28, q29, [sp, #32 + 32 * 14]
    stp     q30, q31, [sp, #32 + 32 * 15]
    bl      exc_handler_el1
    ldp     q0, q1, [sp, #32 + 32 * 0]
    ldp     q2, q3, [sp, #32 + 32 * 1]
    ldp     q4, q5, [sp, #32 + 32 * 2]
    ldp     q6, q7, [sp, #32 + 32 * 3]
    ldp     q8, q9, [sp, #32 + 32 * 4]
    ldp     q10, q11, [sp, #32 + 32 * 5]
    ldp     q12, q13, [sp, #32 + 32 * 6]
    ldp     q14, q15, [sp, #32 + 32 * 7]
    ldp     q16, q17, [sp, #32 + 32 * 8]
    ldp     q18, q19, [sp, #32 + 32 * 9]
    ldp     q20, q21, [sp, #32 + 32 * 10]
    ldp     q22, q23, [sp, #32 + 32 * 11]
    ldp     q24, q25, [sp, #32 + 32 * 12]
    ldp     q26, q27, [sp, #32 + 32 * 13]
    ldp     q28, q29, [sp, #32 + 32 * 14]
    ldp     q30, q31, [sp, #32 + 32 * 15]
    ldp     x2, x3, [sp]
    msr     fpsr, x2
    msr     fpcr, x3
    ldr     x30, [sp, #16]
    add     sp, sp, #FP_FRAME_SIZE
    ret

vtable 1, exc_fp_call_el1
vtable 2, exc_handler_el2
vtable 3, exc_handler_el3
