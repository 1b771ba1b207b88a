/* SPDX-License-Identifier: MIT */
/*
 * Interrupts (boot/irq.c): an SGI this CPU raises reaches its handler; one
 * nobody registered is counted and its line disabled; a line that keeps
 * firing is disabled as a storm and the run goes on; a sleeping wait with
 * nothing to wake it returns by the timer, at or after its deadline.
 */
#include <stdint.h>

#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "boot/irq.h"

#define SGI_OWN 1u
#define SGI_UNKNOWN 2u
#define SGI_STORM 3u
#define WAIT_NS 2000000ull
#define BUDGET_NS 200000000ull

static volatile uint32_t own_seen, storm_seen;

static void own_handler(void *ctx)
{
    (void)ctx;
    own_seen++;
}

/* Raises itself again from its own handler: a line that never stops. */
static void storm_handler(void *ctx)
{
    (void)ctx;
    storm_seen++;
    boot_irq_raise_sgi(SGI_STORM);
}

static bool wait_until(volatile uint32_t *v, uint32_t want)
{
    uint64_t deadline = ccdma_plat_time_ns() + BUDGET_NS;

    while (*v < want && ccdma_plat_time_ns() < deadline)
        ccdma_plat_relax();
    return *v >= want;
}

SELFTEST(14, irq)
{
    if (!boot_irq_enabled()) {
        st_skip("interrupts", "the runtime is polled in this boot (see the irq: line)");
        return;
    }
    uint64_t taken = boot_irq_stats.taken;
    own_seen = 0;
    int err = boot_irq_register(SGI_OWN, true, own_handler, NULL);
    boot_irq_raise_sgi(SGI_OWN);
    st_check(err == 0 && wait_until(&own_seen, 1) && own_seen == 1 &&
                 boot_irq_stats.taken == taken + 1,
             "an SGI to this CPU reaches its handler, once", "err=%d seen=%u", err,
             (unsigned int)own_seen);
    boot_irq_unregister(SGI_OWN);

    uint64_t unknown = boot_irq_stats.unknown;
    err = boot_irq_enable_unhandled(SGI_UNKNOWN);
    boot_irq_raise_sgi(SGI_UNKNOWN);
    uint64_t deadline = ccdma_plat_time_ns() + BUDGET_NS;
    while (boot_irq_stats.unknown == unknown && ccdma_plat_time_ns() < deadline)
        ccdma_plat_relax();
    st_check(err == 0 && boot_irq_stats.unknown == unknown + 1,
             "an interrupt nobody registered is counted, not fatal", "err=%d unknown %llu -> %llu",
             err, (unsigned long long)unknown, (unsigned long long)boot_irq_stats.unknown);

    uint64_t storms = boot_irq_stats.storms;
    storm_seen = 0;
    err = boot_irq_register(SGI_STORM, true, storm_handler, NULL);
    boot_irq_raise_sgi(SGI_STORM);
    deadline = ccdma_plat_time_ns() + BUDGET_NS;
    while (boot_irq_stats.storms == storms && ccdma_plat_time_ns() < deadline)
        ccdma_plat_relax();
    uint32_t after = storm_seen;
    for (unsigned int i = 0; i < 10000; i++)
        ccdma_plat_relax();
    st_check(err == 0 && boot_irq_stats.storms == storms + 1 && storm_seen == after,
             "a line that never stops firing is disabled as a storm, and stays quiet",
             "err=%d storms %llu -> %llu, handler ran %u then %u", err,
             (unsigned long long)storms, (unsigned long long)boot_irq_stats.storms,
             (unsigned int)after, (unsigned int)storm_seen);
    boot_irq_unregister(SGI_STORM);

    /* Each wait gets a deadline of its own, so one that starts late (the
     * CPU descheduled by the emulator) still sleeps and is woken. */
    uint32_t never = 0;
    uint64_t timer = boot_irq_stats.timer;
    deadline = ccdma_plat_time_ns() + BUDGET_NS;
    while (boot_irq_stats.timer == timer && ccdma_plat_time_ns() < deadline)
        ccdma_plat_wait_irq(&never, ccdma_plat_time_ns() + WAIT_NS);
    st_check(boot_irq_stats.timer > timer,
             "a sleeping wait that nothing wakes returns by the timer",
             "timer interrupts %llu -> %llu", (unsigned long long)timer,
             (unsigned long long)boot_irq_stats.timer);
    st_note("irq: %llu taken, %llu spurious, %llu unknown, %llu storms, %llu timer",
            (unsigned long long)boot_irq_stats.taken, (unsigned long long)boot_irq_stats.spurious,
            (unsigned long long)boot_irq_stats.unknown, (unsigned long long)boot_irq_stats.storms,
            (unsigned long long)boot_irq_stats.timer);
}
