/* SPDX-License-Identifier: MIT */
/*
 * Runtime lifetime (init, deferred work, shutdown) and the layer-wide
 * counters.
 */
#include "dma_internal.h"

static struct {
    bool initialised;
    uint64_t stats[DMA_STAT_COUNT];
} rt;

static ccdma_lock_t stats_lock = CCDMA_LOCK_INIT;

void dma_stat_add(enum dma_stat which, uint64_t n)
{
    unsigned long flags = ccdma_plat_lock(&stats_lock);

    rt.stats[which] += n;
    ccdma_plat_unlock(&stats_lock, flags);
}

bool dma_initialised(void)
{
    return rt.initialised;
}

int ccdma_init(const struct ccdma_config *cfg)
{
    struct ccdma_config c = {.debug = true};
    unsigned long flags;
    int err;

    if (rt.initialised)
        return CCDMA_EBUSY;
    if (cfg)
        c = *cfg;
    flags = ccdma_plat_lock(&stats_lock);
    memset(rt.stats, 0, sizeof(rt.stats));
    ccdma_plat_unlock(&stats_lock, flags);
    dma_report_set_quiet(c.quiet);
    dma_debug_init(c.debug);

    err = dma_coherent_init();
    if (err)
        goto fail_debug;
    err = dma_swiotlb_init(c.swiotlb_bytes, c.swiotlb_private_bytes,
                           c.swiotlb_dynamic);
    if (err)
        goto fail_coherent;
    err = dma_pool_init(c.atomic_pool_bytes, c.atomic_pool_max_bytes);
    if (err)
        goto fail_swiotlb;
    rt.initialised = true;
    return CCDMA_OK;

fail_swiotlb:
    dma_swiotlb_shutdown();
fail_coherent:
    dma_coherent_shutdown();
fail_debug:
    dma_debug_shutdown();
    dma_report("init failed: %s", ccdma_strerror(err));
    return err;
}

int ccdma_poll(void)
{
    if (!rt.initialised)
        return 0;
    return dma_pool_poll() + dma_swiotlb_poll();
}

int ccdma_shutdown(void)
{
    int leaks;

    if (!rt.initialised)
        return CCDMA_EINVAL;
    /* Report leaks while the pools they point into still exist. */
    leaks = dma_debug_shutdown();
    dma_pool_shutdown();
    dma_swiotlb_shutdown();
    dma_coherent_shutdown();
    rt.initialised = false;
    return leaks;
}

void ccdma_get_stats(struct ccdma_dma_stats *out)
{
    unsigned long flags;

    if (!out)
        return;
    flags = ccdma_plat_lock(&stats_lock);
    out->direct_maps = rt.stats[DMA_STAT_DIRECT_MAPS];
    out->bounced_maps = rt.stats[DMA_STAT_BOUNCED_MAPS];
    out->map_failures = rt.stats[DMA_STAT_MAP_FAILURES];
    out->coherent_allocs = rt.stats[DMA_STAT_COHERENT_ALLOCS];
    out->conversions = rt.stats[DMA_STAT_CONVERSIONS];
    out->leaked_pages = rt.stats[DMA_STAT_LEAKED_PAGES];
    out->leak_events = rt.stats[DMA_STAT_LEAK_EVENTS];
    ccdma_plat_unlock(&stats_lock, flags);
    out->reports = dma_report_count();
}
