/* SPDX-License-Identifier: MIT */
/*
 * What the runtime does with an exception at each EL it passes through
 * (boot/vectors.S):
 * EL1 recovers expected faults and otherwise reports and stops the run;
 * EL3 answers every SMC from below SMCCC_NOT_SUPPORTED; EL2 has nothing
 * to handle once the runtime runs below it.
 */
#include <stdio.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/sysregs.h"

static exc_abort_fn abort_handler;
static void (*irq_handler)(void);

void exc_set_abort_handler(exc_abort_fn fn) { abort_handler = fn; }
void exc_set_irq_handler(void (*fn)(void)) { irq_handler = fn; }

void exc_handler_el1(struct exc_frame *f, unsigned int slot);
void exc_handler_el1(struct exc_frame *f, unsigned int slot)
{
    if ((slot & 3) == EXC_SYNC && fixup_apply(f))
        return;
    /* An IRQ from EL1 itself (SP_EL1): the interrupt layer dispatches it. */
    if ((slot & 3) == EXC_IRQ && slot / 4 == 1 && irq_handler) {
        irq_handler();
        return;
    }
    if ((slot & 3) == EXC_SYNC && esr_ec(f->esr) == EC_DABT_CUR && abort_handler &&
        abort_handler((uintptr_t)f->far))
        return;
    /* A realm access that the RMM (or our monitor) refuses arrives as a
     * synchronous external abort; name it so the report is unambiguous. */
    unsigned int ec = esr_ec(f->esr);
    if (esr_is_abort(ec) && esr_fsc(f->esr) == 0x10)
        printf("\nccdma: synchronous external abort: the host/RMM refused access to 0x%llx\n",
               (unsigned long long)f->far);
    exc_report("ccdma", f, 1, slot);
    exc_fatal("unexpected exception at EL1");
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
    exc_report("ccdma", f, 3, slot);
    exc_fatal("unexpected exception at EL3");
}

/* EL2 is only passed through on the way down: anything that reaches it
 * afterwards is a bug. */
void exc_handler_el2(struct exc_frame *f, unsigned int slot);
void exc_handler_el2(struct exc_frame *f, unsigned int slot)
{
    exc_report("ccdma", f, 2, slot);
    exc_fatal("unexpected exception at EL2");
}
