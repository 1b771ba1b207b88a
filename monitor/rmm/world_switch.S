/* SPDX-License-Identifier: MIT */
/*
 * The world switch between the EL2 program (host and emulated RMM) and a
 * REC at EL1, in the manner of KVM's __guest_enter/__guest_exit:
 *
 *   enum realm_exception rmm_world_enter(struct rmm_cpu_regs *regs)
 *
 * saves the caller's callee-saved registers (x19..x30, d8..d15) and its
 * TPIDR_EL0 on its own stack, points VBAR_EL2 at the vectors below, loads
 * the REC's general, FP/SIMD and TPIDR_EL0 registers and ERETs. The next
 * exception from the realm comes back here with SP_EL2 where it was: the
 * REC's registers and the syndrome go into *regs, the caller's come back,
 * and the call returns the vector slot (sync, IRQ, FIQ, SError).
 *
 * Layout of struct rmm_cpu_regs (monitor/rmm/rmm.h).
 */
#include "arch/arm64/sysregs.h"

#define REGS_PC 0xf8
#define REGS_ESR 0x108
#define REGS_HPFAR 0x118
#define REGS_TPIDR 0x120
#define REGS_FP 0x130
#define REGS_FPSR 0x330

/* Caller frame: x19..x30 (96), d8..d15 (64), regs pointer and TPIDR_EL0. */
#define FRAME 176
#define FRAME_REGS 160

    .text
    .global rmm_world_enter
    .balign 8
rmm_world_enter:
    sub     sp, sp, #FRAME
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    stp     d8, d9, [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mrs     x1, tpidr_el0
    stp     x0, x1, [sp, #FRAME_REGS]

    adr_l   x1, rmm_realm_vectors
    msr     vbar_el2, x1
    isb

    add     x1, x0, #REGS_FP
    ldp     q0, q1, [x1, #0]
    ldp     q2, q3, [x1, #32]
    ldp     q4, q5, [x1, #64]
    ldp     q6, q7, [x1, #96]
    ldp     q8, q9, [x1, #128]
    ldp     q10, q11, [x1, #160]
    ldp     q12, q13, [x1, #192]
    ldp     q14, q15, [x1, #224]
    ldp     q16, q17, [x1, #256]
    ldp     q18, q19, [x1, #288]
    ldp     q20, q21, [x1, #320]
    ldp     q22, q23, [x1, #352]
    ldp     q24, q25, [x1, #384]
    ldp     q26, q27, [x1, #416]
    ldp     q28, q29, [x1, #448]
    ldp     q30, q31, [x1, #480]
    add     x2, x0, #REGS_FPSR
    ldp     x2, x3, [x2]
    msr     fpsr, x2
    msr     fpcr, x3
    ldr     x2, [x0, #REGS_TPIDR]
    msr     tpidr_el0, x2
    ldp     x2, x3, [x0, #REGS_PC]
    msr     elr_el2, x2
    msr     spsr_el2, x3

    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0, #0]
    eret
    dsb     nsh
    isb

/* Back from the realm with its x0..x30 live and x1 = the slot; its x0 and
 * x1 are on the stack. */
realm_exit:
    ldr     x0, [sp, #16 + FRAME_REGS]
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    stp     x18, x19, [x0, #144]
    stp     x20, x21, [x0, #160]
    stp     x22, x23, [x0, #176]
    stp     x24, x25, [x0, #192]
    stp     x26, x27, [x0, #208]
    stp     x28, x29, [x0, #224]
    str     x30, [x0, #240]
    mov     x19, x1                     /* the slot */
    ldp     x2, x3, [sp], #16           /* the realm's x0, x1 */
    stp     x2, x3, [x0, #0]

    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #REGS_PC]
    mrs     x2, esr_el2
    mrs     x3, far_el2
    stp     x2, x3, [x0, #REGS_ESR]
    mrs     x2, hpfar_el2
    mrs     x3, tpidr_el0
    stp     x2, x3, [x0, #REGS_HPFAR]

    add     x1, x0, #REGS_FP
    stp     q0, q1, [x1, #0]
    stp     q2, q3, [x1, #32]
    stp     q4, q5, [x1, #64]
    stp     q6, q7, [x1, #96]
    stp     q8, q9, [x1, #128]
    stp     q10, q11, [x1, #160]
    stp     q12, q13, [x1, #192]
    stp     q14, q15, [x1, #224]
    stp     q16, q17, [x1, #256]
    stp     q18, q19, [x1, #288]
    stp     q20, q21, [x1, #320]
    stp     q22, q23, [x1, #352]
    stp     q24, q25, [x1, #384]
    stp     q26, q27, [x1, #416]
    stp     q28, q29, [x1, #448]
    stp     q30, q31, [x1, #480]
    mrs     x2, fpsr
    mrs     x3, fpcr
    add     x1, x0, #REGS_FPSR
    stp     x2, x3, [x1]

    ldr     x2, [sp, #FRAME_REGS + 8]
    msr     tpidr_el0, x2
    adr_l   x2, vectors_el2
    msr     vbar_el2, x2
    isb
    mov     x0, x19
    ldp     d8, d9, [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #FRAME
    ret

/* An exception at EL2 itself while these vectors are installed would be a
 * bug in the lines above: hand it to the program's own vectors, which
 * report it. */
.macro to_el2_vectors off
    .balign 128
    b       vectors_el2 + \off
.endm

.macro from_realm slot
    .balign 128
    stp     x0, x1, [sp, #-16]!
    mov     x1, #\slot
    b       realm_exit
.endm

    .section .text.vectors, "ax"
    .balign 2048
rmm_realm_vectors:
    to_el2_vectors 0x000
    to_el2_vectors 0x080
    to_el2_vectors 0x100
    to_el2_vectors 0x180
    to_el2_vectors 0x200
    to_el2_vectors 0x280
    to_el2_vectors 0x300
    to_el2_vectors 0x380
    from_realm 0
    from_realm 1
    from_realm 2
    from_realm 3
    from_realm 0
    from_realm 1
    from_realm 2
    from_realm 3
