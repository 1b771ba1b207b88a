/* SPDX-License-Identifier: MIT */
/*
 * Memory as the emulated RMM reaches it at EL2: DRAM through the program's
 * identity map (granule PA = its address), cache maintenance to the point
 * of coherency for memory the realm or a device reads without our cache,
 * and stage-2 TLB invalidation by IPA for a realm's VMID.
 */
#include "arch/arm64/cache.h"
#include "el2_sysreg.h"
#include "rmm.h"

/* Above this many pages one invalidation of the whole VMID is cheaper. */
#define TLBI_BY_IPA_MAX 32u
#define VTTBR_VMID_SHIFT 48

void *granule_map(uint64_t pa)
{
    return (void *)(uintptr_t)pa;
}

void granule_clean(uint64_t pa)
{
    dcache_clean_range(pa, GRANULE_SIZE);
}

/* TLBI IPAS2E1IS acts on the VMID in VTTBR_EL2: switch to the realm's for
 * the duration (the host runs at EL2, where stage 2 does not apply).
 * Combined stage-1+2 entries are not tagged by IPA, so the stage-1 entries
 * of the VMID go too. */
void s2tt_invalidate(const struct s2_ctx *s2, uint64_t ipa, uint64_t size)
{
    uint64_t saved = read_sysreg(vttbr_el2);
    uint64_t pages = size >> GRANULE_SHIFT;

    write_sysreg(vttbr_el2, s2->rtt_base | (uint64_t)s2->vmid << VTTBR_VMID_SHIFT);
    isb();
    dsb(ishst);
    if (pages <= TLBI_BY_IPA_MAX) {
        for (uint64_t p = 0; p < pages; p++)
            __asm__ volatile("tlbi ipas2e1is, %0" ::"r"((ipa >> GRANULE_SHIFT) + p) : "memory");
        dsb(ish);
        __asm__ volatile("tlbi vmalle1is" ::: "memory");
    } else {
        __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    }
    dsb(ish);
    isb();
    write_sysreg(vttbr_el2, saved);
    isb();
}
