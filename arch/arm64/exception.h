/* SPDX-License-Identifier: MIT */
/* Exception frames, reporting and expected-fault recovery. */
#ifndef CCDMA_ARM64_EXCEPTION_H
#define CCDMA_ARM64_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "arch/hooks.h"

/* Layout shared with boot/vectors.S. */
struct exc_frame {
    uint64_t x[31];
    uint64_t sp;   /* SP at the time of the exception (same-EL) */
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
};

/* Vector slots: (group << 2) | type. */
enum exc_group { EXC_CUR_SP0 = 0, EXC_CUR_SPX = 1, EXC_LOWER_A64 = 2, EXC_LOWER_A32 = 3 };
enum exc_type { EXC_SYNC = 0, EXC_IRQ = 1, EXC_FIQ = 2, EXC_SERROR = 3 };

/* What a recovered fault looked like; filled by the handler. */
struct fault_info {
    bool taken;
    uint64_t esr;
    uint64_t far;
    uint64_t elr;
};

/* Probes whose faults are expected: each returns 0, or -1 if it faulted
 * (details in the struct from fault_last()). */
int probe_read64(uintptr_t addr, uint64_t *val);
int probe_write64(uintptr_t addr, uint64_t val);
int probe_read8(uintptr_t addr, uint8_t *val);
/* SMC/HVC that may be UNDEFINED: returns -1 if it trapped as undefined. */
int probe_smc(uint64_t regs_inout[8]);
int probe_hvc(uint64_t regs_inout[8]);
/* Semihosting call that may be UNDEFINED when semihosting is off. */
int probe_semihost(uint64_t op, uint64_t param, uint64_t *ret);
/* An instruction that always traps (brk #0x77). */
int probe_brk(void);
/* A permanently undefined instruction (udf). */
int probe_udf(void);
/* Call code at target, where an instruction fetch may fault. */
int probe_exec(uintptr_t target);
extern uintptr_t probe_exec_target, probe_exec_resume;

/* Clear, then read, the record of the last recovered fault. */
void fault_clear(void);
const struct fault_info *fault_last(void);

const char *exc_class_name(unsigned int ec);
/* Data/instruction fault status code (DFSC/IFSC) as text. */
const char *exc_fsc_name(unsigned int fsc);

/* "sync, SPx", "IRQ from lower EL"...: what vector slot 0..15 is. */
const char *exc_slot_name(unsigned int slot);
/* True for the data and instruction abort classes. */
bool esr_is_abort(unsigned int ec);
/* Print a decoded report of f, each line prefixed "who:". */
void exc_report(const char *who, const struct exc_frame *f, unsigned int el,
                unsigned int slot);

/* ESR_ELx fields used to decode and emulate aborts (ISS for data aborts). */
#define ESR_EC_SHIFT 26
#define ESR_IL (1ull << 25)          /* 32-bit instruction */
#define ESR_ISV (1ull << 24)         /* the syndrome below is valid */
#define ESR_SAS(esr) (((esr) >> 22) & 3) /* access size: 1 << SAS bytes */
#define ESR_SSE (1ull << 21)         /* sign-extend the load */
#define ESR_SRT(esr) (((esr) >> 16) & 0x1f) /* transfer register */
#define ESR_SF (1ull << 15)          /* 64-bit register */
#define ESR_S1PTW (1ull << 7)        /* fault on a stage-1 table walk */
#define ESR_WNR (1ull << 6)          /* write, not read */

static inline unsigned int esr_ec(uint64_t esr) { return (esr >> ESR_EC_SHIFT) & 0x3f; }
static inline unsigned int esr_fsc(uint64_t esr) { return esr & 0x3f; }

/* Fixup table entry: an instruction that may fault and where to resume. */
struct fixup {
    uint64_t insn;
    uint64_t resume;
};

bool fixup_apply(struct exc_frame *f);


/* A handler for data aborts taken at EL1 that it can resolve (make the page
 * accessible, say): called with the faulting address; returning true
 * retries the instruction. NULL removes it. */
typedef bool (*exc_abort_fn)(uintptr_t far);
void exc_set_abort_handler(exc_abort_fn fn);
/* Called for every IRQ taken at EL1 (NULL: an IRQ is unexpected). */
void exc_set_irq_handler(void (*fn)(void));

#endif /* CCDMA_ARM64_EXCEPTION_H */
