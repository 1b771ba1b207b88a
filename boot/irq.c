/* SPDX-License-Identifier: MIT */
/*
 * Interrupt dispatch and the bounded sleeping wait (boot/irq.h). The GIC
 * and the CPU side are arch/'s; this is the policy over them.
 *
 * Storms: a line is disabled when it is acknowledged STORM_RUN times in one
 * dispatch (it never lets the interrupted code run again), or STORM_LIMIT
 * times within STORM_WINDOW_NS. Its driver goes on:
 * every sleeping wait is also woken by the timer, so a device whose line
 * was disabled is simply polled at the timer's pace.
 *
 * A disabled line that still arrives (once may be one pending as it was
 * disabled) is counted and not handled. More than OFF_LIMIT of those
 * within OFF_WINDOW_NS mean a host that injects what the realm's GIC turned off, a virtual GIC that
 * cannot be trusted to disable anything: the CPU interface's priority
 * mask, which is the realm's own, then shuts every interrupt out and the
 * runtime is polled from then on.
 */
#include "boot/irq.h"

#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "arch/gic.h"
#include "arch/irq.h"
#include "arch/smp.h"
#include "boot/cpus.h"
#include "boot/runtime.h"

#define MAX_LINES 64u
#define STORM_LIMIT 10000u
#define STORM_RUN 256u
#define OFF_LIMIT 64u
/* A rate, not a lifetime count: each line disabled or unregistered (the
 * benchmark restarts the runtime) may leave one arrival behind. */
#define OFF_WINDOW_NS 1000000000ull
#define STORM_WINDOW_NS 10000000ull /* 10 ms */
/* A sleeping wait never sleeps longer than this, whatever its deadline:
 * the bound on a wake-up that arrives while its line is disabled. */
#define WAIT_TICK_NS 1000000ull
#define PROBE_SGI 0u
#define PROBE_BUDGET_NS 100000000ull

/* Events counted over a window of time. */
struct rate {
    uint64_t start;
    uint32_t n;
};

struct line {
    uint32_t intid;
    void (*fn)(void *ctx);
    void *ctx;
    struct rate rate;
};

struct boot_irq_stats boot_irq_stats;

static struct gic gic;
static bool enabled, ever_enabled;
static struct rate off_rate; /* arrivals on disabled lines */
static struct line lines[MAX_LINES];
static unsigned int n_lines;
static uint32_t off[(GIC_MAX_INTID + 32) / 32]; /* lines this runtime disabled */

static bool is_off(uint32_t intid) { return (off[intid / 32] >> (intid % 32)) & 1u; }

static void line_off(uint32_t intid)
{
    gic_disable(&gic, intid);
    __atomic_or_fetch(&off[intid / 32], 1u << (intid % 32), __ATOMIC_RELAXED);
}

static int line_on(uint32_t intid, bool edge)
{
    __atomic_and_fetch(&off[intid / 32], ~(1u << (intid % 32)), __ATOMIC_RELAXED);
    return gic_enable(&gic, intid, edge);
}

static struct line *line_of(uint32_t intid)
{
    for (unsigned int i = 0; i < n_lines; i++)
        if (lines[i].fn != NULL && lines[i].intid == intid)
            return &lines[i];
    return NULL;
}

/* Whether one more event makes more than limit within window_ns. */
static bool rate_over(struct rate *r, uint64_t window_ns, uint32_t limit)
{
    uint64_t now = ccdma_plat_time_ns();

    if (now - r->start > window_ns) {
        r->start = now;
        r->n = 0;
    }
    return ++r->n > limit;
}

static void give_up(void)
{
    gic_mask_all(&gic);
    arch_timer_stop();
    enabled = false;
    boot_irq_stats.gave_up = true;
}

static void dispatch(void)
{
    uint32_t last = GIC_SPURIOUS, run = 0;

    for (;;) {
        uint32_t token, intid = gic_ack(&gic, &token);
        struct line *l;

        run = intid == last ? run + 1 : 1;
        last = intid;
        if (intid >= GIC_SPURIOUS - 3) { /* 1020-1023: nothing (more) to take */
            if (intid == GIC_SPURIOUS)
                boot_irq_stats.spurious++;
            return;
        }
        if (is_off(intid)) {
            gic_eoi(&gic, token);
            boot_irq_stats.after_off++;
            if (rate_over(&off_rate, OFF_WINDOW_NS, OFF_LIMIT)) {
                give_up();
                return;
            }
            continue;
        }
        if (intid == ARCH_TIMER_INTID) {
            arch_timer_stop(); /* level: it stays asserted until stopped */
            boot_irq_stats.timer++;
        } else if ((l = line_of(intid)) == NULL) {
            boot_irq_stats.unknown++;
            line_off(intid);
        } else if (run > STORM_RUN || rate_over(&l->rate, STORM_WINDOW_NS, STORM_LIMIT)) {
            boot_irq_stats.storms++;
            line_off(intid);
        } else {
            boot_irq_stats.taken++;
            l->fn(l->ctx);
        }
        gic_eoi(&gic, token);
    }
}

static void probe_handler(void *ctx) { (*(volatile uint32_t *)ctx)++; }

/* Does an interrupt we raise reach us? Not under a GIC whose security
 * state this level cannot configure (secure=on), for one. */
