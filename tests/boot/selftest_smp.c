/* SPDX-License-Identifier: MIT */
/*
 * The secondary CPUs (boot/cpus.c): every CPU the DTB lists is online or
 * has a reported reason; each online one runs work it is given with its
 * own stack, its own index and its MMU on; their atomic increments of one
 * counter all land (exclusives or LSE between cores), and what each writes
 * to its own line is what the boot CPU reads back.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <ccdma/selftest.h>

#include "arch/smp.h"
#include "boot/cpus.h"
#include "arch/pgtable.h"

#define INCREMENTS 20000u
#define WORK_BUDGET_NS 5000000000ull

struct cpu_probe {
    unsigned int self;     /* boot_cpu_self() as it ran */
    uint64_t mpidr;
    uintptr_t stack;       /* an address on its stack */
    bool mmu;
    uint64_t pattern[8];   /* a line of its own, written there */
};

static struct cpu_probe probes[BOOT_MAX_CPUS];
static uint32_t counter;

static void probe_cpu(void *arg)
{
    struct cpu_probe *p = arg;
    volatile int on_stack = 0;

    p->self = boot_cpu_self();
    p->mpidr = arch_cpu_mpidr();
    p->stack = (uintptr_t)&on_stack;
    p->mmu = mmu_enabled();
    for (unsigned int i = 0; i < 8; i++)
        p->pattern[i] = (p->mpidr << 8) ^ (0x5a5a5a5a00000000ull | i);
    for (unsigned int i = 0; i < INCREMENTS; i++)
        __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
}

SELFTEST(13, smp)
{
    unsigned int accounted = 0, ran = 0;
    bool own = true, lines = true;

    for (unsigned int i = 1; i < boot_cpus_listed; i++)
        accounted += boot_cpus[i].state == BOOT_CPU_ONLINE ||
                     (boot_cpus[i].state == BOOT_CPU_FAILED && boot_cpus[i].start_err != 0);
    st_check(boot_cpus_listed >= 1 && accounted == boot_cpus_listed - 1,
             "every CPU the DTB lists is online or has a reported reason",
             "listed %u, accounted %u", boot_cpus_listed, accounted);
    if (boot_cpus_online < 2) {
        st_skip("secondary CPUs run work", "only the boot CPU is online");
        return;
    }
    memset(probes, 0, sizeof(probes));
    __atomic_store_n(&counter, 0, __ATOMIC_RELAXED);
    for (unsigned int i = 1; i < boot_cpus_listed; i++)
        if (boot_cpu_run(i, probe_cpu, &probes[i]) == 0)
            ran++;
    probe_cpu(&probes[0]);
    for (unsigned int i = 1; i < boot_cpus_listed; i++)
        if (boot_cpus[i].state == BOOT_CPU_ONLINE && boot_cpu_wait(i, WORK_BUDGET_NS) != 0)
            ran--;
    st_check(ran == boot_cpus_online - 1, "each online secondary ran the work it was given",
             "%u of %u", ran, boot_cpus_online - 1);
    for (unsigned int i = 1; i < boot_cpus_listed; i++) {
        const struct cpu_probe *p = &probes[i];

        if (boot_cpus[i].state != BOOT_CPU_ONLINE)
            continue;
        own &= p->self == i && p->mpidr == boot_cpus[i].mpidr && p->mmu &&
               p->stack != probes[0].stack && (p->stack >> 14) != (probes[0].stack >> 14);
        for (unsigned int j = 1; j < i; j++)
            own &= probes[j].stack >> 14 != p->stack >> 14;
        for (unsigned int w = 0; w < 8; w++)
            lines &= p->pattern[w] == ((p->mpidr << 8) ^ (0x5a5a5a5a00000000ull | w));
    }
    st_check(own, "each CPU: its own index, MPIDR and stack, MMU on", "a CPU shared or lacked one");
    st_check(lines, "what each CPU wrote, the boot CPU reads", "a line differs");
    st_check(__atomic_load_n(&counter, __ATOMIC_RELAXED) == INCREMENTS * boot_cpus_online,
             "atomic increments from every CPU all land", "counter %" PRIu32 ", want %u",
             __atomic_load_n(&counter, __ATOMIC_RELAXED), INCREMENTS * boot_cpus_online);
    st_note("%u CPUs online of %u listed", boot_cpus_online, boot_cpus_listed);
}
