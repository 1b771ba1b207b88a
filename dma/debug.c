/* SPDX-License-Identifier: MIT */
/*
 * dma-debug: every live allocation and mapping, and what drivers do wrong
 * with them.
 *
 * Each entry sits in two interval trees. One is keyed by DMA address, for
 * unmap (exact start) and sync (the mapping that covers an address). The
 * other is keyed by the physical range of the caller's memory, so that two
 * streaming mappings of the same bytes are caught even when one of them
 * bounced and their DMA addresses have nothing in common. Overlaps are fine
 * only when both mappings are TO_DEVICE: anything else lets a device write
 * bytes another mapping reads or copies back.
 *
 * Findings are counted per kind (struct ccdma_debug_counters) and reported.
 * An unknown, foreign or already-unmapped address is refused: the entry
 * points never pass it on to a layer that would free someone else's slots.
 * Entries come from private pages of the page allocator, a page at a time.
 */
#include "dma_internal.h"
#include "interval_tree.h"

#include <stddef.h>

#define RECENT_UNMAPS 64u
#define LEAK_REPORT_MAX 16

struct dbg_entry {
    struct itree_node by_dma;
    struct itree_node by_phys;
    struct dbg_entry *next_free;
    const char *dev_name;
    uint32_t dev_id;
    uint8_t type;
    uint8_t dir;
    bool in_phys_tree;
    ccdma_dma_t dma;
    ccdma_phys_t pa;
    size_t size;
};

struct dbg_page {
    struct dbg_page *next;
};

#define ENTRY_OFFSET DMA_ALIGN_UP(sizeof(struct dbg_page), (size_t)16)
#define ENTRIES_PER_PAGE ((DMA_PAGE_SIZE - ENTRY_OFFSET) / sizeof(struct dbg_entry))

#define entry_of(node, member)                                                 \
    ((struct dbg_entry *)((char *)(node) - offsetof(struct dbg_entry, member)))

struct recent_unmap {
    uint32_t dev_id;
    ccdma_dma_t dma;
};

/* Read without the lock by the hooks' inline wrappers (dma_internal.h);
 * written under dbg_lock. */
bool dma_debug_enabled;

static struct {
    struct itree_node *by_dma;
    struct itree_node *by_phys;
    struct dbg_entry *free_list;
    struct dbg_page *pages;
    uint32_t rng;
    struct recent_unmap recent[RECENT_UNMAPS];
    unsigned int recent_next;
    struct ccdma_debug_counters c;
    struct dma_ratelimit rl;
} dbg;

static ccdma_lock_t dbg_lock = CCDMA_LOCK_INIT;

static bool debug_on(void)
{
    return __atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED);
}

/* Take the lock when dma-debug is on: false (and no lock held) when off. */
static bool lock_if_on(unsigned long *flags)
{
    *flags = ccdma_plat_lock(&dbg_lock);
    if (debug_on())
        return true;
    ccdma_plat_unlock(&dbg_lock, *flags);
    return false;
}

static void debug_set(bool on)
{
    __atomic_store_n(&dma_debug_enabled, on, __ATOMIC_RELAXED);
    dma_fast_update();
}

static const char *const type_names[] = {
    [DMA_DEBUG_SINGLE] = "single mapping",
    [DMA_DEBUG_SG] = "scatter-gather entry",
    [DMA_DEBUG_RESOURCE] = "resource mapping",
    [DMA_DEBUG_COHERENT] = "coherent allocation",
};

static const char *const dir_names[] = {
    [CCDMA_BIDIRECTIONAL] = "BIDIRECTIONAL",
    [CCDMA_TO_DEVICE] = "TO_DEVICE",
    [CCDMA_FROM_DEVICE] = "FROM_DEVICE",
};

/* dbg_lock held. Counts always; prints within the rate limit. */
#define DBG_ERROR(counter, ...)                                                \
    do {                                                                       \
        dbg.c.counter++;                                                       \
        dbg.c.errors++;                                                        \
        if (dma_ratelimit_ok(&dbg.rl))                                         \
            dma_report("dma-debug: " __VA_ARGS__);                             \
    } while (0)


/* ---- entry memory (dbg_lock held) ----------------------------------------- */

static struct dbg_entry *entry_alloc(void)
{
    struct dbg_entry *e = dbg.free_list;