static bool delivers(void)
{
    static volatile uint32_t seen;
    uint64_t deadline = ccdma_plat_time_ns() + PROBE_BUDGET_NS;

    seen = 0;
    if (boot_irq_register(PROBE_SGI, true, probe_handler, (void *)&seen) != 0)
        return false;
    arch_irq_unmask();
    gic_sgi_self(&gic, PROBE_SGI);
    while (seen == 0 && ccdma_plat_time_ns() < deadline)
        ccdma_plat_relax();
    arch_irq_mask();
    boot_irq_unregister(PROBE_SGI);
    return seen != 0;
}

bool boot_irq_init(const char **why)
{
    const struct dt_gic *g = &rt.plat.gic;
    int err;

    if (g->version == 0) {
        *why = "no GIC in the device tree";
        return false;
    }
    /* A realm's interrupts are the host's to inject, and whether it does
     * is for the probe below to find out, not for the host to claim. */
    if (rt.realm && g->version != 3) {
        *why = "a realm's GIC must be a GICv3 (the host emulates the distributor, the CPU "
               "interface is virtual)";
        return false;
    }
    if (g->dist.base > UINTPTR_MAX || g->cpu.base > UINTPTR_MAX) {
        *why = "the GIC is beyond the address space";
        return false;
    }
    if (!arch_irq_set_handler(dispatch)) {
        *why = "this architecture's IRQ vector is not wired";
        return false;
    }
    err = gic_init(&gic, g->version, (uintptr_t)g->dist.base, (uintptr_t)g->cpu.base,
                   (size_t)g->cpu.size, arch_cpu_mpidr());
    if (err) {
        arch_irq_set_handler(NULL);
        *why = ccdma_strerror(err);
        return false;
    }
    enabled = true;
    if (!delivers()) {
        enabled = false;
        arch_irq_set_handler(NULL);
        *why = rt.realm ? "an SGI to this CPU never arrived (a host that injects none?)"
                        : "an SGI to this CPU never arrived (a GIC owned by the secure world?)";
        return false;
    }
    arch_timer_stop();
    if (gic_enable(&gic, ARCH_TIMER_INTID, false) != 0) {
        enabled = false;
        arch_irq_set_handler(NULL);
        *why = "the timer interrupt cannot be enabled";
        return false;
    }
    arch_irq_unmask();
    ever_enabled = true;
    *why = "";
    return true;
}

bool boot_irq_enabled(void) { return enabled; }

int boot_irq_register(uint32_t intid, bool edge, void (*fn)(void *ctx), void *ctx)
{
    struct line *slot = NULL;

    if (!enabled)
        return CCDMA_ENOTSUP;
    if (fn == NULL || intid > GIC_MAX_INTID || intid == ARCH_TIMER_INTID || line_of(intid))
        return CCDMA_EINVAL;
    for (unsigned int i = 0; i < n_lines && !slot; i++)
        if (lines[i].fn == NULL)
            slot = &lines[i];
    if (slot == NULL && n_lines < MAX_LINES)
        slot = &lines[n_lines++];
    if (slot == NULL)
        return CCDMA_ENOSPC;
    /* The line is still disabled, and fn is stored last: an interrupt
     * taken meanwhile sees the slot whole or not at all. */
    *slot = (struct line){.intid = intid, .ctx = ctx};
    __atomic_store_n(&slot->fn, fn, __ATOMIC_RELEASE);
    return line_on(intid, edge);
}

void boot_irq_unregister(uint32_t intid)
{
    struct line *l;

    if (!enabled || (l = line_of(intid)) == NULL)
        return;
    line_off(intid);
    __atomic_store_n(&l->fn, NULL, __ATOMIC_RELEASE);
}

int boot_irq_enable_unhandled(uint32_t intid)
{
    if (!enabled || intid > GIC_MAX_INTID || line_of(intid))
        return CCDMA_EINVAL;
    return line_on(intid, true);
}

void boot_irq_raise_sgi(uint32_t sgi)
{
    if (enabled)
        gic_sgi_self(&gic, sgi);
}

void boot_irq_shutdown(void)
{
    if (!ever_enabled)
        return;
    arch_irq_mask();
    arch_timer_stop();
    enabled = false;
    printf("ccdma: irq: at the end: %llu taken, %llu spurious, %llu unknown, %llu storms, %llu "
           "timer, %llu on disabled lines%s\n", (unsigned long long)boot_irq_stats.taken,
           (unsigned long long)boot_irq_stats.spurious, (unsigned long long)boot_irq_stats.unknown,
           (unsigned long long)boot_irq_stats.storms, (unsigned long long)boot_irq_stats.timer,
           (unsigned long long)boot_irq_stats.after_off,
           boot_irq_stats.gave_up ? "; given up: disabled lines kept coming, all masked, polled"
                                  : "");
}

void ccdma_plat_wait_irq(const uint32_t *pending, uint64_t deadline_ns)
{
    uint64_t now, wake;

    /* Only the boot CPU's GIC interface and timer are set up: a wait on
     * another CPU (a request made there) would sleep through everything,
     * so it polls. */
    if (!enabled || boot_cpu_self() != 0) {
        ccdma_plat_relax();
        return;
    }
    arch_irq_mask();
    now = ccdma_plat_time_ns();
    if (__atomic_load_n(pending, __ATOMIC_ACQUIRE) == 0 && now < deadline_ns) {
        wake = deadline_ns - now > WAIT_TICK_NS ? now + WAIT_TICK_NS : deadline_ns;
        arch_timer_fire_at(wake);
        arch_wait_for_interrupt();
    }
    arch_irq_unmask(); /* whatever woke us is taken here */
}
