/* SPDX-License-Identifier: MIT */
/*
 * AArch32 exception handling: decode and report the unexpected (fault
 * status, fault address, faulting PC, mode), recover the expected (probe
 * fixups). Monitor SMCs never get here (arch/arm/vectors.S answers them).
 */
#include "arch/arm/exception.h"

#include <stdio.h>
#include <stdnoreturn.h>

#include "arch/arm/sysregs.h"
#include "arch/hooks.h"

extern const struct fixup __fixups_start[], __fixups_end[];

static struct fault_info last_fault;
static exc_abort_fn abort_handler;

void exc_set_abort_handler(exc_abort_fn fn) { abort_handler = fn; }

static void (*irq_handler)(void);
void exc_set_irq_handler(void (*fn)(void)) { irq_handler = fn; }

void fault_clear(void) { last_fault = (struct fault_info){0}; }

const struct fault_info *fault_last(void) { return &last_fault; }

unsigned int fsr_status(uint32_t fsr)
{
    if (fsr & FSR_LPAE)
        return fsr & 0x3f;
    return ((fsr >> 6) & 0x10) | (fsr & 0xf); /* short format: FS[4] is bit 10 */
}

static const char *long_status_name(unsigned int s)
{
    if (s == 0x10)
        return "synchronous external abort";
    if (s == 0x11)
        return "asynchronous external abort";
    if (s == 0x21)
        return "alignment fault";
    if (s == 0x22)
        return "debug event";
    if (s == 0x30)
        return "TLB conflict abort";
    if (s >= 0x14 && s <= 0x17)
        return "synchronous external abort on table walk";
    switch (s & 0x3c) {
    case 0x00: return "address size fault";
    case 0x04: return "translation fault";
    case 0x08: return "access flag fault";
    case 0x0c: return "permission fault";
    default: return "other fault";
    }
}

static const char *short_status_name(unsigned int s)
{
    switch (s) {
    case 0x01: return "alignment fault";
    case 0x02: return "debug event";
    case 0x03: case 0x06: return "access flag fault";
    case 0x04: return "cache maintenance fault";
    case 0x05: case 0x07: return "translation fault";
    case 0x08: return "synchronous external abort";
    case 0x09: case 0x0b: return "domain fault";
    case 0x0c: case 0x0e: return "synchronous external abort on table walk";
    case 0x0d: case 0x0f: return "permission fault";
    case 0x10: return "TLB conflict abort";
    case 0x16: return "asynchronous external abort";
    default: return "other fault";
    }
}

const char *fsr_name(uint32_t fsr)
{
    unsigned int s = fsr_status(fsr);
    return (fsr & FSR_LPAE) ? long_status_name(s) : short_status_name(s);
}

const char *exc_mode_name(uint32_t cpsr)
{
    switch (cpsr & MODE_MASK) {
    case MODE_USR: return "USR";
    case MODE_FIQ: return "FIQ";
    case MODE_IRQ: return "IRQ";
    case MODE_SVC: return "SVC";
    case MODE_MON: return "MON";
    case MODE_ABT: return "ABT";
    case MODE_HYP: return "HYP";
    case MODE_UND: return "UND";
    case MODE_SYS: return "SYS";
    default: return "invalid mode";
    }
}

const char *exc_kind_name(uint32_t kind)
{
    switch (kind) {
    case EXC_UNDEF: return "undefined instruction";
    case EXC_SVC: return "supervisor call";
    case EXC_PABT: return "prefetch abort";
    case EXC_DABT: return "data abort";
    case EXC_IRQ: return "IRQ";
    case EXC_FIQ: return "FIQ";
    case EXC_HYP_UNDEF: return "undefined instruction in HYP mode";
    case EXC_HYP_HVC: return "HVC in HYP mode";
    case EXC_HYP_PABT: return "prefetch abort in HYP mode";
    case EXC_HYP_DABT: return "data abort in HYP mode";
    case EXC_HYP_TRAP: return "trap to HYP mode";
    case EXC_HYP_IRQ: return "IRQ to HYP mode";
    case EXC_HYP_FIQ: return "FIQ to HYP mode";
    case EXC_MON_PABT: return "prefetch abort to Monitor mode";
    case EXC_MON_DABT: return "data abort to Monitor mode";
    case EXC_MON_IRQ: return "IRQ to Monitor mode";
    case EXC_MON_FIQ: return "FIQ to Monitor mode";
    default: return "unknown vector";
    }
}

static bool kind_is_abort(uint32_t kind)
{
    return kind == EXC_PABT || kind == EXC_DABT || kind == EXC_MON_PABT ||
           kind == EXC_MON_DABT;
}

static bool kind_is_hyp(uint32_t kind) { return kind >= EXC_HYP_UNDEF && kind <= EXC_HYP_FIQ; }

static const char *hsr_class_name(unsigned int ec)
{
    switch (ec) {
    case HSR_EC_UNKNOWN: return "unknown/undefined instruction";
    case HSR_EC_WFX: return "WFI/WFE";
    case HSR_EC_CP15: case HSR_EC_CP15_64: return "CP15 access";
    case HSR_EC_CP10: return "VFP access";
    case HSR_EC_HVC: return "HVC";
    case HSR_EC_SMC: return "SMC";
    case HSR_EC_IABT_LOWER: return "prefetch abort from PL1/PL0";
    case HSR_EC_IABT_HYP: return "prefetch abort in HYP mode";
    case HSR_EC_DABT_LOWER: return "data abort from PL1/PL0";
    case HSR_EC_DABT_HYP: return "data abort in HYP mode";
    default: return "other";
    }
}