    if (!e) {
        struct dbg_page *page = ccdma_plat_pages_alloc(1, UINT64_MAX);

        if (!page)
            return NULL;
        page->next = dbg.pages;
        dbg.pages = page;
        for (size_t i = 0; i < ENTRIES_PER_PAGE; i++) {
            e = (struct dbg_entry *)((char *)page + ENTRY_OFFSET) + i;
            e->next_free = dbg.free_list;
            dbg.free_list = e;
        }
        e = dbg.free_list;
    }
    dbg.free_list = e->next_free;
    memset(e, 0, sizeof(*e));
    return e;
}

static void entry_free(struct dbg_entry *e)
{
    e->next_free = dbg.free_list;
    dbg.free_list = e;
}

/* dbg_lock held: every entry and its pages gone, as at shutdown. */
static void forget_all(void)
{
    struct dbg_page *page, *next;

    for (page = dbg.pages; page; page = next) {
        next = page->next;
        ccdma_plat_pages_free(page, 1);
    }
    dbg.pages = NULL;
    dbg.free_list = NULL;
    dbg.by_dma = NULL;
    dbg.by_phys = NULL;
    dbg.c.live = 0;
}

/* ---- matching ------------------------------------------------------------------ */

struct match_ctx {
    uint32_t dev_id;       /* 0: any device */
    ccdma_dma_t start;     /* exact start, when `exact` */
    bool exact;
    bool streaming;        /* SINGLE or SG only */
    bool typed;            /* only entries of `type` */
    enum dma_debug_type type;
    enum ccdma_dir dir;    /* for overlap: the new mapping's direction */
};

static bool match_dma(const struct itree_node *n, void *arg)
{
    const struct dbg_entry *e = entry_of(n, by_dma);
    const struct match_ctx *m = arg;

    if (m->dev_id && e->dev_id != m->dev_id)
        return false;
    if (m->exact && e->dma != m->start)
        return false;
    if (m->streaming && e->type != DMA_DEBUG_SINGLE && e->type != DMA_DEBUG_SG)
        return false;
    if (m->typed && e->type != m->type)
        return false;
    return true;
}

static bool match_conflict(const struct itree_node *n, void *arg)
{
    const struct dbg_entry *e = entry_of(n, by_phys);
    const struct match_ctx *m = arg;

    return !(e->dir == CCDMA_TO_DEVICE && m->dir == CCDMA_TO_DEVICE);
}

static struct dbg_entry *find_dma(uint64_t start, uint64_t last,
                                  struct match_ctx *m)
{
    struct itree_node *n = itree_find(dbg.by_dma, start, last, match_dma, m);

    return n ? entry_of(n, by_dma) : NULL;
}

static bool recently_unmapped(uint32_t dev_id, ccdma_dma_t dma)
{
    for (unsigned int i = 0; i < RECENT_UNMAPS; i++)
        if (dbg.recent[i].dev_id == dev_id && dbg.recent[i].dma == dma)
            return true;
    return false;
}

/* ---- hooks ---------------------------------------------------------------------- */

void dma_debug_record(const struct ccdma_device *dev, enum dma_debug_type type,
                      ccdma_dma_t dma, ccdma_phys_t pa, size_t size,
                      enum ccdma_dir dir)
{
    unsigned long flags;
    struct dbg_entry *e;

    if (!lock_if_on(&flags))
        return;
    e = entry_alloc();
    if (!e) {
        /* Off, the API no longer tells dma-debug of unmaps and frees, so
         * what it holds would all be reported leaked at shutdown. */
        debug_set(false);
        dbg.c.enabled = false;
        forget_all();
        ccdma_plat_unlock(&dbg_lock, flags);
        dma_report("dma-debug: out of memory for entries, disabling");
        return;
    }
    e->dev_name = dma_dev_name(dev);
    e->dev_id = dev->debug_id;
    e->type = (uint8_t)type;
    e->dir = (uint8_t)dir;
    e->dma = dma;
    e->pa = pa;
    e->size = size;
    e->by_dma.start = dma;
    e->by_dma.last = dma + size - 1;
    e->by_dma.prio = itree_next_prio(&dbg.rng);
    itree_insert(&dbg.by_dma, &e->by_dma);

