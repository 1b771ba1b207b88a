/* SPDX-License-Identifier: MIT */
/*
 * -bios flash stub: runs from 0x0 at the highest EL, copies the Image that
 * follows it in flash to RAM at RAM base + text_offset, and enters it with
 * x0 = the DTB QEMU placed at the RAM base.
 *
 * Why copy rather than execute in place: with virt,secure=on the flash is
 * secure-only, so code running from 0x0 could not go on after dropping to
 * Non-secure EL1; and the Image path stays the one tested everywhere.
 *
 * Every CPU starts here when nothing emulates PSCI (secure=on). Only the
 * boot CPU (affinity 0) copies; the others wait in a pen on the copied
 * Image's header word at offset 32 (res2), which the runtime sets to its
 * secondary entry when it starts them (RAM reads as zero until then, and
 * the copy writes zero there).
 */
#define SYS_EXIT_EXTENDED 0x20
#define MPIDR_AFF_MASK 0xff00ffffff
#define PEN_OFFSET 32

    .section .text, "ax"
    .global _start
_start:
    mrs     x1, mpidr_el1
    ldr     x2, =MPIDR_AFF_MASK
    tst     x1, x2
    b.ne    secondary_pen
    adr     x1, payload
    ldr     w2, [x1, #56]               /* "ARM\x64" magic */
    ldr     w3, =0x644d5241
    cmp     w2, w3
    b.ne    bad_payload
    ldr     x2, [x1, #8]                /* text_offset */
    ldr     x3, [x1, #16]               /* image_size */
    ldr     x0, =CCDMA_RAM_BASE
    add     x4, x0, x2                  /* destination */
    mov     x5, x4
1:  cbz     x3, 2f                      /* image_size is a multiple of 4 KiB */
    ldp     x6, x7, [x1], #16
    stp     x6, x7, [x5], #16
    sub     x3, x3, #16
    b       1b
2:  dsb     sy
    ic      iallu
    dsb     sy
    isb
    br      x4                          /* x0 = DTB at the RAM base */

secondary_pen:
    adr     x1, payload
    ldr     x2, [x1, #8]                /* text_offset, as the boot CPU reads it */
    ldr     x1, =CCDMA_RAM_BASE
    add     x1, x1, x2
4:  wfe
    ldr     x2, [x1, #PEN_OFFSET]
    cbz     x2, 4b
    br      x2

bad_payload:
    adr     x1, exit_block
    mov     x0, #SYS_EXIT_EXTENDED
    hlt     #0xf000
3:  wfi
    b       3b

    .balign 8
exit_block:
    .quad   0x20026, 2                  /* ADP_Stopped_ApplicationExit, code 2 */

    .ltorg                              /* literals before the payload */
    .balign 4096
payload:                                /* the Image is appended here */
