/* SPDX-License-Identifier: MIT */
/*
 * AArch32 exception vectors: PL1 (VBAR, Secure and Non-secure), HYP (HVBAR)
 * and Monitor (MVBAR). Every taken vector saves the same frame (struct
 * exc_frame in arch/arm/exception.h) and calls the C handler, which may edit
 * the frame (fixups) before it is restored. PL1 exceptions run on their own
 * mode's stack (ABT, UND, IRQ, FIQ; SVC for SVC), so a broken SVC stack is
 * still reported. Monitor SMCs are answered here: r0 = -1.
 *
 * The image is built hard-float (docs/aarch32.md), so C code may use VFP
 * registers: the caller-saved ones (d0-d7, FPSCR) are kept across the call.
 */
#include "arch/arm/sysregs.h"

    .syntax unified
    .arch armv7-a
    .arch_extension sec
    .arch_extension virt
    .fpu vfpv3-d16
    .arm

/* struct exc_frame */
#define F_SP 52
#define F_LR 56
#define F_PC 60
#define F_CPSR 64
#define F_KIND 68
#define FRAME_SIZE 80

/* Exception kinds (enum exc_kind) */
#define EXC_UNDEF 1
#define EXC_SVC 2
#define EXC_PABT 3
#define EXC_DABT 4
#define EXC_IRQ 6
#define EXC_FIQ 7
#define EXC_HYP_UNDEF 9
#define EXC_HYP_HVC 10
#define EXC_HYP_PABT 11
#define EXC_HYP_DABT 12
#define EXC_HYP_TRAP 13
#define EXC_HYP_IRQ 14
#define EXC_HYP_FIQ 15
#define EXC_MON_PABT 19
#define EXC_MON_DABT 20
#define EXC_MON_IRQ 22
#define EXC_MON_FIQ 23

/* PL1 and Monitor entry: LR minus the architected offset (which depends on
 * the interrupted state) is the faulting instruction. */
