/* SPDX-License-Identifier: MIT */
/*
 * Host port: the page allocator over the arena, and the linear map.
 *
 * First fit from the lowest free page, honouring phys_limit; fresh pages
 * are poisoned (HOST_POISON). Requests that
 * are a whole number of share granules start on a granule, so the memory
 * can be converted. Every page has a state byte: free pages are never
 * shared, and shared or quarantined pages are never freed (a free of one is
 * refused and counted: it is a bug in the caller).
 */
#include "host_port.h"

#include <string.h>

size_t host_page_index(ccdma_phys_t pa)
{
    if (!host_port.ready || pa < host_port.base ||
        pa - host_port.base >= (ccdma_phys_t)host_port.npages * CCDMA_PAGE_SIZE)
        return SIZE_MAX;
    return (size_t)((pa - host_port.base) / CCDMA_PAGE_SIZE);
}

/* mu held: first index of n free pages ending at or below limit. */
static size_t find_free(size_t n, size_t align, ccdma_phys_t limit)
{
    struct host_port *hp = &host_port;
    size_t i = (hp->hint + align - 1) / align * align;

    while (i + n <= hp->npages) {
        ccdma_phys_t last = hp->base + (ccdma_phys_t)(i + n) * CCDMA_PAGE_SIZE - 1;
        size_t j;

        if (last > limit)
            return SIZE_MAX;
        for (j = i; j < i + n && !hp->state[j]; j++)
            ;
        if (j == i + n)
            return i;
        i = (j + 1 + align - 1) / align * align;
    }
    return SIZE_MAX;
}

void *ccdma_plat_pages_alloc(size_t npages, ccdma_phys_t phys_limit)
{
    struct host_port *hp = &host_port;
    size_t gpages = hp->cfg.share_granule / CCDMA_PAGE_SIZE;
    size_t i = SIZE_MAX;
    void *va = NULL;

    if (!hp->ready || !npages || npages > hp->npages)
        return NULL;
    pthread_mutex_lock(&hp->mu);
    if (!host_fault_due(&hp->allocs_seen, hp->faults.alloc_fail_after,
                        hp->faults.alloc_fail_count))
        i = find_free(npages, npages % gpages ? 1 : gpages, phys_limit);
    if (i != SIZE_MAX) {
        memset(hp->state + i, PAGE_USED, npages);
        while (hp->hint < hp->npages && hp->state[hp->hint])
            hp->hint++;
        hp->c.page_allocs++;
        hp->c.pages_in_use += npages;
        va = hp->arena + i * CCDMA_PAGE_SIZE;
    }
    pthread_mutex_unlock(&hp->mu);
    /* Unspecified contents: make code that expects zeros fail visibly. */
    if (va)
        memset(va, HOST_POISON, npages * CCDMA_PAGE_SIZE);
    return va;
}

void ccdma_plat_pages_free(void *va, size_t npages)
{
    struct host_port *hp = &host_port;
    ccdma_phys_t pa = ccdma_plat_virt_to_phys(va);
    size_t i = host_page_index(pa);
    bool ok = i != SIZE_MAX && npages && npages <= hp->npages - i &&
              pa % CCDMA_PAGE_SIZE == 0;

    if (!hp->ready)
        return;
    pthread_mutex_lock(&hp->mu);
    for (size_t j = i; ok && j < i + npages; j++)
        ok = hp->state[j] == PAGE_USED;
    if (ok) {
        memset(hp->state + i, 0, npages);
        if (i < hp->hint)
            hp->hint = i;
        hp->c.page_frees++;
        hp->c.pages_in_use -= npages;
    } else {
        hp->c.bad_frees++;
    }
    pthread_mutex_unlock(&hp->mu);
    if (!ok)
        host_report("refused free of %p+%zu pages: not all allocated, private "
                    "and outside quarantine", va, npages);
}

ccdma_phys_t ccdma_plat_virt_to_phys(const void *va)
{
    const uint8_t *p = va;
    struct host_port *hp = &host_port;

    if (!hp->ready || p < hp->arena || p >= hp->arena + hp->npages * CCDMA_PAGE_SIZE)
        return HOST_PHYS_INVALID;
    return hp->base + (ccdma_phys_t)(p - hp->arena);
}

void *ccdma_plat_phys_to_virt(ccdma_phys_t pa)
{
    size_t i = host_page_index(pa);

    if (i == SIZE_MAX)
        return NULL;
    return host_port.arena + (pa - host_port.base);
}

static bool page_has(ccdma_phys_t pa, uint8_t bits)
{
    size_t i = host_page_index(pa);
    bool has;

    if (i == SIZE_MAX)
        return false;
    pthread_mutex_lock(&host_port.mu);
    has = (host_port.state[i] & bits) == bits;
    pthread_mutex_unlock(&host_port.mu);
    return has;
}

bool host_platform_page_allocated(ccdma_phys_t pa)
{
    return page_has(pa, PAGE_USED);
}

bool host_platform_page_shared(ccdma_phys_t pa)
{
    return page_has(pa, PAGE_SHARED);
}

bool host_platform_page_quarantined(ccdma_phys_t pa)
{
    return page_has(pa, PAGE_QUARANTINED);
}

size_t host_platform_free_pages(void)
{
    size_t n;

    pthread_mutex_lock(&host_port.mu);
    n = host_port.npages - host_port.c.pages_in_use;
    pthread_mutex_unlock(&host_port.mu);
    return n;
}

void host_platform_for_each_shared(void (*fn)(void *va, ccdma_phys_t pa,
                                              size_t bytes, void *ctx),
                                   void *ctx)
{
    struct host_port *hp = &host_port;
    size_t i = 0;

    if (!hp->ready)
        return;
    /* The callback may read the pages but must not call into the port. */
    while (i < hp->npages) {
        size_t j = i;

        while (j < hp->npages && (hp->state[j] & PAGE_SHARED))
            j++;
        if (j > i)
            fn(hp->arena + i * CCDMA_PAGE_SIZE,
               hp->base + (ccdma_phys_t)i * CCDMA_PAGE_SIZE,
               (j - i) * CCDMA_PAGE_SIZE, ctx);
        i = j + 1;
    }
}
