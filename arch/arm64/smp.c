/* SPDX-License-Identifier: MIT */
/*
 * What starting a secondary CPU takes on AArch64: PSCI CPU_ON (PSCI 1.1,
 * DEN0022, 5.6) over the DTB's conduit, or a pen release for CPUs held at
 * reset; then, on the new CPU, the boot CPU's translation regime, its own
 * TLS and the per-CPU pointer in TPIDR_EL1.
 */
#include <stdint.h>
#include <string.h>

#include <ccdma/errors.h>

#include "arch/arm64/cache.h"
#include "arch/arm64/exception.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/sysregs.h"
#include "arch/arm64/tls.h"
#include "arch/psci.h"
#include "arch/smp.h"

#define PSCI_CPU_ON_64 0xc4000003u
#define MPIDR_AFF_MASK 0xff00ffffffull

extern char secondary_entry[], secondary_pen_entry[];
extern uint64_t smp_pen_release;
/* Read by secondary_pen_entry with its caches off: written, then cleaned. */
uint64_t smp_pen_mpidr[ARCH_MAX_CPUS];
/* boot/head.S walks the table and carves the stacks for CCDMA_MAX_CPUS
 * (arch/arm64/asm_boot.h): the two must agree. */
_Static_assert(ARCH_MAX_CPUS == 8, "CCDMA_MAX_CPUS in arch/arm64/asm_boot.h");

uint64_t arch_cpu_mpidr(void)
{
    uint64_t v;

    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
    return v & MPIDR_AFF_MASK;
}

int arch_cpu_on_psci(bool hvc, uint64_t mpidr, unsigned int idx)
{
    uint64_t regs[8] = {PSCI_CPU_ON_64, mpidr, (uintptr_t)secondary_entry, idx};
    int trapped = hvc ? probe_hvc(regs) : probe_smc(regs);

    if (trapped)
        return CCDMA_ENOTSUP;
    return psci_cpu_on_error((int32_t)regs[0]);
}

int arch_cpu_pen_release(const uint64_t *mpidr, unsigned int n)
{
    if (n > ARCH_MAX_CPUS)
        n = ARCH_MAX_CPUS;
    memcpy(smp_pen_mpidr, mpidr, n * sizeof(*mpidr));
    dcache_clean_range((uintptr_t)smp_pen_mpidr, sizeof(smp_pen_mpidr));
    smp_pen_release = (uintptr_t)secondary_pen_entry;
    dcache_clean_range((uintptr_t)&smp_pen_release, sizeof(smp_pen_release));
    __asm__ volatile("dsb sy\n sev" ::: "memory");
    return 0;
}

/* The generic timer's event stream (CNTKCTL_EL1.EVNTEN, a tick every 2^8
 * counts) wakes every WFE regularly: a wait that missed its SEV still
 * comes back to check its deadline. */
#define CNTKCTL_EVNTEN (1u << 2)
#define CNTKCTL_EVNTI(n) ((uint64_t)(n) << 4)

void arch_cpu_event_stream(void)
{
    uint64_t v;

    __asm__ volatile("mrs %0, cntkctl_el1" : "=r"(v));
    v = (v & ~(0xfull << 4)) | CNTKCTL_EVNTEN | CNTKCTL_EVNTI(7);
    __asm__ volatile("msr cntkctl_el1, %0\n isb" ::"r"(v));
}

void arch_cpu_send_event(void) { __asm__ volatile("dsb ish\n sev" ::: "memory"); }
void arch_cpu_wait_event(void) { __asm__ volatile("wfe" ::: "memory"); }

void arch_cpu_set_percpu(void *percpu) { __asm__ volatile("msr tpidr_el1, %0" ::"r"(percpu)); }

void *arch_cpu_percpu(void)
{
    void *p;

    __asm__ volatile("mrs %0, tpidr_el1" : "=r"(p));
    return p;
}

void arch_cpu_secondary_init(const uint64_t regime[3], void *percpu, void *tls_page)
{
    /* The boot CPU's regime, exactly: same tables, same attributes. */
    mmu_enable_regime(regime[0], regime[1], regime[2]);
    arch_cpu_set_percpu(percpu);
    arm64_tls_init_block(tls_page);
    arch_cpu_event_stream();
}

void arch_cpu_regime(uint64_t regime[3])
{
    __asm__ volatile("mrs %0, mair_el1" : "=r"(regime[0]));
    __asm__ volatile("mrs %0, tcr_el1" : "=r"(regime[1]));
    __asm__ volatile("mrs %0, ttbr0_el1" : "=r"(regime[2]));
}
