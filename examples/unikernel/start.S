/* SPDX-License-Identifier: MIT */
/*
 * The example unikernel's own boot: entry, exception vectors and an identity
 * MMU map. Written small and separate from ccdma's firmware (boot/,
 * arch/arm64/): an embedder brings its own boot and links only the
 * installed library, so nothing here may come from the ccdma source tree.
 *
 * Why the MMU goes on before any C runs: with it off every access is to
 * Device memory, where an unaligned access faults, and picolibc's string
 * and stdio routines make unaligned accesses. The map is two 1 GiB blocks,
 * built at link time (no page-table code at all):
 *   0x0000_0000 - 0x3fff_ffff  Device-nGnRnE, never executable
 *                              (flash, GIC, PL011 0x0900_0000, virtio-mmio 0x0a00_0000)
 *   0x4000_0000 - 0x7fff_ffff  Normal write-back RAM, inner shareable
 * Identity (VA == PA) keeps ccdma_plat_virt_to_phys() trivial.
 */

/* MAIR_EL1: attr0 Device-nGnRnE, attr1 Normal WB read/write-allocate. */
#define MAIR_VALUE 0xff00
/* TCR_EL1: T0SZ=32 (4 GiB, the walk starts at level 1), walks WB cacheable
 * and inner shareable, 4 KiB granule, EPD1 (no TTBR1), IPS 32-bit. */
#define TCR_VALUE ((32 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
/* SCTLR_EL1: RES1 bits, then M (MMU), C (data cache), SA (SP alignment
 * check), I (instruction cache). A (alignment check) stays off. */
#define SCTLR_VALUE (0x30d00800 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 12))
/* Level-1 block descriptors: AF, AttrIndx, SH, and PXN|UXN for devices. */
#define BLOCK_DEVICE ((1 << 10) | (0 << 2) | 1 | (3 << 53))
#define BLOCK_RAM ((1 << 10) | (3 << 8) | (1 << 2) | 1)

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20

    .section .text.start, "ax"
    .global _start
_start:
    mrs     x19, CurrentEL
    ubfx    x19, x19, #2, #2
    cmp     x19, #1
    b.ne    wrong_el                    /* this example runs at EL1 only */

    adrp    x0, vectors
    add     x0, x0, :lo12:vectors
    msr     vbar_el1, x0
    adrp    x0, __stack_top
    add     x0, x0, :lo12:__stack_top
    mov     sp, x0
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0               /* FP/SIMD on: picolibc's code uses it */

    ldr     x0, =MAIR_VALUE
    msr     mair_el1, x0
    ldr     x0, =TCR_VALUE
    msr     tcr_el1, x0
    adrp    x0, l1_table
    add     x0, x0, :lo12:l1_table
    msr     ttbr0_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    ldr     x0, =SCTLR_VALUE
    msr     sctlr_el1, x0
    isb

    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:
    /* The stack-protector guard, before the first protected C frame. A
     * real unikernel would seed it from a proper entropy source. */
    mrs     x0, cntpct_el0
    ldr     x1, =0x9e3779b97f4a7c15
    mul     x0, x0, x1
    and     x0, x0, #~0xff              /* a zero byte stops string overflows */
    adrp    x1, __stack_chk_guard
    str     x0, [x1, :lo12:__stack_chk_guard]

    mov     x0, x19
    bl      example_main                /* never returns */
    b       .

/* Entered at EL2 or EL3: say so through semihosting (no MMU needed) and
 * exit with status 2. Booting with plain -M virt enters at EL1. */
wrong_el:
    mov     x0, #SYS_WRITE0
    adr     x1, wrong_el_msg
    hlt     #0xf000
    mov     x0, #SYS_EXIT_EXTENDED
    adr     x1, wrong_el_exit
    hlt     #0xf000
    b       .
    .balign 8
wrong_el_exit:
    .quad   0x20026, 2                  /* ADP_Stopped_ApplicationExit, status */
wrong_el_msg:
    .asciz  "example: entered above EL1; boot it with plain -M virt (EL1 entry)\n"

/*
 * Exception vectors. Every exception is fatal (reported by
 * example_exception() in C) except one: the `smc` in ccdma_smccc_call()
 * (smccc.S) where no EL2/EL3 implements SMC. The instruction is UNDEFINED
 * there (EC 0), and the SMCCC seam contract says such a call must return
 * SMCCC_NOT_SUPPORTED, not trap: the RSI client's plain-mode detection
 * relies on it.
 */
.macro vector kind
    .balign 128
    mov     x0, #\kind
    b       fatal_exception
.endm

    .text
    .balign 2048
vectors:
    vector  0                           /* current EL, SP0: sync */
    vector  1                           /*                  irq */
    vector  2                           /*                  fiq */
    vector  3                           /*                  serror */
    .balign 128
    b       sync_spx                    /* current EL, SPx: sync */
    vector  5
    vector  6
    vector  7
    vector  8                           /* lower EL, AArch64 */
    vector  9
    vector  10
    vector  11
    vector  12                          /* lower EL, AArch32 */
    vector  13
    vector  14
    vector  15

sync_spx:
    stp     x0, x1, [sp, #-16]!
    mrs     x0, esr_el1
    ubfx    x0, x0, #26, #6             /* EC */
    cbnz    x0, 1f
    mrs     x0, elr_el1
    adrp    x1, example_smc_insn
    add     x1, x1, :lo12:example_smc_insn
    cmp     x0, x1
    b.ne    1f
    add     x0, x0, #4                  /* resume after the smc ... */
    msr     elr_el1, x0
    ldp     x0, x1, [sp], #16
    mov     x0, #-1                     /* ... with SMCCC_NOT_SUPPORTED in x0 */
    eret
1:  add     sp, sp, #16
    mov     x0, #4
fatal_exception:
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    mrs     x3, far_el1
    bl      example_exception           /* never returns */
    b       .

    .section .rodata.l1_table, "a"
    .balign 4096
l1_table:
    .quad   0x00000000 + BLOCK_DEVICE
    .quad   0x40000000 + BLOCK_RAM
    .quad   0, 0                        /* 2-4 GiB: unmapped */
