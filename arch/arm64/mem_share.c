/* SPDX-License-Identifier: MIT */
#include "arch/arm64/mem_share.h"

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "boot/page_alloc.h"
#include "boot/runtime.h"

static struct mem_share_stats stats;

void mem_share_get_stats(struct mem_share_stats *out) { *out = stats; }

int mem_share_range(void *va, size_t size, bool to_shared)
{
    uint64_t pa = ccdma_plat_virt_to_phys(va);

    if (!va || size == 0 || ((pa | size) & (ccdma_plat_share_granule() - 1)) ||
        !page_alloc_owns(pa, size))
        return CCDMA_EINVAL;
    if (to_shared)
        stats.shared_calls++;
    else
        stats.unshared_calls++;
    if (!rt.realm)
        return 0; /* plain mode: everything is already reachable */
    return CCDMA_ENOTSUP; /* realm conversions come with the RSI client */
}
