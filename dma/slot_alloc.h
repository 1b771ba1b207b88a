/* SPDX-License-Identifier: MIT */
/*
 * The bounce slot allocator: runs of 2 KiB slots inside 128-slot segments.
 * See slot_alloc.c for the structure and why it was chosen.
 */
#ifndef CCDMA_SLOT_ALLOC_H
#define CCDMA_SLOT_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slot_alloc {
    uint32_t nslots;
    uint32_t nsegs;
    uint32_t leaves;          /* power of two >= nsegs */
    uint32_t used;
    uint64_t *free;           /* 2 words per segment; a set bit is a free slot */
    uint8_t *tree;            /* max-tree of each segment's longest free run */
    uint64_t probes;          /* segments examined by searches */
};

/* Bytes of metadata slot_alloc_init() needs for nslots (8-byte aligned). */
size_t slot_alloc_meta_size(uint32_t nslots);
void slot_alloc_init(struct slot_alloc *sa, uint32_t nslots, void *meta);

/*
 * Take n (1..128) contiguous free slots inside one segment, whose first
 * index i satisfies (i & (stride - 1)) == phase, stride a power of two up to
 * 128. Returns the first index, or -1 when no such run exists.
 */
int64_t slot_alloc_take(struct slot_alloc *sa, uint32_t n, uint32_t stride,
                        uint32_t phase);

/* Give back [start, start+n). Returns false, changing nothing, if any of
 * those slots is free already or the range leaves the allocator. */
bool slot_alloc_release(struct slot_alloc *sa, uint32_t start, uint32_t n);

/* Inline: every unmap asks it once. */
static inline bool slot_alloc_is_free(const struct slot_alloc *sa, uint32_t index)
{
    uint32_t seg = index / 128u, pos = index % 128u;

    if (index >= sa->nslots)
        return false;
    return (sa->free[2 * seg + pos / 64] >> (pos % 64)) & 1;
}
/* Longest free run in any segment: the largest n a take could satisfy.
 * Exact, O(S). */
uint32_t slot_alloc_longest(const struct slot_alloc *sa);
/* Maximal runs of free slots, counted per segment (a run never crosses
 * one). O(S). */
uint32_t slot_alloc_free_runs(const struct slot_alloc *sa);

#endif /* CCDMA_SLOT_ALLOC_H */
