/* SPDX-License-Identifier: MIT */
/*
 * Assembler macros for an AArch64 exception vector table whose every slot
 * saves the same frame (struct exc_frame in arch/arm64/exception.h) and
 * calls a handler(frame, slot), which may edit ELR, SPSR and x[] before
 * the frame is restored. `vtable N, handler` emits the table vectors_el<N>
 * in .text.vectors.
 */
#ifndef CCDMA_ARM64_EXC_VECTORS_H
#define CCDMA_ARM64_EXC_VECTORS_H

#ifndef __ASSEMBLER__
#error "assembler only"
#endif

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

/* One 128-byte slot: save, call handler(frame, slot), restore. */
.macro vslot el, slot, handler
    .balign 128
    save_frame \el
    mov     x0, sp
    mov     x1, #\slot
    bl      \handler
    b       exc_return_el\el
.endm

/* The table of EL el; each slot calls handler(frame, slot). */
.macro vtable el, handler
    .section .text.vectors, "ax"
    .balign 2048
    .global vectors_el\el
vectors_el\el:
    vslot \el, 0, \handler
    vslot \el, 1, \handler
    vslot \el, 2, \handler
    vslot \el, 3, \handler
    vslot \el, 4, \handler
    vslot \el, 5, \handler
    vslot \el, 6, \handler
    vslot \el, 7, \handler
    vslot \el, 8, \handler
    vslot \el, 9, \handler
    vslot \el, 10, \handler
    vslot \el, 11, \handler
    vslot \el, 12, \handler
    vslot \el, 13, \handler
    vslot \el, 14, \handler
    vslot \el, 15, \handler
    .text
exc_return_el\el:
    restore_frame \el
.endm

#endif /* CCDMA_ARM64_EXC_VECTORS_H */
