/* SPDX-License-Identifier: MIT */
/*
 * Interrupts on the boot CPU: the GIC the DTB names, a handler per INTID,
 * the timer that bounds every sleeping wait, and the counters that show
 * what the host sent. Everything here is host-controlled input in a VM: a
 * spurious, unknown or storming interrupt is counted and survived, never
 * fatal.
 */
#ifndef CCDMA_BOOT_IRQ_H
#define CCDMA_BOOT_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct boot_irq_stats {
    uint64_t taken;     /* interrupts acknowledged with a handler */
    uint64_t spurious;  /* acknowledges that returned no interrupt */
    uint64_t unknown;   /* INTIDs nobody registered: counted, then disabled */
    uint64_t storms;    /* lines disabled for firing without pause */
    uint64_t timer;     /* wake-ups of the bounded-wait timer */
    uint64_t after_off; /* arrivals on lines this runtime disabled */
    bool gave_up;       /* too many of those: every interrupt masked, polled */
};

extern struct boot_irq_stats boot_irq_stats;

/* Bring up the GIC and take interrupts; false (and why) when the runtime
 * stays polled: no GIC, a realm's GICv2, or one that does not deliver to
 * us. */
bool boot_irq_init(const char **why);
bool boot_irq_enabled(void);
/* Call fn(ctx) for each interrupt on intid. CCDMA_EINVAL for a bad INTID
 * or one already taken, CCDMA_ENOTSUP when interrupts are off. */
int boot_irq_register(uint32_t intid, bool edge, void (*fn)(void *ctx), void *ctx);
void boot_irq_unregister(uint32_t intid);
/* Enable intid with no handler, as a stray line the host drives would be
 * (the self-tests' unknown interrupt). */
int boot_irq_enable_unhandled(uint32_t intid);
/* Raise SGI sgi on this CPU (the self-tests' interrupt source). */
void boot_irq_raise_sgi(uint32_t sgi);
/* Mask interrupts again before the run ends, and say what they were. */
void boot_irq_shutdown(void);

#endif /* CCDMA_BOOT_IRQ_H */
