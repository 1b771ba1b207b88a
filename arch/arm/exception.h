/* SPDX-License-Identifier: MIT */
/* AArch32 exception frames, reporting and expected-fault recovery. */
#ifndef CCDMA_ARM_EXCEPTION_H
#define CCDMA_ARM_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/hooks.h"

/* Which vector was taken. PL1 vectors (VBAR) first, then HYP (HVBAR) and
 * Monitor (MVBAR) ones. Shared with arch/arm/vectors.S. */
enum exc_kind {
    EXC_UNDEF = 1,
    EXC_SVC = 2,
    EXC_PABT = 3,
    EXC_DABT = 4,
    EXC_IRQ = 6,
    EXC_FIQ = 7,
    EXC_HYP_UNDEF = 9,
    EXC_HYP_HVC = 10,
    EXC_HYP_PABT = 11,
    EXC_HYP_DABT = 12,
    EXC_HYP_TRAP = 13,   /* from Non-secure PL1: HVC, traps (syndrome in HSR) */
    EXC_HYP_IRQ = 14,
    EXC_HYP_FIQ = 15,
    EXC_MON_PABT = 19,
    EXC_MON_DABT = 20,
    EXC_MON_IRQ = 22,
    EXC_MON_FIQ = 23,
};

/* Layout shared with arch/arm/vectors.S (F_* offsets there). */
struct exc_frame {
    uint32_t r[13]; /* r0-r12 */
    uint32_t sp;    /* banked SP and LR of the interrupted mode */
    uint32_t lr;
    uint32_t pc;    /* the faulting instruction (the preferred return address) */
    uint32_t cpsr;  /* the interrupted CPSR (SPSR of the exception mode) */
    uint32_t kind;  /* enum exc_kind */
    uint32_t fsr;   /* DFSR/IFSR, or HSR for HYP vectors; filled by the handler */
    uint32_t far;   /* DFAR/IFAR, or HDFAR/HIFAR */
};

/* What a recovered fault looked like; filled by the handler. */
struct fault_info {
    bool taken;
    uint32_t kind; /* enum exc_kind */
    uint32_t fsr;
    uint32_t far;
    uint32_t pc;
};

/* Probes whose faults are expected: each returns 0, or -1 if it faulted
 * (details from fault_last()). Addresses are 32-bit virtual addresses. */
int probe_read64(uintptr_t addr, uint64_t *val);
int probe_write64(uintptr_t addr, uint64_t val);
int probe_read8(uintptr_t addr, uint8_t *val);
/* SMCCC over SMC/HVC, r0..r7 in and out; -1 if the instruction was
 * UNDEFINED (nothing there to take it). Register-sized words (uintptr_t),
 * so boot/ code calls these as it calls the AArch64 ones. */
int probe_smc(uintptr_t regs_inout[8]);
int probe_hvc(uintptr_t regs_inout[8]);
/* Semihosting call (SVC 0x123456); -1 when semihosting is off (the SVC
 * then reaches our own vector). */
int probe_semihost(uintptr_t op, uintptr_t param, uintptr_t *ret);
/* BKPT #0x77: a prefetch abort with a debug-event status. */
int probe_bkpt(void);
/* A permanently undefined instruction (UDF #0x1234). */
int probe_udf(void);

void fault_clear(void);
const struct fault_info *fault_last(void);

/* Fault status of a DFSR/IFSR/PAR in either format: the long-descriptor
 * STATUS (LPAE, bit 9 set) or the short-descriptor FS, as a name. */
unsigned int fsr_status(uint32_t fsr);
const char *fsr_name(uint32_t fsr);
const char *exc_mode_name(uint32_t cpsr);
const char *exc_kind_name(uint32_t kind);

void exc_report(const char *where, const struct exc_frame *f);

/* A handler for PL1 data aborts that it can resolve (make the page
 * accessible, say): called with the faulting address; returning true
 * retries the instruction. NULL removes it. */
typedef bool (*exc_abort_fn)(uintptr_t far);
void exc_set_abort_handler(exc_abort_fn fn);
/* Called for every IRQ taken at PL1 (NULL: an IRQ is unexpected). */
void exc_set_irq_handler(void (*fn)(void));

/* Fixup table entry: an instruction that may fault and where to resume. */
struct fixup {
    uint32_t insn;
    uint32_t resume;
};

bool fixup_apply(struct exc_frame *f);

#endif /* CCDMA_ARM_EXCEPTION_H */
