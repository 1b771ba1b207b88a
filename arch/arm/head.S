/* SPDX-License-Identifier: MIT */
/*
 * AArch32 entry on QEMU virt (-cpu cortex-a15), for an ELF -kernel and for
 * the -bios stub. QEMU starts an ELF (not Linux) in the CPU's reset mode:
 *   - SVC, plain virt;
 *   - HYP, virtualization=on;
 *   - Secure SVC, secure=on (EL3 is AArch32 PL1 Secure).
 * r0-r2 are 0 for an ELF; the -bios stub (and Linux-style loaders) pass the
 * DTB address in r2. Secure SVC gives Monitor mode its vectors (SMCs are
 * answered -1) and drops to Non-secure HYP if the CPU has it, else to
 * Non-secure SVC; HYP drops to SVC. Each mode we pass through gets vectors
 * and a stack before anything can fault, and the FPU on (the image is
 * hard-float, docs/aarch32.md). The runtime runs in SVC mode, MMU off until
 * boot_main() turns it on.
 *
 * Secondary CPUs (boot/cpus.c) come in at secondary_entry with r0 = their
 * index: from PSCI CPU_ON, or released from a pen (the -bios stub's, or
 * image_pen below for CPUs that enter here together with the boot CPU)
 * through secondary_pen_entry. They take the same mode steps on stacks of
 * their own, r11 holding the index, and skip what the boot CPU already did
 * for the image.
 */
#include "arch/arm/sysregs.h"

/* A secondary's stacks (linker/ccdma-arm.ld): a 64 KiB slice each, the
 * exception modes' 4 KiB stacks from its bottom, HYP's and Monitor's
 * topped here, SVC's at the top. */
#define CPU_STACK_SHIFT 16
#define CPU_STACK_HYP 0x5000
#define CPU_STACK_MON 0x6000
#define CCDMA_MAX_CPUS 8
/* smp_pen_mpidr entries: MPIDR affinity | this, so that 0 matches nothing. */
#define PEN_VALID 0x80000000
#define MPIDR_AFF_MASK 0x00ffffff

    .syntax unified
    .arch armv7-a
    .arch_extension sec
    .arch_extension virt
    .fpu vfpv3-d16
    .arm

    .section .text.head, "ax"
    .global _head
    .type   _head, %function
_head:
    b       primary_entry               /* 0x00 */
    .fill   7, 4, 0                     /* up to the zImage-style fields */
    .global smp_pen_release
smp_pen_release:                        /* 0x20: a pen's release address (arch/arm/smp.c) */
    .word   0
    .word   0x016f2818                  /* 0x24: zImage magic */
    .word   __image_start               /* 0x28: load address */
    .word   __file_end                  /* 0x2c: end of the loaded bytes */
    .word   0x04030201                  /* 0x30: little endian */

    .section .text.boot, "ax"
primary_entry:
    cpsid   aif                         /* nothing asynchronous, ever */
    mov     r11, #0                     /* CPU index: the boot CPU */
    /* Where every CPU starts here at reset (an ELF under secure=on), the
     * ones with a non-zero affinity wait in the pen. */
    mrc     p15, 0, r4, c0, c0, 5       /* MPIDR */
    ldr     r5, =MPIDR_AFF_MASK
    tst     r4, r5
    bne     image_pen
    mov     r10, r2                     /* DTB from a loader, or 0 */

    /* .bss once, whatever the mode (MMU off: aligned stores only). */
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
    mov     r3, #0
1:  cmp     r0, r1
    strdlo  r2, r3, [r0], #8
    blo     1b

    /* Those zeros went to memory with the MMU off. A loader that mapped
     * this RAM cacheable may have left lines behind for .bss, the stacks
     * or the page tables: discard them (DCIMVAC) before caches are on. */
    ldr     r0, =__bss_start
    ldr     r1, =__image_end
    mrc     p15, 0, r2, c0, c0, 1       /* CTR */
    ubfx    r2, r2, #16, #4             /* DminLine: log2(words per line) */
    mov     r3, #4
    lsl     r3, r3, r2                  /* line size in bytes */
    sub     r2, r3, #1
    bic     r0, r0, r2