    if (type == DMA_DEBUG_SINGLE || type == DMA_DEBUG_SG) {
        struct match_ctx m = {.dir = dir};
        struct itree_node *hit =
            itree_find(dbg.by_phys, pa, pa + size - 1, match_conflict, &m);

        if (hit) {
            const struct dbg_entry *o = entry_of(hit, by_phys);

            DBG_ERROR(overlap,
                      "%s: %s mapping of %#llx+%zu overlaps the live %s mapping "
                      "of %#llx+%zu by %s",
                      e->dev_name, dir_names[dir], (unsigned long long)pa, size,
                      dir_names[o->dir], (unsigned long long)o->pa, o->size,
                      o->dev_name);
        }
        e->by_phys.start = pa;
        e->by_phys.last = pa + size - 1;
        e->by_phys.prio = itree_next_prio(&dbg.rng);
        itree_insert(&dbg.by_phys, &e->by_phys);
        e->in_phys_tree = true;
    }
    if (++dbg.c.live > dbg.c.max_live)
        dbg.c.max_live = dbg.c.live;
    ccdma_plat_unlock(&dbg_lock, flags);
}

static void forget(struct dbg_entry *e)
{
    itree_remove(&dbg.by_dma, &e->by_dma);
    if (e->in_phys_tree)
        itree_remove(&dbg.by_phys, &e->by_phys);
    dbg.recent[dbg.recent_next].dev_id = e->dev_id;
    dbg.recent[dbg.recent_next].dma = e->dma;
    dbg.recent_next = (dbg.recent_next + 1) % RECENT_UNMAPS;
    dbg.c.live--;
    entry_free(e);
}

static void report_unknown(const struct ccdma_device *dev,
                           enum dma_debug_type type, ccdma_dma_t dma)
{
    struct match_ctx any = {.exact = true, .start = dma};
    struct dbg_entry *other = find_dma(dma, dma, &any);

    if (other)
        DBG_ERROR(foreign_unmap, "%s: %s release of %#llx, which %s mapped",
                  dma_dev_name(dev), type_names[type], (unsigned long long)dma,
                  other->dev_name);
    else if (recently_unmapped(dev->debug_id, dma))
        DBG_ERROR(double_unmap, "%s: %s release of %#llx, already released",
                  dma_dev_name(dev), type_names[type], (unsigned long long)dma);
    else
        DBG_ERROR(foreign_unmap, "%s: %s release of %#llx, which was never mapped",
                  dma_dev_name(dev), type_names[type], (unsigned long long)dma);
}

int dma_debug_release(const struct ccdma_device *dev, enum dma_debug_type type,
                      ccdma_dma_t dma, size_t size, enum ccdma_dir dir,
                      bool size_must_match)
{
    struct match_ctx m = {.dev_id = dev->debug_id, .exact = true, .start = dma};
    unsigned long flags;
    struct dbg_entry *e;
    int ret = CCDMA_OK;

    if (!lock_if_on(&flags))
        return CCDMA_OK;
    /* A streaming mapping may legally start where a coherent allocation
     * does (already-shared memory mapped with CC_SHARED): release the entry
     * of the caller's type, and call it a wrong type only if none exists. */
    m.typed = true;
    m.type = type;
    e = find_dma(dma, dma, &m);
    m.typed = false;
    if (!e)
        e = find_dma(dma, dma, &m);
    if (!e) {
        report_unknown(dev, type, dma);
        ret = CCDMA_EFAULT;
        goto out;
    }
    if (e->type != type) {
        DBG_ERROR(wrong_type, "%s: %s release of %#llx, which is a %s",
                  e->dev_name, type_names[type], (unsigned long long)dma,
                  type_names[e->type]);
        ret = CCDMA_EINVAL;
        goto out;
    }
    if (e->size != size) {
        DBG_ERROR(wrong_size, "%s: release of %#llx with size %zu, mapped with %zu",
                  e->dev_name, (unsigned long long)dma, size, e->size);
        if (size_must_match) {
            ret = CCDMA_EINVAL;
            goto out;
        }
    }
    if (type != DMA_DEBUG_COHERENT && e->dir != dir)
        DBG_ERROR(wrong_dir, "%s: unmap of %#llx as %s, mapped %s", e->dev_name,
                  (unsigned long long)dma, dir_names[dir], dir_names[e->dir]);
    forget(e);
out:
    ccdma_plat_unlock(&dbg_lock, flags);
    return ret;
}

