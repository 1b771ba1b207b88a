/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator over the RAM the DTB reports, minus the image, the
 * DTB and reserved ranges. One bit per 4 KiB page; allocations are
 * contiguous runs under a physical limit (for devices with small masks).
 */
#ifndef CCDMA_BOOT_PAGE_ALLOC_H
#define CCDMA_BOOT_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "boot/dt_platform.h"

struct page_alloc_exclude {
    uint64_t base;
    uint64_t size;
};

/* Build the allocator from the DTB's memory, minus the DTB's reserved ranges
 * and the n extra excluded ranges. Returns 0 or a CCDMA_E* code. */
int page_alloc_init(const struct dt_platform *p,
                    const struct page_alloc_exclude *extra, unsigned int n);

/* npages contiguous pages whose last byte is <= phys_limit; NULL if none. */
void *page_alloc(size_t npages, uint64_t phys_limit);

/* Returns 0, or CCDMA_EFAULT for a range that is not (entirely) allocated:
 * a double or foreign free changes nothing. */
int page_free(void *va, size_t npages);

size_t page_alloc_free_pages(void);
size_t page_alloc_total_pages(void);

/* True when [pa, pa+size) lies entirely inside RAM the allocator manages
 * (allocated or not). */
int page_alloc_owns(uint64_t pa, uint64_t size);

#endif /* CCDMA_BOOT_PAGE_ALLOC_H */