2:  mcr     p15, 0, r0, c7, c6, 1       /* DCIMVAC */
    add     r0, r0, r3
    cmp     r0, r1
    blo     2b
    dsb     sy

    mrs     r0, cpsr
    and     r0, r0, #MODE_MASK
    cmp     r0, #MODE_HYP
    moveq   r9, #2                      /* entry "EL", for the boot line */
    beq     hyp_entry
    cmp     r0, #MODE_SVC
    bne     bad_entry_mode
    bl      sctlr_init
    bl      is_secure
    cmp     r0, #0
    movne   r9, #3
    bne     secure_entry
    mov     r9, #1
    b       svc_entry

/* ---- Secure SVC: Monitor vectors and stack, then into Non-secure. A
 * secondary (r11 != 0) takes its stacks from its slice (r4). */
secure_entry:
    bl      fpu_enable
    cmp     r11, #0
    bne     1f
    bl      pl1_stacks
    ldr     sp, =__stack_svc_top
    b       2f
1:  bl      cpu_stacks
2:  ldr     r0, =vectors_pl1
    mcr     p15, 0, r0, c12, c0, 0      /* Secure VBAR: report faults here too */
    ldr     r0, =vectors_mon
    mcr     p15, 0, r0, c12, c0, 1      /* MVBAR */
    ldr     r0, =NSACR_CP10_CP11
    mcr     p15, 0, r0, c1, c1, 2       /* NSACR: Non-secure may use the FPU */
    isb
    cps     #MODE_MON
    ldr     sp, =__stack_mon_top
    cmp     r11, #0
    addne   sp, r4, #CPU_STACK_MON
    ldr     r2, =(MODE_SVC | PSR_MASK_ALL)
    ldr     lr, =svc_entry
    ldrne   lr, =secondary_svc
    mrc     p15, 0, r1, c0, c1, 1       /* ID_PFR1 */
    ubfx    r1, r1, #ID_PFR1_VIRT_SHIFT, #4
    ldr     r0, =(SCR_NS | SCR_FW | SCR_AW)
    cmp     r1, #0
    orrne   r0, r0, #SCR_HCE            /* HVC enabled for the HYP we enter */
    ldrne   r2, =(MODE_HYP | PSR_MASK_ALL)
    ldrne   lr, =hyp_entry
    msr     spsr_cxsf, r2
    mcr     p15, 0, r0, c1, c1, 0       /* SCR: the next world is Non-secure */
    isb
    movs    pc, lr

/* ---- HYP: own vectors and stack; hand SVC a machine with nothing trapped. */
hyp_entry:
    ldr     r0, =vectors_hyp
    mcr     p15, 4, r0, c12, c0, 0      /* HVBAR */
    ldr     sp, =__stack_hyp_top
    cmp     r11, #0
    addne   sp, r4, #CPU_STACK_HYP      /* a secondary: its own slice (r4) */
    mrc     p15, 4, r0, c1, c0, 0       /* HSCTLR */
    ldr     r1, =(SCTLR_M | SCTLR_A | SCTLR_C | SCTLR_WXN | SCTLR_EE | SCTLR_TE)
    bic     r0, r0, r1
    mcr     p15, 4, r0, c1, c0, 0       /* MMU off, exceptions in ARM state */
    mov     r0, #0
    mcr     p15, 4, r0, c1, c1, 0       /* HCR: no traps, no stage 2 */
    mcr     p15, 4, r0, c1, c1, 2       /* HCPTR: FPU not trapped */
    mcr     p15, 4, r0, c1, c1, 3       /* HSTR: CP15 not trapped */
    mcrr    p15, 4, r0, r0, c14         /* CNTVOFF = 0 */
    mrc     p15, 4, r0, c14, c1, 0      /* CNTHCTL */
    orr     r0, r0, #3                  /* PL1 may use the physical counter and timer */
    mcr     p15, 4, r0, c14, c1, 0
    mrc     p15, 0, r0, c0, c0, 0
    mcr     p15, 4, r0, c0, c0, 0       /* VPIDR = MIDR */
    mrc     p15, 0, r0, c0, c0, 5
    mcr     p15, 4, r0, c0, c0, 5       /* VMPIDR = MPIDR */
    isb
    bl      fpu_enable
    ldr     r0, =(MODE_SVC | PSR_MASK_ALL)
    msr     spsr_cxsf, r0               /* SPSR_hyp (own mode: no banked form) */
    ldr     r0, =svc_entry
    cmp     r11, #0
    ldrne   r0, =secondary_svc
    msr     elr_hyp, r0
    eret

