/* SPDX-License-Identifier: MIT */
/* The AArch32 CPU side of interrupts (arch/irq.h): IRQ mode's vector
 * (arch/arm/vectors.S) and the PL1 physical timer in CP15. */
#include "arch/irq.h"

#include "arch/arm/exception.h"

#define CNTP_CTL_ENABLE 1u

bool arch_irq_set_handler(void (*fn)(void))
{
    exc_set_irq_handler(fn);
    return true;
}

void arch_irq_mask(void) { __asm__ volatile("cpsid i" ::: "memory"); }
void arch_irq_unmask(void) { __asm__ volatile("cpsie i" ::: "memory"); }
void arch_wait_for_interrupt(void) { __asm__ volatile("dsb\n wfi" ::: "memory"); }

void arch_timer_fire_at(uint64_t deadline_ns)
{
    uint32_t frq;
    uint64_t cval;

    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frq)); /* CNTFRQ */
    /* The inverse of ccdma_plat_time_ns(), in 64 bits: whole seconds, then
     * the rest, rounded up so it never fires early. */
    cval = frq ? deadline_ns / 1000000000u * frq +
                     (deadline_ns % 1000000000u * frq + 999999999u) / 1000000000u
               : deadline_ns;
    __asm__ volatile("mcrr p15, 2, %0, %1, c14" ::"r"((uint32_t)cval),
                     "r"((uint32_t)(cval >> 32))); /* CNTP_CVAL */
    __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n isb" ::"r"(CNTP_CTL_ENABLE)); /* CNTP_CTL */
}

void arch_timer_stop(void) { __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n isb" ::"r"(0u)); }
