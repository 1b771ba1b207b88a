/* SPDX-License-Identifier: MIT */
/*
 * Accesses that are allowed to fault (A32 code, so the vector stubs' ARM
 * offsets name the faulting instruction). Each is listed in .ccdma_fixup
 * with the address to resume at; the PL1 handler records the fault
 * (fault_last()) and resumes there, where we return -1.
 */
    .syntax unified
    .arch armv7-a
    .arch_extension sec
    .arch_extension virt
    .arm

.macro fixup insn, resume
    .pushsection .ccdma_fixup, "a"
    .balign 4
    .word   \insn, \resume
    .popsection
.endm

.macro func name
    .global \name
    .type   \name, %function
\name:
.endm

    .text
/* int probe_read64(uintptr_t addr, uint64_t *val) */
func probe_read64
1:  ldrd    r2, r3, [r0]
    strd    r2, r3, [r1]
    mov     r0, #0
    bx      lr
2:  mvn     r0, #0
    bx      lr
    fixup   1b, 2b

/* int probe_read8(uintptr_t addr, uint8_t *val) */
func probe_read8
1:  ldrb    r2, [r0]
    strb    r2, [r1]
    mov     r0, #0
    bx      lr
2:  mvn     r0, #0
    bx      lr
    fixup   1b, 2b

/* int probe_write64(uintptr_t addr, uint64_t val): val arrives in r2:r3. */
func probe_write64
1:  strd    r2, r3, [r0]
    mov     r0, #0
    bx      lr
2:  mvn     r0, #0
    bx      lr
    fixup   1b, 2b

/* int probe_bkpt(void): always faults (prefetch abort, debug event). */
func probe_bkpt
1:  bkpt    #0x77
    mov     r0, #0
    bx      lr
2:  mvn     r0, #0
    bx      lr
    fixup   1b, 2b

/* int probe_udf(void): a permanently undefined instruction. */
func probe_udf
1:  udf     #0x1234
    mov     r0, #0
    bx      lr
2:  mvn     r0, #0
    bx      lr
    fixup   1b, 2b

/* int probe_smc(uint32_t regs[8]) / probe_hvc: r0..r7 in and out. A
 * conduit nothing implements is UNDEFINED: we return -1 then. */
.macro conduit_probe name, insn
func \name
    push    {r0, r4-r8, lr}
    mov     r8, r0
    ldm     r8, {r0-r7}
1:  \insn   #0
    ldr     r8, [sp]
    stm     r8, {r0-r7}
    mov     r0, #0
    add     sp, sp, #4
    pop     {r4-r8, pc}
2:  mvn     r0, #0
    add     sp, sp, #4
    pop     {r4-r8, pc}
    fixup   1b, 2b
.endm
    conduit_probe probe_smc, smc
    conduit_probe probe_hvc, hvc

/* int probe_semihost(uint32_t op, uintptr_t param, uint32_t *ret). With
 * semihosting off the SVC reaches our own vector and overwrites LR_svc,
 * so LR lives on the stack across it. */
func probe_semihost
    push    {r4, lr}
    mov     r4, r2
1:  svc     #0x123456
    cmp     r4, #0
    strne   r0, [r4]
    mov     r0, #0
    pop     {r4, pc}
2:  mvn     r0, #0
    pop     {r4, pc}
    fixup   1b, 2b
