/* SPDX-License-Identifier: MIT */
/*
 * The record of direct coherent allocations: those that took pages from the
 * page allocator (and converted them when the device needs shared memory).
 *
 * A free must give back exactly the pages the allocation took, in the state
 * the allocation left them. The caller's handle and size cannot be trusted
 * for that: dma-debug checks them, but it may be off, or may have switched
 * itself off after running out of entries, and then a private-encoded
 * handle of a shared allocation would send still-shared pages to the
 * private page allocator (to be reused with the host still able to see
 * them), a larger size would free the next allocation, and a pointer into
 * the middle would free a tail. So every allocation is recorded here, and a
 * free that does not name one exactly (start, size in pages, encoding of
 * its state) is EFAULT and changes nothing. The atomic and restricted pools
 * keep the same facts in their own metadata.
 *
 * Records sit in an interval tree keyed by physical range, so a free of an
 * address inside an allocation is told apart from an unknown address.
 * They come from private pages of the page allocator, a page at a time,
 * like dma-debug entries; one page is taken at init so that the common case
 * never allocates metadata, and a record is reserved before the
 * allocation's pages, so a conversion never has to be undone for want of
 * one.
 */
#include "dma_internal.h"
#include "interval_tree.h"

#include <stddef.h>

struct dma_coherent_rec {
    struct itree_node node;          /* [pa, pa + bytes - 1] */
    struct dma_coherent_rec *next_free;
    size_t bytes;                    /* pages taken: what a free gives back */
    size_t npages;                   /* pages requested: what a free must name */
    bool shared;                     /* converted to shared: free converts back */
};

struct rec_page {
    struct rec_page *next;
};

#define REC_OFFSET DMA_ALIGN_UP(sizeof(struct rec_page), (size_t)16)
#define RECS_PER_PAGE ((DMA_PAGE_SIZE - REC_OFFSET) / sizeof(struct dma_coherent_rec))

static struct {
    struct itree_node *root;
    struct dma_coherent_rec *free_list;
    struct rec_page *pages;
    uint32_t rng;
} reg;

static ccdma_lock_t reg_lock = CCDMA_LOCK_INIT;
struct dma_bounds dma_coherent_private_bounds = {UINT64_MAX, 0};

/* reg_lock held. */
static void add_page(struct rec_page *page)
{
    page->next = reg.pages;
    reg.pages = page;
    for (size_t i = 0; i < RECS_PER_PAGE; i++) {
        struct dma_coherent_rec *r =
            (struct dma_coherent_rec *)((char *)page + REC_OFFSET) + i;

        r->next_free = reg.free_list;
        reg.free_list = r;
    }
}

int dma_coherent_init(void)
{
    struct rec_page *page = ccdma_plat_pages_alloc(1, UINT64_MAX);
    unsigned long flags;

    if (!page)
        return CCDMA_ENOMEM;
    flags = ccdma_plat_lock(&reg_lock);
    memset(&reg, 0, sizeof(reg));
    dma_bounds_reset(&dma_coherent_private_bounds);
    reg.rng = 0x2545f491u;
    add_page(page);
    ccdma_plat_unlock(&reg_lock, flags);
    return CCDMA_OK;
}

/* Live allocations at shutdown are the caller's leak (dma-debug reports
 * them); their records go with the metadata pages. */
void dma_coherent_shutdown(void)
{
    unsigned long flags = ccdma_plat_lock(&reg_lock);
    struct rec_page *page = reg.pages, *next;

    memset(&reg, 0, sizeof(reg));
    ccdma_plat_unlock(&reg_lock, flags);
    for (; page; page = next) {
        next = page->next;
        ccdma_plat_pages_free(page, 1);
    }
}

struct dma_coherent_rec *dma_coherent_reserve(void)
{
    struct dma_coherent_rec *r;
    struct rec_page *page;
    unsigned long flags;