int dma_debug_check_sync(const struct ccdma_device *dev, ccdma_dma_t dma,
                         size_t size, enum ccdma_dir dir)
{
    struct match_ctx m = {.dev_id = dev->debug_id, .streaming = true};
    unsigned long flags;
    struct dbg_entry *e;
    int ret = CCDMA_OK;

    if (!lock_if_on(&flags))
        return CCDMA_OK;
    e = find_dma(dma, dma, &m);
    if (!e) {
        DBG_ERROR(sync_unmapped, "%s: sync of %#llx+%zu, which no live mapping covers",
                  dma_dev_name(dev), (unsigned long long)dma, size);
        ret = CCDMA_EFAULT;
    } else if (size - 1 > e->by_dma.last - dma) {
        DBG_ERROR(sync_out_of_range,
                  "%s: sync of %#llx+%zu runs past its mapping %#llx+%zu",
                  e->dev_name, (unsigned long long)dma, size,
                  (unsigned long long)e->dma, e->size);
        ret = CCDMA_EINVAL;
    } else if (e->dir != CCDMA_BIDIRECTIONAL && dir != e->dir) {
        DBG_ERROR(wrong_dir, "%s: sync of %#llx as %s, mapped %s", e->dev_name,
                  (unsigned long long)dma, dir_names[dir], dir_names[e->dir]);
    }
    ccdma_plat_unlock(&dbg_lock, flags);
    return ret;
}

/* The claim is checked only where the platform can tell (its query is
 * optional); "cannot tell" is no finding. */
bool dma_debug_check_shared(const struct ccdma_device *dev, const void *va, ccdma_phys_t pa,
                            size_t size)
{
    unsigned long flags;
    int state;

    if (!ccdma_plat_mem_is_shared)
        return true;
    state = ccdma_plat_mem_is_shared(va, size);
    if (state != 0)
        return true;
    flags = ccdma_plat_lock(&dbg_lock);
    DBG_ERROR(false_shared, "%s: CC_SHARED mapping of %#llx+%zu, but not every page of it "
              "is shared: refused", dma_dev_name(dev), (unsigned long long)pa, size);
    ccdma_plat_unlock(&dbg_lock, flags);
    return false;
}

/* ---- lifetime -------------------------------------------------------------------- */

void dma_debug_init(bool enabled)
{
    unsigned long flags = ccdma_plat_lock(&dbg_lock);

    memset(&dbg, 0, sizeof(dbg));
    dbg.rng = 0x9e3779b9u;
    debug_set(enabled);
    dbg.c.enabled = enabled;
    ccdma_plat_unlock(&dbg_lock, flags);
}

static void report_leaks(const struct itree_node *n, int *count)
{
    const struct dbg_entry *e;

    if (!n)
        return;
    report_leaks(n->left, count);
    e = entry_of(n, by_dma);
    if (++*count <= LEAK_REPORT_MAX)
        dma_report("dma-debug: %s: leaked %s of %#llx+%zu (%s)", e->dev_name,
                   type_names[e->type], (unsigned long long)e->dma, e->size,
                   e->type == DMA_DEBUG_COHERENT ? "-" : dir_names[e->dir]);
    report_leaks(n->right, count);
}

int dma_debug_shutdown(void)
{
    unsigned long flags = ccdma_plat_lock(&dbg_lock);
    int leaks = 0;

    report_leaks(dbg.by_dma, &leaks);
    if (leaks > LEAK_REPORT_MAX)
        dma_report("dma-debug: ... and %d more", leaks - LEAK_REPORT_MAX);
    if (leaks)
        dma_report("dma-debug: %d DMA allocations and mappings leaked", leaks);
    dbg.c.leaks += (uint64_t)leaks;
    dbg.c.errors += (uint64_t)leaks;
    forget_all();
    debug_set(false);
    ccdma_plat_unlock(&dbg_lock, flags);
    return leaks;
}

void ccdma_debug_get_counters(struct ccdma_debug_counters *out)
{
    unsigned long flags;

    if (!out)
        return;
    flags = ccdma_plat_lock(&dbg_lock);
    *out = dbg.c;
    ccdma_plat_unlock(&dbg_lock, flags);
}
