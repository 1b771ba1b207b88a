/* SPDX-License-Identifier: MIT */
/*
 * Sharing memory with the host: stage-1 break-before-make, the RSI call,
 * then the remap through the unprotected alias (or back). A range whose
 * conversion fails is quarantined: never reused, counted and reported.
 */
#ifndef CCDMA_ARM64_MEM_SHARE_H
#define CCDMA_ARM64_MEM_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Convert [va, va+size) to shared (or back). The caller has checked the
 * range: granule-aligned, non-empty, and all of it the page allocator's. */
int mem_share_range(void *va, size_t size, bool to_shared);

/* True when any of [pa, pa+size) was quarantined by a failed conversion. */
bool mem_share_is_quarantined(uint64_t pa, uint64_t size);

struct mem_share_stats {
    uint64_t shared_calls, unshared_calls;
    uint64_t granules_shared, granules_unshared;
    uint64_t failures;
    uint64_t quarantined_granules;
};

void mem_share_get_stats(struct mem_share_stats *out);

#endif /* CCDMA_ARM64_MEM_SHARE_H */
