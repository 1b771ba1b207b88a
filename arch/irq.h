/* SPDX-License-Identifier: MIT */
/*
 * The CPU side of interrupts, in plain types (arch/arm64/irq.c,
 * arch/arm/irq.c): masking, waiting, the timer the runtime arms
 * for bounded waits, and the hook every IRQ is passed to.
 */
#ifndef CCDMA_ARCH_IRQ_H
#define CCDMA_ARCH_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/* The EL1 physical timer's PPI (INTID 30 in the Arm Base System
 * Architecture): it counts the counter ccdma_plat_time_ns() reads. */
#define ARCH_TIMER_INTID 30u

/* Route every IRQ taken at the runtime's level to fn; false where this
 * architecture takes none (the runtime then polls). */
bool arch_irq_set_handler(void (*fn)(void));
void arch_irq_mask(void);
void arch_irq_unmask(void);
/* Wait for an interrupt; returns even when IRQs are masked, without
 * taking it (that happens at the next unmask). */
void arch_wait_for_interrupt(void);
/* Fire the timer's interrupt once at ccdma_plat_time_ns() ==
 * deadline_ns (or at once if past); arch_timer_stop masks it. */
void arch_timer_fire_at(uint64_t deadline_ns);
void arch_timer_stop(void);

#endif /* CCDMA_ARCH_IRQ_H */
