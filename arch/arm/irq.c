/* SPDX-License-Identifier: MIT */
/*
 * The AArch32 CPU side of interrupts (arch/irq.h). The IRQ vector is not
 * wired on AArch32: arch_irq_set_handler says so and the runtime polls, so
 * nothing below is reached with a GIC delivering.
 */
#include "arch/irq.h"

bool arch_irq_set_handler(void (*fn)(void))
{
    (void)fn;
    return false;
}

void arch_irq_mask(void) { __asm__ volatile("cpsid i" ::: "memory"); }
void arch_irq_unmask(void) { __asm__ volatile("cpsie i" ::: "memory"); }
void arch_wait_for_interrupt(void) { __asm__ volatile("dsb\n wfi" ::: "memory"); }
void arch_timer_fire_at(uint64_t deadline_ns) { (void)deadline_ns; }
void arch_timer_stop(void) {}