/* ---- SVC (plain or Non-secure): the runtime proper. */
svc_entry:
    bl      sctlr_init
    bl      fpu_enable
    bl      pl1_stacks
    ldr     sp, =__stack_svc_top
    ldr     r0, =vectors_pl1
    mcr     p15, 0, r0, c12, c0, 0      /* VBAR */
    isb
    /* A first stack-protector guard from the counter; boot_main mixes in
     * the DTB's rng-seed later from a frame that never returns. */
    mrrc    p15, 0, r0, r1, c14         /* CNTPCT */
    mrc     p15, 0, r2, c0, c0, 0       /* MIDR */
    eor     r0, r0, r1
    eor     r0, r0, r2, ror #17
    ldr     r1, =0x9e3779b9
    mul     r0, r0, r1
    ldr     r1, =__stack_chk_guard
    str     r0, [r1]
    mov     r0, r10
    mov     r1, r9
    bl      boot_main                   /* Thumb: the linker makes this BLX */
    b       .

/* SCTLR of the current world: MMU, caches and alignment checks off, low
 * vectors (VBAR), exceptions in ARM state, little endian. */
sctlr_init:
    mrc     p15, 0, r0, c1, c0, 0
    ldr     r1, =(SCTLR_M | SCTLR_A | SCTLR_C | SCTLR_V | SCTLR_TE | SCTLR_EE | SCTLR_WXN)
    bic     r0, r0, r1
    mcr     p15, 0, r0, c1, c0, 0
    isb
    bx      lr

/* r0 = 1 in Secure state. SCR exists only there: read it with VBAR aimed at
 * a table whose undefined-instruction slot returns with r0 = 0. Without
 * the Security Extensions there is only one (Non-secure-like) world. */
is_secure:
    mrc     p15, 0, r0, c0, c1, 1       /* ID_PFR1 */
    ands    r0, r0, #(0xf << ID_PFR1_SECURITY_SHIFT)
    bxeq    lr
    mrc     p15, 0, r1, c12, c0, 0
    adr     r2, secure_probe_vectors
    mcr     p15, 0, r2, c12, c0, 0
    isb
    mov     r0, #1
    mrc     p15, 0, r2, c1, c1, 0       /* SCR: UNDEFINED in Non-secure */
    mcr     p15, 0, r1, c12, c0, 0
    isb
    bx      lr

    .balign 32
secure_probe_vectors:
    b       .
    b       secure_probe_undef
    .rept   6
    b       .
    .endr
secure_probe_undef:
    mov     r0, #0
    movs    pc, lr                      /* past the MRC (ARM: LR = insn + 4) */

/* FPU on for PL1 and PL0 (and for HYP, whose HCPTR is already clear). */
fpu_enable:
    mrc     p15, 0, r0, c1, c0, 2
    orr     r0, r0, #CPACR_CP10_CP11
    mcr     p15, 0, r0, c1, c0, 2       /* CPACR */
    isb
    mov     r0, #FPEXC_EN
    vmsr    fpexc, r0
    bx      lr

/* Stacks of the PL1 exception modes; called and returning in SVC. */
pl1_stacks:
    mrs     r0, cpsr
    cps     #MODE_ABT
    ldr     sp, =__stack_abt_top
    cps     #MODE_UND
    ldr     sp, =__stack_und_top
    cps     #MODE_IRQ
    ldr     sp, =__stack_irq_top
    cps     #MODE_FIQ
    ldr     sp, =__stack_fiq_top
    msr     cpsr_c, r0
    bx      lr

/* A secondary's stacks, all modes but HYP and Monitor, from its slice (r4);
 * called and returning in SVC. */
