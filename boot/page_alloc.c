/* SPDX-License-Identifier: MIT */
#include "boot/page_alloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#define PAGE_SIZE CCDMA_PAGE_SIZE
#define MAX_PAGES (4ull << 30 >> CCDMA_PAGE_SHIFT) /* 4 GiB of RAM */
#define WORD_BITS 64

struct region {
    uint64_t base;     /* page aligned */
    size_t npages;
    size_t first_bit;  /* index of page 0 in the bitmap */
};

/* A set bit means "not available" (allocated, reserved or the image). */
static uint64_t bitmap[MAX_PAGES / WORD_BITS];
/* Pages that were never the allocator's to hand out; a free of one is a bug. */
static uint64_t reserved_map[MAX_PAGES / WORD_BITS];
static struct region regions[DT_MAX_MEM];
static unsigned int n_regions;
static size_t total_pages, free_pages;
/* Any CPU may allocate (coherent DMA memory, pools): one lock for the
 * bitmap. It is the seam's, so it also masks interrupts. */
static ccdma_lock_t lock = CCDMA_LOCK_INIT;

static bool bit_test(size_t i) { return bitmap[i / WORD_BITS] >> (i % WORD_BITS) & 1; }
static void bit_set(size_t i) { bitmap[i / WORD_BITS] |= 1ull << (i % WORD_BITS); }
static void bit_clear(size_t i) { bitmap[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS)); }

/* Mark [base, base+size) unavailable wherever it overlaps managed RAM. */
static void exclude(uint64_t base, uint64_t size)
{
    uint64_t start = base & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t end = base + size;
    if (end < base)
        end = UINT64_MAX;
    for (unsigned int r = 0; r < n_regions; r++) {
        uint64_t rs = regions[r].base;
        uint64_t re = rs + (uint64_t)regions[r].npages * PAGE_SIZE;
        uint64_t s = start > rs ? start : rs;
        uint64_t e = end < re ? end : re;
        for (uint64_t pa = s; pa < e; pa += PAGE_SIZE) {
            size_t bit = regions[r].first_bit + (size_t)((pa - rs) / PAGE_SIZE);
            if (!bit_test(bit)) {
                bit_set(bit);
                free_pages--;
            }
            reserved_map[bit / WORD_BITS] |= 1ull << (bit % WORD_BITS);
        }
    }
}

