/* SPDX-License-Identifier: MIT */
/*
 * Converting runtime-owned memory between private and shared.
 *
 * Order (what Linux's set_memory_decrypted does on arm64):
 *   1. clean+invalidate the range, so no dirty line of the old view can be
 *      written back over the new one;
 *   2. break: unmap the range in stage 1 (break-before-make, TLBI);
 *   3. RSI_IPA_STATE_SET (EMPTY to share, RAM to unshare), looping on
 *      partial progress;
 *   4. make: map the same CPU addresses to the unprotected alias
 *      (IPA | shared bit) when shared, or back to the protected IPA.
 * Contents never survive: the RMM wipes granules on every conversion.
 *
 * A failure leaves the range unmapped and quarantined: its state is unknown
 * (part may have converted, the host may see it), so it is never handed
 * back to the page allocator, and any stray access faults loudly.
 */
#include "arch/arm64/mem_share.h"

#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "arch/arm64/mmu.h"
#include "arch/arm64/rsi.h"
#include "arch/realm.h"

#define MAX_QUARANTINE 64

struct quarantine {
    uint64_t base;
    uint64_t size;
};

static struct mem_share_stats stats;
static struct quarantine quarantined[MAX_QUARANTINE];
static unsigned int n_quarantined;

void mem_share_get_stats(struct mem_share_stats *out) { *out = stats; }

static void quarantine(uint64_t base, uint64_t size, const char *why)
{
    stats.quarantined_granules += size / ccdma_plat_share_granule();
    if (n_quarantined < MAX_QUARANTINE)
        quarantined[n_quarantined++] = (struct quarantine){base, size};
    else
        printf("ccdma: quarantine table full; 0x%llx is only counted\n",
               (unsigned long long)base);
    printf("ccdma: quarantined 0x%llx+0x%llx (%s): never reused\n", (unsigned long long)base,
           (unsigned long long)size, why);
}

bool mem_share_is_quarantined(uint64_t pa, uint64_t size)
{
    for (unsigned int i = 0; i < n_quarantined; i++)
        if (pa < quarantined[i].base + quarantined[i].size && quarantined[i].base < pa + size)
            return true;
    /* If the table overflowed we cannot tell: refuse rather than risk reuse. */
    return n_quarantined == MAX_QUARANTINE;
}

int mem_share_range(void *va, size_t size, bool to_shared)
{
    uint64_t pa = ccdma_plat_virt_to_phys(va);
    uint64_t reached = pa;

    if (to_shared)
        stats.shared_calls++;
    else
        stats.unshared_calls++;
    if (!arch_realm.realm)
        return 0; /* plain mode: everything is already reachable */

    ccdma_plat_cache_clean_invalidate(va, size);
    int err = mmu_map(pa, pa, size, MMU_UNMAPPED);
    if (err)
        return err; /* nothing converted yet; the old mapping is intact */

    err = to_shared ? rsi_mem_share(pa, pa + size, &reached)
                    : rsi_mem_unshare(pa, pa + size, &reached);
    if (err) {
        stats.failures++;
        printf("ccdma: %s of 0x%llx+0x%zx failed at 0x%llx: %s\n",
               to_shared ? "share" : "unshare", (unsigned long long)pa, size,
               (unsigned long long)reached, ccdma_strerror(err));
        quarantine(pa, size, to_shared ? "share failed" : "unshare failed");
        /* A refusal and a host that makes no progress are the host's
         * answers; anything else is the RMM failing. */
        return err == CCDMA_EREJECT || err == CCDMA_ETIMEDOUT ? err : CCDMA_ERSI;
    }

    err = mmu_map(pa, to_shared ? (pa | arch_realm.shared_bit) : pa, size, MMU_NORMAL);
    if (err) {
        /* Converted but unreachable: as good as lost. */
        stats.failures++;
        quarantine(pa, size, "remap failed");
        return err;
    }
    if (to_shared)
        stats.granules_shared += size / ccdma_plat_share_granule();
    else
        stats.granules_unshared += size / ccdma_plat_share_granule();
    return 0;
}
