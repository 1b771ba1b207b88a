/* SPDX-License-Identifier: MIT */
/*
 * Exceptions as any AArch64 program here sees them: decode and report the
 * unexpected, recover the expected (probe fixups). What each EL then does
 * is its program's policy (boot/shutdown.c, monitor/el2/exceptions.c).
 */
#include "arch/arm64/exception.h"

#include <stdio.h>

#include "arch/arm64/sysregs.h"

extern const struct fixup __fixups_start[], __fixups_end[];

static struct fault_info last_fault;
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

const char *exc_slot_name(unsigned int slot)
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

bool esr_is_abort(unsigned int ec)
{
    return ec == EC_DABT_CUR || ec == EC_DABT_LOWER || ec == EC_IABT_CUR ||
           ec == EC_IABT_LOWER;
}

void exc_report(const char *who, const struct exc_frame *f, unsigned int el,
                unsigned int slot)
{
    unsigned int ec = esr_ec(f->esr);

    printf("\n%s: UNEXPECTED EXCEPTION at EL%u (%s, vector slot %u)\n", who, el,
           exc_slot_name(slot), slot);
    printf("%s:   class: %s (EC=0x%02x)", who, exc_class_name(ec), ec);
    if (esr_is_abort(ec)) {
        unsigned int fsc = esr_fsc(f->esr);
        bool write = (ec == EC_DABT_CUR || ec == EC_DABT_LOWER) &&
                     (f->esr & ESR_WNR);
        printf(", %s (FSC=0x%02x)%s", exc_fsc_name(fsc), fsc,
               write ? " on write" : "");
    }
    printf("\n%s:   ESR=0x%016llx FAR=0x%016llx ELR=0x%016llx SPSR=0x%llx\n", who,
           (unsigned long long)f->esr, (unsigned long long)f->far,
           (unsigned long long)f->elr, (unsigned long long)f->spsr);
    printf("%s:   x0=0x%llx x1=0x%llx x29=0x%llx x30=0x%llx sp=0x%llx\n", who,
           (unsigned long long)f->x[0], (unsigned long long)f->x[1],
           (unsigned long long)f->x[29], (unsigned long long)f->x[30],
           (unsigned long long)f->sp);
}

uintptr_t probe_exec_target, probe_exec_resume;

static void record(const struct exc_frame *f)
{
    last_fault.taken = true;
    last_fault.esr = f->esr;
    last_fault.far = f->far;
    last_fault.elr = f->elr;
}

bool fixup_apply(struct exc_frame *f)
{
    /* A fetch probe_exec() expected: the fault is at its target. */
    if (probe_exec_target != 0 && f->elr == probe_exec_target) {
        record(f);
        f->elr = probe_exec_resume;
        return true;
    }
    for (const struct fixup *fx = __fixups_start; fx < __fixups_end; fx++) {
        if (fx->insn != f->elr)
            continue;
        record(f);
        f->elr = fx->resume;
        return true;
    }
    return false;
}

