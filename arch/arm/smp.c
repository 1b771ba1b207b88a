/* SPDX-License-Identifier: MIT */
/*
 * What starting a secondary CPU takes on AArch32: PSCI CPU_ON (SMC32,
 * PSCI 1.1, DEN0022, 5.6) over the DTB's conduit, landing at
 * secondary_entry (arch/arm/head.S) in SVC with the index as context; then,
 * on the new CPU, the boot CPU's LPAE regime and the per-CPU pointer in
 * TPIDRPRW. Where nothing answers PSCI (secure=on: the -bios stub, or an
 * ELF all CPUs enter) the secondaries wait in a pen, and are released to
 * secondary_pen_entry, which finds each one's index by MPIDR in a table
 * written here.
 */
#include <stddef.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "arch/arm/exception.h"
#include "arch/arm/mmu.h"
#include "arch/psci.h"
#include "arch/smp.h"

#define PSCI_CPU_ON_32 0x84000003u

#define MPIDR_AFF_MASK 0x00ffffffu
#define PEN_VALID 0x80000000u /* arch/arm/head.S: an entry that names a CPU */

extern char secondary_entry[], secondary_pen_entry[];
extern uint32_t smp_pen_release;
/* Read by secondary_pen_entry with its caches off: written, then cleaned. */
uint32_t smp_pen_mpidr[ARCH_MAX_CPUS];
/* Written by a released CPU the table does not name, caches off, in its
 * Aff0 slot. Alone in its cache lines (2 KiB: the largest CTR.CWG), so
 * nothing the boot CPU writes back can land on it, and it may be
 * invalidated before each read. */
uint32_t smp_pen_stray[512] __attribute__((aligned(2048)));
/* head.S scans the table and carves the stacks for CCDMA_MAX_CPUS: the two
 * must agree. */
_Static_assert(ARCH_MAX_CPUS == 8, "CCDMA_MAX_CPUS in arch/arm/head.S");

uint64_t arch_cpu_mpidr(void)
{
    uint32_t v;

    __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(v));
    return v & 0x00ffffffu;
}

int arch_cpu_on_psci(bool hvc, uint64_t mpidr, unsigned int idx)
{
    uintptr_t regs[8] = {PSCI_CPU_ON_32, (uintptr_t)mpidr, (uintptr_t)secondary_entry, idx};
    int trapped = hvc ? probe_hvc(regs) : probe_smc(regs);

    if (trapped)
        return CCDMA_ENOTSUP;
    return psci_cpu_on_error((int32_t)regs[0]);
}

int arch_cpu_pen_release(const uint64_t *mpidr, unsigned int n)
{
    for (unsigned int i = 0; i < ARCH_MAX_CPUS; i++)
        smp_pen_mpidr[i] = i < n && mpidr[i] ? ((uint32_t)mpidr[i] & MPIDR_AFF_MASK) | PEN_VALID
                                             : 0;
    /* The table to memory, then the release address, itself cleaned: a
     * pen polls memory with its caches off. */
    ccdma_plat_cache_clean(smp_pen_mpidr, sizeof(smp_pen_mpidr));
    __atomic_store_n(&smp_pen_release, (uint32_t)(uintptr_t)secondary_pen_entry, __ATOMIC_RELEASE);
    ccdma_plat_cache_clean(&smp_pen_release, sizeof(smp_pen_release));
    __asm__ volatile("dsb sy\n sev" ::: "memory");
    return 0;
}

unsigned int arch_cpu_pen_strays(uint64_t *mpidr, unsigned int n)
{
    unsigned int found = 0;

    ccdma_plat_cache_invalidate(smp_pen_stray, sizeof(smp_pen_stray));
    for (unsigned int i = 0; i < ARCH_MAX_CPUS; i++) {
        uint32_t v = __atomic_load_n(&smp_pen_stray[i], __ATOMIC_ACQUIRE);

        if (!(v & PEN_VALID))
            continue;
        if (found < n)
            mpidr[found] = v & MPIDR_AFF_MASK;
        found++;
    }
    return found;
}

void arch_cpu_regime(uint64_t regime[3])
{
    uint32_t mair0, mair1, ttbcr, lo, hi;

    __asm__ volatile("mrc p15, 0, %0, c10, c2, 0" : "=r"(mair0));
    __asm__ volatile("mrc p15, 0, %0, c10, c2, 1" : "=r"(mair1));
    __asm__ volatile("mrc p15, 0, %0, c2, c0, 2" : "=r"(ttbcr));
    __asm__ volatile("mrrc p15, 0, %0, %1, c2" : "=r"(lo), "=r"(hi));
    regime[0] = (uint64_t)mair1 << 32 | mair0;
    regime[1] = ttbcr;
    regime[2] = (uint64_t)hi << 32 | lo;
}

void arch_cpu_set_percpu(void *percpu)
{
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 4" ::"r"(percpu)); /* TPIDRPRW */
}

void *arch_cpu_percpu(void)
{
    void *p;

    __asm__ volatile("mrc p15, 0, %0, c13, c0, 4" : "=r"(p));
    return p;
}

void arch_cpu_secondary_init(const uint64_t regime[3], void *percpu, void *tls_page)
{
    (void)tls_page; /* newlib keeps no thread-local state here */
    mmu_enable_regime(regime[0], regime[1], regime[2]);
    arch_cpu_set_percpu(percpu);
    arch_cpu_event_stream();
}

/* The generic timer's event stream (CNTKCTL.EVNTEN, a tick every 2^8
 * counts) wakes every WFE regularly: a wait that missed its SEV still
 * comes back to check its deadline. */
#define CNTKCTL_EVNTEN (1u << 2)
#define CNTKCTL_EVNTI(n) ((uint32_t)(n) << 4)

void arch_cpu_event_stream(void)
{
    uint32_t v;

    __asm__ volatile("mrc p15, 0, %0, c14, c1, 0" : "=r"(v));
    v = (v & ~(0xfu << 4)) | CNTKCTL_EVNTEN | CNTKCTL_EVNTI(7);
    __asm__ volatile("mcr p15, 0, %0, c14, c1, 0\n isb" ::"r"(v));
}

void arch_cpu_send_event(void) { __asm__ volatile("dsb ish\n sev" ::: "memory"); }
void arch_cpu_wait_event(void) { __asm__ volatile("wfe" ::: "memory"); }

const char *arch_atomics_kind(void) { return "exclusives"; }
