/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the secondary CPUs (boot/cpus.h). The boot CPU owns the
 * table; each secondary only ever writes its own state and done_seq, with
 * release stores that the boot CPU reads with acquire loads, so no lock is
 * needed. Every wait is bounded: a CPU that never comes up is reported and
 * left out, and the run goes on.
 */
#include "boot/cpus.h"

#include <stdio.h>
#include <string.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "boot/arch.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"

_Static_assert(BOOT_MAX_CPUS == ARCH_MAX_CPUS, "one pen table size");

/* How long a CPU may take to say it is online. */
#define START_BUDGET_NS 1000000000ull

struct boot_cpu boot_cpus[BOOT_MAX_CPUS];
unsigned int boot_cpus_listed, boot_cpus_online;

extern char __image_start[], __bss_end[], __stack_cpus_bottom[], __stack_cpus_top[];

static uint32_t load_acquire(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void store_release(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* Set once the boot CPU's per-CPU register names its record, before any
 * secondary starts: until then only the boot CPU runs. */
static uint32_t percpu_ready;

/* On every bounce map (the area's choice) and every interrupt wait: one
 * register read, not a search of the table by MPIDR. */
unsigned int boot_cpu_self(void)
{
    if (!load_acquire(&percpu_ready))
        return 0;
    return ((const struct boot_cpu *)arch_cpu_percpu())->index;
}

static bool wait_state(struct boot_cpu *c, uint32_t from, uint64_t budget_ns)
{
    uint64_t deadline = ccdma_plat_time_ns() + budget_ns;

    while (load_acquire(&c->state) == from) {
        if (ccdma_plat_time_ns() >= deadline)
            return false;
        arch_cpu_wait_event();
    }
    return true;
}

/* Fill the table: the boot CPU first, then the others in /cpus order. */
static void list_cpus(void)
{
    uint64_t self = arch_cpu_mpidr();
    unsigned int n = 1;

    boot_cpus[0] = (struct boot_cpu){.mpidr = self, .index = 0, .state = BOOT_CPU_ONLINE,
                                     .how = "boot"};
    for (unsigned int i = 0; i < rt.plat.n_cpus && n < BOOT_MAX_CPUS; i++) {
        if (rt.plat.cpu_mpidr[i] == self)
            continue;
        boot_cpus[n] = (struct boot_cpu){.mpidr = rt.plat.cpu_mpidr[i], .index = n};
        n++;
    }
    boot_cpus_listed = n;
}

/* CPUs that left the pen but are not ours to run (not in /cpus, or past
 * the table): parked for good, and named. Those seen so far: they check in
 * as soon as they are released, before the listed ones are online. */
static void report_strays(bool pen)
{
    uint64_t mpidr[BOOT_MAX_CPUS];
    unsigned int n;

    if (!pen || arch_cpu_pen_strays == NULL)
        return;
    n = arch_cpu_pen_strays(mpidr, BOOT_MAX_CPUS);
    if (n)
        printf(", %u parked", n);
    for (unsigned int i = 0; i < n && i < BOOT_MAX_CPUS; i++)
        printf(" [mpidr=0x%llx pen: not in /cpus]", (unsigned long long)mpidr[i]);
}

void boot_cpus_start(void)
{
    bool pen = rt.plat.psci == DT_PSCI_NONE;
    uint64_t pen_mpidr[BOOT_MAX_CPUS] = {0};

    list_cpus();
    arch_cpu_set_percpu(&boot_cpus[0]);
    store_release(&percpu_ready, 1);
    boot_cpus_online = 1;
    arch_cpu_event_stream();
    for (unsigned int i = 1; i < boot_cpus_listed; i++) {
        struct boot_cpu *c = &boot_cpus[i];

        c->tls = page_alloc(1, UINT64_MAX);
        if (c->tls == NULL) {
            c->state = BOOT_CPU_FAILED;
            c->start_err = CCDMA_ENOMEM;
            continue;
        }
        arch_cpu_regime(c->regime);
        c->how = pen ? "pen" : "psci";
        store_release(&c->state, BOOT_CPU_STARTING);
    }
    /* A CPU started now runs with its MMU and caches off until
     * arch_cpu_secondary_init(): it reads the image's code and literals
     * and its boot_cpus record from memory. Put all of it there, once for
     * every CPU; and leave no line of their stacks in any cache, where one
     * could shadow what a CPU writes there before its caching is on. */
    ccdma_plat_cache_clean(__image_start, (size_t)(__bss_end - __image_start));
    ccdma_plat_cache_clean_invalidate(__stack_cpus_bottom,
                                      (size_t)(__stack_cpus_top - __stack_cpus_bottom));
    for (unsigned int i = 1; i < boot_cpus_listed; i++) {
        struct boot_cpu *c = &boot_cpus[i];

        if (c->state != BOOT_CPU_STARTING)
            continue;
        if (pen) {
            pen_mpidr[i] = c->mpidr;
            continue;
        }
        c->start_err = arch_cpu_on_psci(rt.plat.psci == DT_PSCI_HVC, c->mpidr, i);
        if (c->start_err)
            store_release(&c->state, BOOT_CPU_FAILED);
    }
    /* Where nothing answers PSCI the secondaries are in a pen (the -bios
     * stub's or the image's): all are released at once, and each finds
     * its own index by MPIDR. */
    if (pen && boot_cpus_listed > 1) {
        int err = arch_cpu_pen_release(pen_mpidr, BOOT_MAX_CPUS);

        for (unsigned int i = 1; err && i < boot_cpus_listed; i++) {
            if (boot_cpus[i].state != BOOT_CPU_STARTING)
                continue;
            boot_cpus[i].start_err = err;
            store_release(&boot_cpus[i].state, BOOT_CPU_FAILED);
        }
    }
    for (unsigned int i = 1; i < boot_cpus_listed; i++) {
        struct boot_cpu *c = &boot_cpus[i];

        if (!wait_state(c, BOOT_CPU_STARTING, START_BUDGET_NS)) {
            c->start_err = CCDMA_ETIMEDOUT;
            store_release(&c->state, BOOT_CPU_FAILED);
        }
        /* A CPU that comes up after its deadline may overwrite FAILED: it
         * is then online but never given work, as boot_cpu_run checks. */
        if (load_acquire(&c->state) == BOOT_CPU_ONLINE)
            boot_cpus_online++;
    }
    printf("ccdma: cpus: %u of %u online, atomics %s", boot_cpus_online, boot_cpus_listed,
           arch_atomics_kind());
    for (unsigned int i = 1; i < boot_cpus_listed; i++) {
        const struct boot_cpu *c = &boot_cpus[i];
        printf(" [%u mpidr=0x%llx %s%s%s]", i, (unsigned long long)c->mpidr, c->how,
               c->state == BOOT_CPU_ONLINE ? "" : ": ",
               c->state == BOOT_CPU_ONLINE ? "" : ccdma_strerror(c->start_err));
    }
    report_strays(pen);
    printf("\n");
}

int boot_cpu_run(unsigned int idx, void (*fn)(void *arg), void *arg)
{
    struct boot_cpu *c;

    if (idx == 0 || idx >= boot_cpus_listed || fn == NULL)
        return CCDMA_EINVAL;
    c = &boot_cpus[idx];
    if (load_acquire(&c->state) != BOOT_CPU_ONLINE ||
        load_acquire(&c->done_seq) != c->work_seq)
        return CCDMA_EINVAL; /* not running, or still busy */
    c->work = fn;
    c->arg = arg;
    store_release(&c->work_seq, c->work_seq + 1);
    arch_cpu_send_event();
    return 0;
}

int boot_cpu_wait(unsigned int idx, uint64_t budget_ns)
{
    struct boot_cpu *c;
    uint64_t deadline = ccdma_plat_time_ns() + budget_ns;

    if (idx == 0 || idx >= boot_cpus_listed)
        return CCDMA_EINVAL;
    c = &boot_cpus[idx];
    while (load_acquire(&c->done_seq) != c->work_seq) {
        if (ccdma_plat_time_ns() >= deadline)
            return CCDMA_ETIMEDOUT;
        arch_cpu_wait_event();
    }
    return 0;
}

void boot_secondary_main(unsigned int idx)
{
    struct boot_cpu *c = &boot_cpus[idx];
    uint32_t seen = 0;

    arch_cpu_secondary_init(c->regime, c, c->tls);
    store_release(&c->state, BOOT_CPU_ONLINE);
    arch_cpu_send_event();
    for (;;) {
        uint32_t seq = load_acquire(&c->work_seq);

        if (seq == seen) {
            arch_cpu_wait_event();
            continue;
        }
        c->work(c->arg);
        seen = seq;
        store_release(&c->done_seq, seq);
        arch_cpu_send_event();
    }
}
