/* SPDX-License-Identifier: MIT */
/*
 * Exception vectors for EL1, EL2 and EL3. Every slot saves the same frame
 * (struct exc_frame in arch/arm64/exception.h) and calls the C handler of
 * its EL with the slot number; the handler may edit ELR/SPSR/x[] (fixups,
 * SMC results, the monitor's emulation) before the frame is restored.
 */
#include "arch/arm64/sysregs.h"

#define FRAME_SIZE 288 /* 31 regs + sp + elr + spsr + esr + far = 36 * 8 */

.macro save_frame el
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #16 * 0]
    stp     x2, x3, [sp, #16 * 1]
    stp     x4, x5, [sp, #16 * 2]
    stp     x6, x7, [sp, #16 * 3]
    stp     x8, x9, [sp, #16 * 4]
    stp     x10, x11, [sp, #16 * 5]
    stp     x12, x13, [sp, #16 * 6]
    stp     x14, x15, [sp, #16 * 7]
    stp     x16, x17, [sp, #16 * 8]
    stp     x18, x19, [sp, #16 * 9]
    stp     x20, x21, [sp, #16 * 10]
    stp     x22, x23, [sp, #16 * 11]
    stp     x24, x25, [sp, #16 * 12]
    stp     x26, x27, [sp, #16 * 13]
    stp     x28, x29, [sp, #16 * 14]
    add     x0, sp, #FRAME_SIZE
    stp     x30, x0, [sp, #16 * 15]
    mrs     x0, elr_el\el
    mrs     x1, spsr_el\el
    stp     x0, x1, [sp, #16 * 16]
    mrs     x0, esr_el\el
    mrs     x1, far_el\el
    stp     x0, x1, [sp, #16 * 17]
.endm

.macro restore_frame el
    ldp     x0, x1, [sp, #16 * 16]
    msr     elr_el\el, x0
    msr     spsr_el\el, x1
    ldp     x0, x1, [sp, #16 * 0]
    ldp     x2, x3, [sp, #16 * 1]
    ldp     x4, x5, [sp, #16 * 2]
    ldp     x6, x7, [sp, #16 * 3]
    ldp     x8, x9, [sp, #16 * 4]
    ldp     x10, x11, [sp, #16 * 5]
    ldp     x12, x13, [sp, #16 * 6]
    ldp     x14, x15, [sp, #16 * 7]
    ldp     x16, x17, [sp, #16 * 8]
    ldp     x18, x19, [sp, #16 * 9]
    ldp     x20, x21, [sp, #16 * 10]
    ldp     x22, x23, [sp, #16 * 11]
    ldp     x24, x25, [sp, #16 * 12]
    ldp     x26, x27, [sp, #16 * 13]
    ldp     x28, x29, [sp, #16 * 14]
    ldr     x30, [sp, #16 * 15]
    add     sp, sp, #FRAME_SIZE
    eret
.endm

/* One 128-byte slot: save, call handler(frame, slot), restore. EL1 goes
 * through exc_fp_call_el1, which keeps the FP/SIMD state too. */
.macro vslot el, slot
    .balign 128
    save_frame \el
    mov     x0, sp
    mov     x1, #\slot
    .if \el == 1
    bl      exc_fp_call_el1
    .else
    bl      exc_handler_el\el
    .endif
    b       exc_return_el\el
.endm

.macro vtable el
    .section .text.vectors, "ax"
    .balign 2048
    .global vectors_el\el
vectors_el\el:
    vslot \el, 0
    vslot \el, 1
    vslot \el, 2
    vslot \el, 3
    vslot \el, 4
    vslot \el, 5
    vslot \el, 6
    vslot \el, 7
    vslot \el, 8
    vslot \el, 9
    vslot \el, 10
    vslot \el, 11
    vslot \el, 12
    vslot \el, 13
    vslot \el, 14
    vslot \el, 15
    .text
exc_return_el\el:
    restore_frame \el
.endm

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

vtable 1
vtable 2
vtable 3
