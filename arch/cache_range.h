/* SPDX-License-Identifier: MIT */
/*
 * Invalidating a byte range for a device -> CPU transfer, shared by the arch
 * ports. Only whole lines may be invalidated: a line the range covers in
 * part also holds someone else's bytes, whose CPU writes must survive, so
 * those lines are cleaned and invalidated instead.
 */
#ifndef CCDMA_ARCH_CACHE_RANGE_H
#define CCDMA_ARCH_CACHE_RANGE_H

#include <stddef.h>
#include <stdint.h>

typedef void (*cache_range_op)(uintptr_t start, size_t size);

static inline void cache_invalidate_range(uintptr_t start, size_t size, uintptr_t line,
                                          cache_range_op invalidate,
                                          cache_range_op clean_invalidate)
{
    uintptr_t end = start + size;
    uintptr_t first = (start + line - 1) & ~(line - 1), last = end & ~(line - 1);

    if (size == 0)
        return;
    if (first >= last) { /* no whole line inside */
        clean_invalidate(start, size);
        return;
    }
    if (start != first)
        clean_invalidate(start, first - start);
    invalidate(first, last - first);
    if (end != last)
        clean_invalidate(last, end - last);
}

#endif