int page_alloc_init(const struct dt_platform *p,
                    const struct page_alloc_exclude *extra, unsigned int n)
{
    size_t next_bit = 0;

    memset(bitmap, 0xff, sizeof(bitmap));
    memset(reserved_map, 0, sizeof(reserved_map));
    n_regions = 0;
    total_pages = free_pages = 0;
    for (unsigned int i = 0; i < p->n_mem; i++) {
        uint64_t base = (p->mem[i].base + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
        uint64_t end = (p->mem[i].base + p->mem[i].size) & ~(uint64_t)(PAGE_SIZE - 1);
        if (end <= base)
            continue;
        size_t np = (size_t)((end - base) / PAGE_SIZE);
        if (next_bit + np > MAX_PAGES) {
            printf("ccdma: page allocator: RAM beyond %llu MiB ignored\n",
                   (unsigned long long)(MAX_PAGES * PAGE_SIZE >> 20));
            np = (size_t)(MAX_PAGES - next_bit);
        }
        if (np == 0)
            break;
        bool overlap = false;
        for (unsigned int r = 0; r < n_regions; r++)
            overlap |= base < regions[r].base + (uint64_t)regions[r].npages * PAGE_SIZE &&
                       regions[r].base < base + (uint64_t)np * PAGE_SIZE;
        if (overlap) {
            /* The same page under two bits could be handed out twice. */
            printf("ccdma: page allocator: overlapping RAM 0x%llx ignored\n",
                   (unsigned long long)base);
            continue;
        }
        regions[n_regions++] = (struct region){base, np, next_bit};
        for (size_t b = next_bit; b < next_bit + np; b++)
            bit_clear(b);
        next_bit += np;
        total_pages += np;
        free_pages += np;
    }
    if (n_regions == 0)
        return CCDMA_ENOMEM;
    for (unsigned int i = 0; i < p->n_reserved; i++)
        exclude(p->reserved[i].base, p->reserved[i].size);
    for (unsigned int i = 0; i < n; i++)
        exclude(extra[i].base, extra[i].size);
    return free_pages ? 0 : CCDMA_ENOMEM;
}

/* First fit within one region, skipping whole busy words quickly. */
static void *alloc_in_region(const struct region *r, size_t npages, uint64_t limit)
{
    size_t run = 0;
    for (size_t i = 0; i < r->npages; i++) {
        size_t bit = r->first_bit + i;
        if (run == 0 && bit % WORD_BITS == 0 && bitmap[bit / WORD_BITS] == UINT64_MAX &&
            i + WORD_BITS <= r->npages) {
            i += WORD_BITS - 1;
            continue;
        }
        if (bit_test(bit)) {
            run = 0;
            continue;
        }
        if (++run < npages)
            continue;
        size_t first = i + 1 - npages;
        uint64_t pa = r->base + (uint64_t)first * PAGE_SIZE;
        if (pa + (uint64_t)npages * PAGE_SIZE - 1 > limit)
            return NULL; /* later pages are higher still */
        for (size_t j = 0; j < npages; j++)
            bit_set(r->first_bit + first + j);
        free_pages -= npages;
        return (void *)(uintptr_t)pa;
    }
    return NULL;
}

void *page_alloc(size_t npages, uint64_t phys_limit)
{
    void *va = NULL;
    unsigned long flags;

    if (npages == 0)
        return NULL;
    flags = ccdma_plat_lock(&lock);
    for (unsigned int r = 0; r < n_regions && va == NULL && npages <= free_pages; r++)
        va = alloc_in_region(&regions[r], npages, phys_limit);
    ccdma_plat_unlock(&lock, flags);
    return va;
}

static const struct region *region_of(uint64_t pa, size_t npages)
{
    for (unsigned int r = 0; r < n_regions; r++) {
        uint64_t rs = regions[r].base;
        uint64_t re = rs + (uint64_t)regions[r].npages * PAGE_SIZE;
        if (pa >= rs && pa < re && npages <= (re - pa) / PAGE_SIZE)
            return &regions[r];
    }
    return NULL;
}

int page_free(void *va, size_t npages)
{
    uint64_t pa = (uint64_t)(uintptr_t)va;
    const struct region *r = region_of(pa, npages);
    unsigned long flags;
    int err = 0;

    if (!va || npages == 0 || (pa & (PAGE_SIZE - 1)) || !r)
        return CCDMA_EFAULT;
    size_t first = r->first_bit + (size_t)((pa - r->base) / PAGE_SIZE);
    flags = ccdma_plat_lock(&lock);
    for (size_t j = 0; j < npages && !err; j++)
        if (!bit_test(first + j) ||
            (reserved_map[(first + j) / WORD_BITS] >> ((first + j) % WORD_BITS) & 1))
            err = CCDMA_EFAULT; /* double free, reserved, or never allocated */
    for (size_t j = 0; j < npages && !err; j++)
        bit_clear(first + j);
    if (!err)
        free_pages += npages;
    ccdma_plat_unlock(&lock, flags);
    return err;
}

size_t page_alloc_free_pages(void) { return free_pages; }
size_t page_alloc_total_pages(void) { return total_pages; }

int page_alloc_owns(uint64_t pa, uint64_t size)
{
    return size && region_of(pa & ~(uint64_t)(PAGE_SIZE - 1),
                             (size_t)((size + (pa & (PAGE_SIZE - 1)) + PAGE_SIZE - 1) /
                                      PAGE_SIZE)) != NULL;
}
