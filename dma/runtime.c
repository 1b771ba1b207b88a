/* SPDX-License-Identifier: MIT */
/*
 * Runtime lifetime (init, deferred work, shutdown) and the layer-wide
 * counters.
 */
#include "dma_internal.h"

/* Set by ccdma_init(), cleared by ccdma_shutdown() (dma_internal.h). */
bool dma_rt_ready;
bool dma_fast_ok;
struct dma_bounds dma_private_bounds = {UINT64_MAX, 0};

void dma_fast_update(void)
{
    __atomic_store_n(&dma_fast_ok,
                     dma_rt_ready && dma_lin.on && dma_lin.d.va_base != 0 &&
                         !__atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED),
                     __ATOMIC_RELAXED);
}
bool dma_rt_cc;
struct dma_linear dma_lin;

uint64_t dma_stats[DMA_STAT_COUNT];

static uint64_t stat_read(enum dma_stat which)
{
    return __atomic_load_n(&dma_stats[which], __ATOMIC_RELAXED);
}

int ccdma_init(const struct ccdma_config *cfg)
{
    struct ccdma_config c = {.debug = true};
    int err;

    if (dma_rt_ready)
        return CCDMA_EBUSY;
    if (cfg)
        c = *cfg;
    dma_rt_cc = ccdma_plat_cc_active();
    dma_lin.on = ccdma_plat_linear_describe && ccdma_plat_linear_describe(&dma_lin.d) == 0;
    for (unsigned int i = 0; i < DMA_STAT_COUNT; i++)
        if (i != DMA_STAT_KEPT_PAGES)
            __atomic_store_n(&dma_stats[i], 0, __ATOMIC_RELAXED);
    dma_report_set_quiet(c.quiet);
    dma_bounds_reset(&dma_private_bounds);
    dma_debug_init(c.debug);

    err = dma_coherent_init();
    if (err)
        goto fail_debug;
    err = dma_swiotlb_init(c.swiotlb_bytes, c.swiotlb_private_bytes,
                           c.swiotlb_dynamic, c.swiotlb_areas);
    if (err)
        goto fail_coherent;
    err = dma_pool_init(c.atomic_pool_bytes, c.atomic_pool_max_bytes);
    if (err)
        goto fail_swiotlb;
    dma_rt_ready = true;
    dma_fast_update();
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
    if (!dma_rt_ready)
        return 0;
    return dma_pool_poll() + dma_swiotlb_poll();
}

int ccdma_shutdown(void)
{
    int leaks;

    if (!dma_rt_ready)
        return CCDMA_EINVAL;
    /* Report leaks while the pools they point into still exist. */
    leaks = dma_debug_shutdown();
    dma_pool_shutdown();
    dma_swiotlb_shutdown();
    dma_coherent_shutdown();
    dma_rt_ready = false;
    dma_lin.on = false;
    dma_fast_update();
    return leaks;
}

void ccdma_get_stats(struct ccdma_dma_stats *out)
{
    if (!out)
        return;
    out->direct_maps = stat_read(DMA_STAT_DIRECT_MAPS);
    out->bounced_maps = stat_read(DMA_STAT_BOUNCED_MAPS);
    out->map_failures = stat_read(DMA_STAT_MAP_FAILURES);
    out->coherent_allocs = stat_read(DMA_STAT_COHERENT_ALLOCS);
    out->conversions = stat_read(DMA_STAT_CONVERSIONS);
    out->leaked_pages = stat_read(DMA_STAT_LEAKED_PAGES);
    out->leak_events = stat_read(DMA_STAT_LEAK_EVENTS);
    out->kept_pages = stat_read(DMA_STAT_KEPT_PAGES);
    out->reports = dma_report_count();
}
