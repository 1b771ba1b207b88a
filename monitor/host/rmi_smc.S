/* SPDX-License-Identifier: MIT */
/*
 * rmi_conduit() for a host running as TF-A's BL33: one SMC to EL3, whose
 * RMMD hands the call to TF-RMM at R-EL2. x0..x7 go in; x0..x4 come back,
 * and EL3 restores the other registers from the NS context it saved.
 *
 *   void rmi_conduit(struct rmi_regs *r)
 */
    .text
    .global rmi_conduit
    .balign 8
rmi_conduit:
    stp     x29, x30, [sp, #-16]!
    str     x0, [sp, #-16]!
    mov     x8, x0
    ldp     x0, x1, [x8, #0]
    ldp     x2, x3, [x8, #16]
    ldp     x4, x5, [x8, #32]
    ldp     x6, x7, [x8, #48]
    smc     #0
    ldr     x8, [sp], #16
    stp     x0, x1, [x8, #0]
    stp     x2, x3, [x8, #16]
    str     x4, [x8, #32]
    ldp     x29, x30, [sp], #16
    ret
