/* SPDX-License-Identifier: MIT */
/*
 * Exception handling for every EL the image runs at: decode and report the
 * unexpected, recover the expected (probe fixups), and answer SMCs at EL3.
 */
#include "arch/arm64/exception.h"

#include <stdio.h>

#include "arch/arm64/sysregs.h"
#include "boot/runtime.h"

extern const struct fixup __fixups_start[], __fixups_end[];

static struct fault_info last_fault;
static exc_abort_fn abort_handler;

void exc_set_abort_handler(exc_abort_fn fn) { abort_handler = fn; }

void fault_clear(void) { last_fault = (struct fault_info){0}; }

const struct fault_info *fault_last(void) { return &last_fault; }

const char *exc_class_name(unsigned int ec)
{
    switch (ec) {
    case EC_UNKNOWN: return "unknown/undefined instruction";
    case EC_WFX: return "WFI/WFE";
    case EC_FP: return "FP/SIMD access trapped";
    case EC_ILLEGAL: return "illegal execution state";
    case EC_SVC64: return "SVC (AArch64)";
    case EC_HVC64: return "HVC (AArch64)";
    case EC_SMC64: return "SMC (AArch64)";
    case EC_SYSREG: return "system register access";
    case EC_IABT_LOWER: return "instruction abort from a lower EL";
    case EC_IABT_CUR: return "instruction abort";
    case EC_PC_ALIGN: return "PC alignment fault";
    case EC_DABT_LOWER: return "data abort from a lower EL";
    case EC_DABT_CUR: return "data abort";
    case EC_SP_ALIGN: return "SP alignment fault";
    case EC_SERROR: return "SError";
    case EC_BRK64: return "BRK instruction";
    default: return "other";
    }
}

const char *exc_fsc_name(unsigned int fsc)
{
    if (fsc == 0x10)
        return "synchronous external abort";
    if (fsc == 0x21)
        return "alignment fault";
    if (fsc >= 0x14 && fsc <= 0x17)
        return "synchronous external abort on table walk";
    switch (fsc & 0x3c) {
    case 0x00: return "address size fault";
    case 0x04: return "translation fault";
    case 0x08: return "access flag fault";
    case 0x0c: return "permission fault";
    default: return "other fault";
    }
}

static bool esr_is_abort(unsigned int ec)
{
    return ec == EC_DABT_CUR || ec == EC_DABT_LOWER || ec == EC_IABT_CUR ||
           ec == EC_IABT_LOWER;
}

void exc_report(const char *where, const struct exc_frame *f, unsigned int el,
                unsigned int slot)
{
    unsigned int ec = esr_ec(f->esr);

    printf("\nccdma: UNEXPECTED EXCEPTION at EL%u (%s, vector slot %u)\n", el,
           where, slot);
    printf("ccdma:   class: %s (EC=0x%02x)", exc_class_name(ec), ec);
    if (esr_is_abort(ec)) {
        unsigned int fsc = esr_fsc(f->esr);
        bool write = (ec == EC_DABT_CUR || ec == EC_DABT_LOWER) &&
                     (f->esr & ESR_WNR);
        printf(", %s (FSC=0x%02x)%s", exc_fsc_name(fsc), fsc,
               write ? " on write" : "");
    }
    printf("\nccdma:   ESR=0x%016llx FAR=0x%016llx ELR=0x%016llx SPSR=0x%llx\n",
           (unsigned long long)f->esr, (unsigned long long)f->far,
           (unsigned long long)f->elr, (unsigned long long)f->spsr);
    printf("ccdma:   x0=0x%llx x1=0x%llx x29=0x%llx x30=0x%llx sp=0x%llx\n",
           (unsigned long long)f->x[0], (unsigned long long)f->x[1],
           (unsigned long long)f->x[29], (unsigned long long)f->x[30],
           (unsigned long long)f->sp);
}

bool fixup_apply(struct exc_frame *f)
{
    for (const struct fixup *fx = __fixups_start; fx < __fixups_end; fx++) {
        if (fx->insn != f->elr)
            continue;
        last_fault.taken = true;
        last_fault.esr = f->esr;
        last_fault.far = f->far;
        last_fault.elr = f->elr;
        f->elr = fx->resume;
        return true;
    }
    return false;
}

static const char *slot_name(unsigned int slot)
{
    static const char *const names[16] = {
        "sync, SP0", "IRQ, SP0", "FIQ, SP0", "SError, SP0",
        "sync, SPx", "IRQ, SPx", "FIQ, SPx", "SError, SPx",
        "sync from lower EL", "IRQ from lower EL", "FIQ from lower EL", "SError from lower EL",
        "sync from lower EL (A32)", "IRQ from lower EL (A32)", "FIQ from lower EL (A32)",
        "SError from lower EL (A32)",
    };
    return names[slot & 15];
}

void exc_handler_el1(struct exc_frame *f, unsigned int slot);
void exc_handler_el1(struct exc_frame *f, unsigned int slot)
{
    if ((slot & 3) == EXC_SYNC && fixup_apply(f))
        return;
    if ((slot & 3) == EXC_SYNC && esr_ec(f->esr) == EC_DABT_CUR && abort_handler &&
        abort_handler((uintptr_t)f->far))
        return;
    /* A realm access that the RMM (or our monitor) refuses arrives as a
     * synchronous external abort; name it so the report is unambiguous. */
    unsigned int ec = esr_ec(f->esr);
    if (esr_is_abort(ec) && esr_fsc(f->esr) == 0x10)
        printf("\nccdma: synchronous external abort: the host/RMM refused access to 0x%llx\n",
               (unsigned long long)f->far);
    exc_report(slot_name(slot), f, 1, slot);
    runtime_fail_stop("unexpected exception at EL1");
}

/*
 * EL3 is only passed through on the way down, but it stays the target of
 * SMCs from below: with no secure firmware and no RMM here, every SMC is
 * answered SMCCC_NOT_SUPPORTED, which the RSI client reads as "no realm".
 */
void exc_handler_el3(struct exc_frame *f, unsigned int slot);
void exc_handler_el3(struct exc_frame *f, unsigned int slot)
{
    if (slot == 8 && esr_ec(f->esr) == EC_SMC64) {
        f->x[0] = (uint64_t)-1;
        return; /* ELR already points past the SMC */
    }
    exc_report(slot_name(slot), f, 3, slot);
    runtime_fail_stop("unexpected exception at EL3");
}

/* Without the realm monitor EL2 only passes through; anything that reaches
 * it afterwards is a bug. The monitor build provides its own handler. */
__attribute__((weak)) void exc_handler_el2(struct exc_frame *f, unsigned int slot);
__attribute__((weak)) void exc_handler_el2(struct exc_frame *f, unsigned int slot)
{
    exc_report(slot_name(slot), f, 2, slot);
    runtime_fail_stop("unexpected exception at EL2");
}
