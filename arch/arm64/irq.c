/* SPDX-License-Identifier: MIT */
/* The AArch64 CPU side of interrupts (arch/irq.h). */
#include "arch/irq.h"

#include "arch/arm64/exception.h"

#define CNTP_CTL_ENABLE 1u

bool arch_irq_set_handler(void (*fn)(void))
{
    exc_set_irq_handler(fn);
    return true;
}

void arch_irq_mask(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
void arch_irq_unmask(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
void arch_wait_for_interrupt(void) { __asm__ volatile("dsb sy\n wfi" ::: "memory"); }

void arch_timer_fire_at(uint64_t deadline_ns)
{
    uint64_t frq, cval;

    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    /* The inverse of ccdma_plat_time_ns(), rounded up so it never fires early. */
    cval = frq ? (uint64_t)(((__uint128_t)deadline_ns * frq + 999999999u) / 1000000000u)
               : deadline_ns;
    __asm__ volatile("msr cntp_cval_el0, %0" ::"r"(cval));
    __asm__ volatile("msr cntp_ctl_el0, %0\n isb" ::"r"((uint64_t)CNTP_CTL_ENABLE));
}

void arch_timer_stop(void) { __asm__ volatile("msr cntp_ctl_el0, xzr\n isb" ::: "memory"); }
