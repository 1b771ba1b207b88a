/* SPDX-License-Identifier: MIT */
/*
 * Exceptions taken by the EL2 program itself: a probe that expected the
 * fault resumes; anything else is a bug here (or, under TF-RMM, a granule
 * protection fault: the host touched a granule it had delegated), so it
 * is reported and ends the run.
 */
#include <stdio.h>

#include "arch/arm64/exception.h"
#include "el2.h"

#define FSC_GPF 0x28

void exc_handler_el2(struct exc_frame *f, unsigned int slot);
void exc_handler_el2(struct exc_frame *f, unsigned int slot)
{
    if ((slot & 3) == EXC_SYNC && fixup_apply(f))
        return;
    if (esr_is_abort(esr_ec(f->esr)) && esr_fsc(f->esr) == FSC_GPF)
        printf("\nmonitor: granule protection fault at 0x%llx: the host touched memory "
               "it had given to the realm world\n", (unsigned long long)f->far);
    exc_report("monitor", f, 2, slot);
    el2_fatal("unexpected exception at EL2");
}

noreturn void exc_fatal(const char *why)
{
    el2_fatal(why);
}