void exc_report(const char *where, const struct exc_frame *f)
{
    printf("\nccdma: UNEXPECTED EXCEPTION %s: %s\n", where, exc_kind_name(f->kind));
    printf("ccdma:   from %s mode, %s state: pc=0x%08lx cpsr=0x%08lx sp=0x%08lx lr=0x%08lx\n",
           exc_mode_name(f->cpsr), (f->cpsr & PSR_T) ? "Thumb" : "ARM",
           (unsigned long)f->pc, (unsigned long)f->cpsr, (unsigned long)f->sp,
           (unsigned long)f->lr);
    if (kind_is_hyp(f->kind)) {
        unsigned int ec = f->fsr >> 26;
        printf("ccdma:   HSR=0x%08lx: %s (EC=0x%02x)", (unsigned long)f->fsr,
               hsr_class_name(ec), ec);
        if (ec >= HSR_EC_IABT_LOWER && ec <= HSR_EC_DABT_HYP)
            printf(", %s, HxFAR=0x%08lx", fsr_name((f->fsr & 0x3f) | FSR_LPAE),
                   (unsigned long)f->far);
        printf("\n");
    } else if (kind_is_abort(f->kind)) {
        bool data = f->kind == EXC_DABT || f->kind == EXC_MON_DABT;
        unsigned int s = fsr_status(f->fsr);
        printf("ccdma:   %s", fsr_name(f->fsr));
        if ((f->fsr & FSR_LPAE) && (s & 0x3c) <= 0x0c)
            printf(" at level %u", s & 3);
        if (data)
            printf(" on %s", (f->fsr & DFSR_WNR) ? "write" : "read");
        printf(" (%s-descriptor status 0x%02x): %s=0x%08lx %s=0x%08lx\n",
               (f->fsr & FSR_LPAE) ? "long" : "short", s, data ? "DFSR" : "IFSR",
               (unsigned long)f->fsr, data ? "DFAR" : "IFAR", (unsigned long)f->far);
    }
    for (unsigned int i = 0; i < 13; i += 4) {
        printf("ccdma:  ");
        for (unsigned int j = i; j < i + 4 && j < 13; j++)
            printf(" r%u=0x%08lx", j, (unsigned long)f->r[j]);
        printf("\n");
    }
}

bool fixup_apply(struct exc_frame *f)
{
    for (const struct fixup *fx = __fixups_start; fx < __fixups_end; fx++) {
        if (fx->insn != f->pc)
            continue;
        last_fault = (struct fault_info){true, f->kind, f->fsr, f->far, f->pc};
        f->pc = fx->resume;
        return true;
    }
    return false;
}

/* The fault status and address registers of a PL1 abort. */
static void read_fault_regs(struct exc_frame *f)
{
    uint32_t fsr = 0, far = 0;
    if (f->kind == EXC_DABT || f->kind == EXC_MON_DABT) {
        __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(fsr)); /* DFSR */
        __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(far)); /* DFAR */
    } else if (f->kind == EXC_PABT || f->kind == EXC_MON_PABT) {
        __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(fsr)); /* IFSR */
        __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(far)); /* IFAR */
    }
    f->fsr = fsr;
    f->far = far;
}

void exc_handler_pl1(struct exc_frame *f);
void exc_handler_pl1(struct exc_frame *f)
{
    /* An IRQ in the runtime's own modes: the interrupt layer dispatches it. */
    if (f->kind == EXC_IRQ && irq_handler) {
        irq_handler();
        return;
    }
    read_fault_regs(f);
    if (f->kind <= EXC_DABT && fixup_apply(f))
        return;
    if (f->kind == EXC_DABT && abort_handler && abort_handler(f->far))
        return;
    if (f->kind >= EXC_MON_PABT) {
        exc_report("in Monitor mode", f);
        exc_fatal("unexpected exception in Monitor mode");
    }
    exc_report("at PL1", f);
    exc_fatal("unexpected exception at PL1");
}

/* HYP only passes through on the way to SVC (there is no AArch32 realm
 * monitor): anything that reaches it afterwards is a bug. */
noreturn void exc_handler_hyp(struct exc_frame *f);
noreturn void exc_handler_hyp(struct exc_frame *f)
{
    uint32_t hsr, far = 0;
    __asm__ volatile("mrc p15, 4, %0, c5, c2, 0" : "=r"(hsr));
    if ((hsr >> 26) == HSR_EC_DABT_LOWER || (hsr >> 26) == HSR_EC_DABT_HYP)
        __asm__ volatile("mrc p15, 4, %0, c6, c0, 0" : "=r"(far)); /* HDFAR */
    else if ((hsr >> 26) == HSR_EC_IABT_LOWER || (hsr >> 26) == HSR_EC_IABT_HYP)
        __asm__ volatile("mrc p15, 4, %0, c6, c0, 2" : "=r"(far)); /* HIFAR */
    f->fsr = hsr;
    f->far = far;
    exc_report("in HYP mode", f);
    exc_fatal("unexpected exception in HYP mode");
}
