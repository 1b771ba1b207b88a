/* SPDX-License-Identifier: MIT */
/*
 * Accesses that are allowed to fault. Each faulting instruction is listed
 * in .ccdma_fixup with the address to resume at; the EL1 handler records
 * the fault (fault_last()) and resumes there, where we return -1.
 */
.macro fixup insn, resume
    .pushsection .ccdma_fixup, "a"
    .balign 8
    .quad   \insn, \resume
    .popsection
.endm

    .text
/* int probe_read64(uintptr_t addr, uint64_t *val) */
    .global probe_read64
probe_read64:
1:  ldr     x2, [x0]
    str     x2, [x1]
    mov     x0, #0
    ret
2:  mov     x0, #-1
    ret
    fixup 1b, 2b

/* int probe_read8(uintptr_t addr, uint8_t *val) */
    .global probe_read8
probe_read8:
1:  ldrb    w2, [x0]
    strb    w2, [x1]
    mov     x0, #0
    ret
2:  mov     x0, #-1
    ret
    fixup 1b, 2b

/* int probe_write64(uintptr_t addr, uint64_t val) */
    .global probe_write64
probe_write64:
1:  str     x1, [x0]
    mov     x0, #0
    ret
2:  mov     x0, #-1
    ret
    fixup 1b, 2b

/* int probe_brk(void): always faults. */
    .global probe_brk
probe_brk:
1:  brk     #0x77
    mov     x0, #0
    ret
2:  mov     x0, #-1
    ret
    fixup 1b, 2b

/* int probe_smc(uint64_t regs[8]) / probe_hvc: x0..x7 in and out. A
 * conduit that does not exist is UNDEFINED: we return -1 then. */
.macro conduit_probe name, insn
    .global \name
\name:
    stp     x29, x30, [sp, #-32]!
    str     x0, [sp, #16]
    mov     x8, x0
    ldp     x0, x1, [x8, #0]
    ldp     x2, x3, [x8, #16]
    ldp     x4, x5, [x8, #32]
    ldp     x6, x7, [x8, #48]
1:  \insn   #0
    ldr     x8, [sp, #16]
    stp     x0, x1, [x8, #0]
    stp     x2, x3, [x8, #16]
    stp     x4, x5, [x8, #32]
    stp     x6, x7, [x8, #48]
    mov     x0, #0
    ldp     x29, x30, [sp], #32
    ret
2:  mov     x0, #-1
    ldp     x29, x30, [sp], #32
    ret
    fixup 1b, 2b
.endm
    conduit_probe probe_smc, smc
    conduit_probe probe_hvc, hvc

/* int probe_semihost(uint64_t op, uint64_t param, uint64_t *ret) */
    .global probe_semihost
probe_semihost:
    mov     x3, x2
1:  hlt     #0xf000
    cbz     x3, 3f
    str     x0, [x3]
3:  mov     x0, #0
    ret
2:  mov     x0, #-1
    ret
    fixup 1b, 2b

/* int probe_udf(void): a permanently undefined instruction. */
    .global probe_udf
probe_udf:
1:  udf     #0x1234
    mov     x0, #0
    ret
2:  mov     x0, #-1
    ret
    fixup 1b, 2b

/* int probe_exec(uintptr_t target): call target, where an instruction
 * abort is expected. fixup_apply() resumes a fault whose ELR is the
 * target at the return path below. Returns 0 if the code there returned,
 * -1 if fetching it faulted. */
    .global probe_exec
probe_exec:
    stp     x29, x30, [sp, #-16]!
    adr     x1, 2f
    adrp    x2, probe_exec_resume
    str     x1, [x2, :lo12:probe_exec_resume]
    adrp    x2, probe_exec_target
    str     x0, [x2, :lo12:probe_exec_target]
    blr     x0
    mov     x0, #0
    b       3f
2:  mov     x0, #-1
3:  adrp    x2, probe_exec_target
    str     xzr, [x2, :lo12:probe_exec_target]
    ldp     x29, x30, [sp], #16
    ret