cpu_stacks:
    mrs     r0, cpsr
    cps     #MODE_ABT
    add     sp, r4, #0x1000
    cps     #MODE_UND
    add     sp, r4, #0x2000
    cps     #MODE_IRQ
    add     sp, r4, #0x3000
    cps     #MODE_FIQ
    add     sp, r4, #0x4000
    msr     cpsr_c, r0
    add     sp, r4, #(1 << CPU_STACK_SHIFT)
    bx      lr

/* Entered in a mode no loader uses (USR, SYS...): say so if semihosting
 * listens (SYS_EXIT_EXTENDED, code 3), else park. */
bad_entry_mode:
    ldr     r1, =bad_mode_exit
    mov     r0, #0x20
    svc     #0x123456
2:  wfi
    b       2b

    .ltorg
    .section .rodata
    .balign 4
bad_mode_exit:
    .word   0x20026, 3                  /* ADP_Stopped_ApplicationExit, code 3 */

/* ---- Secondaries: PSCI CPU_ON lands here, r0 = the index boot/cpus.c gave
 * as context (1 .. 7), in SVC, or in HYP where the machine has it (QEMU
 * starts it at the caller's highest EL); a pen releases them in the reset
 * mode, Secure SVC under secure=on. HYP and Secure SVC take the boot CPU's
 * steps down to Non-secure SVC. Each mode gets a stack of this CPU's slice
 * of __stack_cpus (linker/ccdma-arm.ld); the image is the boot CPU's, .bss
 * and all, so nothing else is redone. */
    .section .text.boot, "ax"
    .global secondary_entry
    .type   secondary_entry, %function
secondary_entry:
    cpsid   aif
    mov     r11, r0
    cmp     r11, #1
    blo     park_secondary
    cmp     r11, #(CCDMA_MAX_CPUS - 1)
    bhi     park_secondary
    ldr     r4, =__stack_cpus_bottom
    sub     r1, r11, #1
    add     r4, r4, r1, lsl #CPU_STACK_SHIFT
    mrs     r0, cpsr
    and     r0, r0, #MODE_MASK
    cmp     r0, #MODE_HYP
    beq     hyp_entry
    cmp     r0, #MODE_SVC
    bne     park_secondary
    bl      sctlr_init
    bl      is_secure
    cmp     r0, #0
    bne     secure_entry
secondary_svc:
    bl      sctlr_init
    bl      fpu_enable
    bl      cpu_stacks
    ldr     r0, =vectors_pl1
    mcr     p15, 0, r0, c12, c0, 0      /* VBAR */
    isb
    mov     r0, r11
    bl      boot_secondary_main         /* never returns */
    b       .

/* Released from a pen, MMU and caches off: find our index by MPIDR in the
 * table the boot CPU wrote (and cleaned to memory). A CPU the table does
 * not name (not in the DTB's /cpus, or past the eighth) leaves its MPIDR
 * in its Aff0 slot of smp_pen_stray, for the boot CPU to report, and parks
 * for good. */
    .global secondary_pen_entry
    .type   secondary_pen_entry, %function
secondary_pen_entry:
    cpsid   aif
    mrc     p15, 0, r1, c0, c0, 5       /* MPIDR */
    ldr     r2, =MPIDR_AFF_MASK
    and     r1, r1, r2
    orr     r1, r1, #PEN_VALID
    ldr     r3, =smp_pen_mpidr
    mov     r0, #1
1:  cmp     r0, #CCDMA_MAX_CPUS
    bhs     pen_stray
    ldr     r2, [r3, r0, lsl #2]
    cmp     r2, r1
    beq     secondary_entry
    add     r0, r0, #1
    b       1b
pen_stray:
    and     r2, r1, #(CCDMA_MAX_CPUS - 1)
    ldr     r3, =smp_pen_stray
    str     r1, [r3, r2, lsl #2]        /* to memory: this CPU's caches are off */
    dsb     sy
    sev
park_secondary:
    wfe
    b       park_secondary

/* A CPU that entered with the boot CPU waits for its release: the word is
 * read from memory (caches off), where the boot CPU cleaned it. */
image_pen:
    ldr     r1, =smp_pen_release
2:  wfe
    ldr     r2, [r1]
    cmp     r2, #0
    beq     2b
    bx      r2
    .ltorg
