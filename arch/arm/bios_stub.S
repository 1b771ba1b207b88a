/* SPDX-License-Identifier: MIT */
/*
 * -bios flash stub (AArch32): runs from 0x0 in the reset mode, copies the
 * image that follows it in flash to the load address its zImage-style
 * header names (arch/arm/head.S), and enters it as a Linux-style loader
 * would: r0 = 0, r1 = ~0 (no machine type: DT boot), r2 = the DTB QEMU
 * placed at the RAM base. The mode is left alone: head.S handles SVC, HYP
 * and Secure SVC.
 *
 * Why copy rather than execute in place: with virt,secure=on the flash is
 * secure-only, so code running from 0x0 could not go on after dropping to
 * Non-secure; and the RAM image is the one every other boot runs.
 *
 * Every CPU starts here when nothing emulates PSCI (secure=on). Only the
 * boot CPU (affinity 0) copies; the others wait in a pen on the copied
 * image's header word at offset 0x20, which the runtime sets to its
 * secondary entry when it starts them (arch/arm/smp.c). RAM reads as zero
 * until then, and the copy writes zero there. MMU and caches are off, so
 * each read goes to memory, where the boot CPU cleans the word.
 */
#define ZIMAGE_MAGIC 0x016f2818
#define SYS_EXIT_EXTENDED 0x20
#define PEN_OFFSET 0x20

    .syntax unified
    .arch armv7-a
    .arm

    .section .text, "ax"
    .global _start
_start:
    mrc     p15, 0, r4, c0, c0, 5       /* MPIDR: only the boot CPU copies */
    ldr     r5, =0x00ffffff
    tst     r4, r5
    bne     secondary_pen
    ldr     r4, =payload                /* linked at the flash base, where it runs */
    ldr     r5, [r4, #0x24]             /* magic */
    ldr     r6, =ZIMAGE_MAGIC
    cmp     r5, r6
    bne     bad_payload
    ldr     r5, [r4, #0x28]             /* load address */
    ldr     r6, [r4, #0x2c]             /* end of the loaded bytes */
    mov     r7, r5
1:  cmp     r7, r6                      /* the end is 16-byte aligned */
    ldmlo   r4!, {r0-r3}
    stmlo   r7!, {r0-r3}
    blo     1b
    dsb
    mov     r0, #0
    mcr     p15, 0, r0, c7, c5, 0       /* ICIALLU: the copy is code */
    dsb
    isb
    mvn     r1, #0
    ldr     r2, =CCDMA_RAM_BASE
    bx      r5

secondary_pen:
    ldr     r4, =payload
    ldr     r4, [r4, #0x28]             /* load address, as the boot CPU reads it */
3:  wfe
    ldr     r0, [r4, #PEN_OFFSET]
    cmp     r0, #0
    beq     3b
    bx      r0

bad_payload:
    adr     r1, exit_block
    mov     r0, #SYS_EXIT_EXTENDED
    svc     #0x123456
2:  wfi
    b       2b

    .balign 4
exit_block:
    .word   0x20026, 2                  /* ADP_Stopped_ApplicationExit, code 2 */

    .ltorg                              /* literals before the payload */
    .balign 4096
payload:                                /* the image is appended here */