    for (int tries = 0; tries < 2; tries++) {
        flags = ccdma_plat_lock(&reg_lock);
        r = reg.free_list;
        if (r)
            reg.free_list = r->next_free;
        ccdma_plat_unlock(&reg_lock, flags);
        if (r || tries)
            break;
        /* Outside the lock: the page allocator may be slow. */
        page = ccdma_plat_pages_alloc(1, UINT64_MAX);
        if (!page)
            return NULL;
        flags = ccdma_plat_lock(&reg_lock);
        add_page(page);
        ccdma_plat_unlock(&reg_lock, flags);
    }
    if (r)
        memset(r, 0, sizeof(*r));
    return r;
}

void dma_coherent_cancel(struct dma_coherent_rec *rec)
{
    unsigned long flags = ccdma_plat_lock(&reg_lock);

    rec->next_free = reg.free_list;
    reg.free_list = rec;
    ccdma_plat_unlock(&reg_lock, flags);
}

void dma_coherent_commit(struct dma_coherent_rec *rec, ccdma_phys_t pa,
                         size_t bytes, size_t size, bool shared)
{
    unsigned long flags;

    rec->bytes = bytes;
    rec->npages = DMA_DIV_UP(size, DMA_PAGE_SIZE);
    rec->shared = shared;
    rec->node.start = pa;
    rec->node.last = pa + bytes - 1;
    flags = ccdma_plat_lock(&reg_lock);
    rec->node.prio = itree_next_prio(&reg.rng);
    itree_insert(&reg.root, &rec->node);
    if (!shared)
        dma_private_widen(&dma_coherent_private_bounds, pa, bytes);
    ccdma_plat_unlock(&reg_lock, flags);
}

static bool match_private(const struct itree_node *n, void *ctx)
{
    (void)ctx;
    return !((const struct dma_coherent_rec *)((const char *)n -
                                               offsetof(struct dma_coherent_rec, node)))->shared;
}

bool dma_coherent_private_slow(ccdma_phys_t pa, size_t size)
{
    unsigned long flags;
    bool found;

    flags = ccdma_plat_lock(&reg_lock);
    found = itree_find(reg.root, pa, pa + size - 1, match_private, NULL) != NULL;
    ccdma_plat_unlock(&reg_lock, flags);
    return found;
}

static bool match_any(const struct itree_node *n, void *ctx)
{
    (void)n;
    (void)ctx;
    return true;
}

int dma_coherent_forget(ccdma_phys_t pa, size_t size, bool enc_shared,
                        size_t *bytes, bool *shared)
{
    unsigned long flags = ccdma_plat_lock(&reg_lock);
    struct itree_node *n = itree_find(reg.root, pa, pa, match_any, NULL);
    struct dma_coherent_rec *r =
        n ? (struct dma_coherent_rec *)((char *)n - offsetof(struct dma_coherent_rec, node))
          : NULL;
    const char *why = NULL;

    /* Allocations never overlap, so at most one record covers pa. */
    if (!r)
        why = "not a coherent allocation";
    else if (r->node.start != pa)
        why = "inside an allocation, not its start";
    else if (DMA_DIV_UP(size, DMA_PAGE_SIZE) != r->npages)
        why = "not the allocation's size";
    /* The handle's encoding must be the state the allocation left the
     * pages in (with CC off both are the plain address, and count as
     * shared). */
    else if (enc_shared != (r->shared || !dma_cc()))
        why = r->shared ? "a private-encoded handle of shared memory"
                        : "a shared-encoded handle of private memory";
    if (why) {
        ccdma_plat_unlock(&reg_lock, flags);
        dma_report("free of %#llx+%zu: %s; refused, nothing freed",
                   (unsigned long long)pa, size, why);
        return CCDMA_EFAULT;
    }
    itree_remove(&reg.root, &r->node);
    *bytes = r->bytes;
    *shared = r->shared;
    r->next_free = reg.free_list;
    reg.free_list = r;
    ccdma_plat_unlock(&reg_lock, flags);
    return CCDMA_OK;
}