.macro pl1_stub kind, arm_off, thumb_off
    sub     sp, sp, #FRAME_SIZE
    stmia   sp, {r0-r12}
    mrs     r0, spsr
    tst     r0, #PSR_T
    subeq   r1, lr, #\arm_off
    subne   r1, lr, #\thumb_off
    str     r1, [sp, #F_PC]
    str     r0, [sp, #F_CPSR]
    mov     r1, #\kind
    str     r1, [sp, #F_KIND]
    b       pl1_common
.endm

.macro hyp_stub kind
    sub     sp, sp, #FRAME_SIZE
    stmia   sp, {r0-r12}
    mov     r1, #\kind
    b       hyp_common
.endm

    .section .text.vectors, "ax"

    .balign 32
    .global vectors_pl1
vectors_pl1:
    b       .                       /* reset: never through VBAR */
    b       pl1_undef
    b       pl1_svc
    b       pl1_pabt
    b       pl1_dabt
    b       .                       /* not used */
    b       pl1_irq
    b       pl1_fiq

    .balign 32
    .global vectors_hyp
vectors_hyp:
    b       .                       /* reset: never through HVBAR */
    b       hyp_undef
    b       hyp_hvc
    b       hyp_pabt
    b       hyp_dabt
    b       hyp_trap
    b       hyp_irq
    b       hyp_fiq

    .balign 32
    .global vectors_mon
vectors_mon:
    b       .                       /* not used */
    b       .                       /* not used */
    b       mon_smc
    b       mon_pabt
    b       mon_dabt
    b       .                       /* not used */
    b       mon_irq
    b       mon_fiq

/* No secure firmware and no RMM here: every SMC is answered
 * SMCCC_NOT_SUPPORTED, as the AArch64 EL3 handler does. LR is already the
 * instruction after the SMC; SCR.NS is unchanged, so we return to the
 * caller's world. */
mon_smc:
    mvn     r0, #0
    movs    pc, lr

pl1_undef:  pl1_stub EXC_UNDEF, 4, 2
pl1_svc:    pl1_stub EXC_SVC, 4, 2
pl1_pabt:   pl1_stub EXC_PABT, 4, 4
pl1_dabt:   pl1_stub EXC_DABT, 8, 8
pl1_irq:    pl1_stub EXC_IRQ, 4, 4
pl1_fiq:    pl1_stub EXC_FIQ, 4, 4
mon_pabt:   pl1_stub EXC_MON_PABT, 4, 4
mon_dabt:   pl1_stub EXC_MON_DABT, 8, 8
mon_irq:    pl1_stub EXC_MON_IRQ, 4, 4
mon_fiq:    pl1_stub EXC_MON_FIQ, 4, 4

pl1_common:
    /* The interrupted mode's banked SP and LR: switch to that mode for two
     * instructions (IRQ and FIQ stay masked). USR is read through SYS, which
     * shares its registers and can switch back. */
    and     r0, r0, #MODE_MASK
    cmp     r0, #MODE_USR
    moveq   r0, #MODE_SYS
    mrs     r3, cpsr
    and     r2, r3, #MODE_MASK
    cmp     r0, r2
    cmpne   r0, #MODE_HYP           /* not enterable from PL1 */
    addeq   r4, sp, #FRAME_SIZE     /* same mode: SP before the frame, LR lost */
    moveq   r5, #0
    beq     1f
    bic     r2, r3, #MODE_MASK
    orr     r2, r2, r0
    msr     cpsr_c, r2
    mov     r4, sp
    mov     r5, lr
    msr     cpsr_c, r3
1:  add     r1, sp, #F_SP
    stmia   r1, {r4, r5}
    mov     r0, sp
    ldr     r1, =exc_handler_pl1
    bl      exc_call_c
    /* Resume where the handler says (a fixup), in the interrupted state. */
    ldr     r0, [sp, #F_CPSR]
    msr     spsr_cxsf, r0
    ldr     lr, [sp, #F_PC]
    ldmia   sp, {r0-r12}
    add     sp, sp, #FRAME_SIZE
    movs    pc, lr

hyp_undef:  hyp_stub EXC_HYP_UNDEF
hyp_hvc:    hyp_stub EXC_HYP_HVC
hyp_pabt:   hyp_stub EXC_HYP_PABT
hyp_dabt:   hyp_stub EXC_HYP_DABT
hyp_trap:   hyp_stub EXC_HYP_TRAP
hyp_irq:    hyp_stub EXC_HYP_IRQ
hyp_fiq:    hyp_stub EXC_HYP_FIQ

/* HYP only passes through on the way to SVC: anything reaching it later is
 * reported and ends the run, so there is no return path. ELR_hyp is the
 * preferred return address; a trap from SVC gets SVC's SP and LR. */
hyp_common:
    str     r1, [sp, #F_KIND]
    mrs     r0, elr_hyp
    str     r0, [sp, #F_PC]
    mrs     r0, spsr
    str     r0, [sp, #F_CPSR]
    and     r0, r0, #MODE_MASK
    cmp     r0, #MODE_SVC
    mrseq   r4, sp_svc
    mrseq   r5, lr_svc
    addne   r4, sp, #FRAME_SIZE
    movne   r5, #0
    add     r1, sp, #F_SP
    stmia   r1, {r4, r5}
    mov     r0, sp
    ldr     r1, =exc_handler_hyp
    bl      exc_call_c
    b       .                       /* exc_handler_hyp does not return */

/* exc_call_c(frame, handler): handler(frame) with the caller-saved VFP
 * state preserved and an 8-byte aligned stack (AAPCS). */
exc_call_c:
    push    {r4, r5, r6, lr}
    vmrs    r5, fpscr
    vpush   {d0-d7}
    mov     r4, sp
    bic     sp, sp, #7
    blx     r1
    mov     sp, r4
    vpop    {d0-d7}
    vmsr    fpscr, r5
    pop     {r4, r5, r6, pc}

    .ltorg
