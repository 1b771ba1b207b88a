/* SPDX-License-Identifier: MIT */
/*
 * Atomic pools: one state per pool, no fallback across states, growth only
 * in deferred work, frees by physical address, exact cleanup when growth
 * fails.
 */
#include "dma_test.h"

#define PAGE CCDMA_PAGE_SIZE
#define POOL_PAGES 16 /* t_config(): 64 KiB per pool */

static struct ccdma_pool_stats pool_stats(bool shared)
{
    struct ccdma_pool_stats s;

    ccdma_atomic_pool_stats(shared, &s);
    return s;
}

/* Fill the pool of dev's state with one-page allocations. */
static int exhaust(struct ccdma_device *dev, void **cpu, ccdma_dma_t *h, int max)
{
    int n = 0;

    while (n < max && ccdma_alloc_coherent(dev, PAGE, CCDMA_ALLOC_ATOMIC,
                                           CCDMA_ATTR_NO_WARN, &cpu[n], &h[n]) == 0)
        n++;
    return n;
}

static void release(struct ccdma_device *dev, void **cpu, ccdma_dma_t *h, int n)
{
    for (int i = 0; i < n; i++)
        ccdma_free_coherent(dev, PAGE, cpu[i], h[i]);
}

static void test_atomic_shared(void)
{
    struct ccdma_device dev;
    struct ccdma_pool_stats before = pool_stats(true), priv = pool_stats(false);
    uint64_t rsi = t_rsi_state_sets();
    void *cpu;
    ccdma_dma_t h;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    CHECK(before.exists && before.shared, "a shared atomic pool exists");
    CHECK_ERR(ccdma_alloc_coherent(&dev, 2 * PAGE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h),
              CCDMA_OK, "atomic allocation for T=0");
    CHECK_EQ(t_rsi_state_sets(), rsi, "no conversion at call time");
    CHECK(t_range_shared(t_pa(cpu), 2 * PAGE), "the memory is shared");
    CHECK_EQ(h, t_encode(t_pa(cpu), true), "shared encoding");
    CHECK(t_all_bytes(cpu, 0, 2 * PAGE), "zeroed");
    CHECK_EQ(pool_stats(true).avail, before.avail - 2 * PAGE, "taken from the shared pool");
    if (T.cc)
        CHECK_EQ(pool_stats(false).avail, priv.avail, "the private pool is untouched");
    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, cpu, h), CCDMA_OK, "free");
    CHECK_EQ(pool_stats(true).avail, before.avail, "found by physical address, back in the pool");
}

/* A free whose address is in no pool, including a pool that was never
 * created (no private pool without CC), goes to the page allocator. */
static void test_free_outside_pools(void)
{
    struct ccdma_device dev;
    struct ccdma_pool_stats sh = pool_stats(true), pr;
    void *cpu;
    ccdma_dma_t h;
    int ret;

    t_dev_t1(&dev, "t1", UINT64_MAX);
    ret = ccdma_atomic_pool_stats(false, &pr);
    CHECK(T.cc ? (ret == CCDMA_OK && pr.exists && !pr.shared) : (pr.exists && pr.shared),
          "without CC the private pool does not exist: the one pool is shared");
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &cpu, &h), CCDMA_OK, "a direct allocation");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, cpu, h), CCDMA_OK,
              "its free walks every pool, present or not, then frees directly");
    CHECK(!host_platform_page_allocated(t_pa(cpu)), "the page is back in the allocator");
    CHECK_EQ(pool_stats(true).avail, sh.avail, "no pool was touched");
}

static void test_atomic_private(void)
{
    struct ccdma_device dev;
    struct ccdma_pool_stats sh = pool_stats(true), before = pool_stats(false);
    void *cpu;
    ccdma_dma_t h;

    t_dev_t1(&dev, "t1", UINT64_MAX);
    CHECK(before.exists && !before.shared, "a private atomic pool exists under CC");
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h), CCDMA_OK,
              "atomic allocation for T=1");
    CHECK(t_range_private(t_pa(cpu), PAGE), "the memory is private");
    CHECK_EQ(h, t_encode(t_pa(cpu), false), "private encoding");
    CHECK_EQ(pool_stats(false).avail, before.avail - PAGE, "from the private pool");
    CHECK_EQ(pool_stats(true).avail, sh.avail, "never from the shared pool");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, cpu, h), CCDMA_OK, "free");
}

/* Rule 5/6: an exhausted pool is not replaced by the other state's pool,
 * and growth waits for ccdma_poll(). */
static void test_no_fallback_and_deferred_growth(void)
{
    struct ccdma_device dev;
    void *cpu[64];
    ccdma_dma_t h[64];
    struct ccdma_pool_stats other = pool_stats(false), s;
    uint64_t rsi;
    int n;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    n = exhaust(&dev, cpu, h, 64);
    CHECK_EQ(n, POOL_PAGES, "sixteen pages, then the shared pool is empty");
    s = pool_stats(true);
    CHECK_EQ(s.avail, 0, "nothing left");
    CHECK_EQ(s.failures, 1, "the refusal is counted");
    CHECK(s.grow_pending, "growth is pending");
    CHECK_EQ(s.size, POOL_PAGES * PAGE, "but has not happened inside the allocation");
    if (T.cc)
        CHECK_EQ(pool_stats(false).avail, other.avail, "the private pool was not used instead");

    rsi = t_rsi_state_sets();
    CHECK_EQ(ccdma_poll(), 1, "poll runs the growth");
    s = pool_stats(true);
    CHECK_EQ(s.size, 2 * POOL_PAGES * PAGE, "the pool doubled");
    CHECK_EQ(s.chunks, 2, "with a second chunk");
    CHECK_EQ(s.grown, 1, "counted");
    if (T.cc) {
        CHECK(t_rsi_state_sets() > rsi, "poll converted the new chunk");
    }
    rsi = t_rsi_state_sets();
    n += exhaust(&dev, cpu + n, h + n, 4);
    CHECK_EQ(n, POOL_PAGES + 4, "allocations work again");
    CHECK_EQ(t_rsi_state_sets(), rsi, "without converting");
    CHECK_EQ(ccdma_poll(), 0, "no work pending: poll does nothing");
    release(&dev, cpu, h, n);
    CHECK_EQ(pool_stats(true).avail, 2 * POOL_PAGES * PAGE, "all back");
}

/* CCDMA_ATTR_NO_WARN on an allocation keeps the error and drops the report. */
static void test_no_warn(void)
{
    struct ccdma_device dev;
    void *cpu[64], *extra;
    ccdma_dma_t h[64], eh;
    struct ccdma_dma_stats before, after;
    int n;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    n = exhaust(&dev, cpu, h, 64);
    ccdma_get_stats(&before);
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, CCDMA_ATTR_NO_WARN, &extra,
                                   &eh),
              CCDMA_ENOSPC, "NO_WARN: still ENOSPC");
    ccdma_get_stats(&after);
    CHECK_EQ(after.reports, before.reports, "NO_WARN: no report");
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &extra, &eh), CCDMA_ENOSPC,
              "without it: ENOSPC");
    ccdma_get_stats(&before);
    CHECK_EQ(before.reports, after.reports + 1, "without it: one report");
    release(&dev, cpu, h, n);
}

static void test_low_water_growth(void)
{
    struct ccdma_device dev;
    void *cpu[16];
    ccdma_dma_t h[16];
    int n;

    t_dev_t1(&dev, "t1", UINT64_MAX);
    n = exhaust(&dev, cpu, h, 12);
    CHECK(!pool_stats(!T.cc ? true : false).grow_pending, "at a quarter free, no growth yet");
    n += exhaust(&dev, cpu + n, h + n, 1);
    CHECK(pool_stats(!T.cc ? true : false).grow_pending, "under a quarter free, growth is flagged");
    CHECK_EQ(pool_stats(!T.cc ? true : false).size, POOL_PAGES * PAGE, "not done yet");
    CHECK_EQ(ccdma_poll(), 1, "poll grows it");
    CHECK_EQ(pool_stats(!T.cc ? true : false).size, 2 * POOL_PAGES * PAGE, "doubled");
    release(&dev, cpu, h, n);
}

static void test_order_alignment_and_zeroing(void)
{
    struct ccdma_device dev;
    void *cpu, *again;
    ccdma_dma_t h, h2;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h), CCDMA_OK, "one page");
    CHECK_ERR(ccdma_alloc_coherent(&dev, 3 * PAGE, CCDMA_ALLOC_ATOMIC, 0, &again, &h2), CCDMA_OK,
              "three pages");
    CHECK_EQ(t_pa(again) % (4 * PAGE), 0, "aligned to their page order (16 KiB)");
    CHECK_EQ(h2 % (4 * PAGE), 0, "and so is the handle");
    memset(again, 0x77, 3 * PAGE);
    ccdma_free_coherent(&dev, 3 * PAGE, again, h2);
    CHECK_ERR(ccdma_alloc_coherent(&dev, 3 * PAGE, CCDMA_ALLOC_ATOMIC, 0, &again, &h2), CCDMA_OK,
              "again");
    CHECK(t_all_bytes(again, 0, 3 * PAGE), "a reused allocation is zeroed");
    ccdma_free_coherent(&dev, 3 * PAGE, again, h2);
    ccdma_free_coherent(&dev, PAGE, cpu, h);
}

static void test_pool_out_of_reach(void)
{
    struct ccdma_device dev;
    struct ccdma_pool_stats s = pool_stats(true);
    void *cpu;
    ccdma_dma_t h;

    t_dev_t0(&dev, "low", UINT64_MAX);
    dev.coherent_dma_mask = 0x3fffffff;
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h), CCDMA_ENOSPC,
              "no pool page below the coherent mask");
    CHECK_EQ(pool_stats(true).avail, s.avail, "the pool is unchanged");
    CHECK_EQ(pool_stats(true).failures, s.failures + 1, "the refusal is counted");
}

/* Growth that fails halfway cleans up exactly, and a failed
 * conversion leaks only what it must (rule 7). */
static void test_growth_failures(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct host_platform_faults f = {0};
    struct host_platform_counters port;
    struct ccdma_device dev;
    void *cpu[40];
    ccdma_dma_t h[40];
    struct ccdma_pool_stats s;
    int n;

    t_setup_with(&p, &c);
    t_dev_t0(&dev, "t0", UINT64_MAX);
    n = exhaust(&dev, cpu, h, 40);
    REQUIRE(n == POOL_PAGES);

    /* The chunk's pages come, its metadata page does not. */
    port = t_port();
    f.alloc_fail_after = 1;
    f.alloc_fail_count = 1;
    host_platform_set_faults(&f);
    CHECK_EQ(ccdma_poll(), 1, "growth ran");
    host_platform_set_faults(NULL);
    s = pool_stats(true);
    CHECK_EQ(s.size, POOL_PAGES * PAGE, "metadata failure: the pool did not grow");
    CHECK_EQ(s.grow_failed, 1, "counted");
    CHECK_EQ(t_port().pages_in_use, port.pages_in_use, "every chunk page went back");
    CHECK_EQ(t_port().quarantined_pages, 0, "nothing quarantined");
    CHECK_EQ(t_port().bad_frees, 0, "the pages were private again before the free");
    if (T.cc)
        CHECK_EQ(t_port().unshares - port.unshares, 1, "the chunk was converted back first");

    /* ENOMEM is transient: the next refusal asks again and growth works. */
    n += exhaust(&dev, cpu + n, h + n, 1);
    CHECK_EQ(ccdma_poll(), 1, "a later growth");
    CHECK_EQ(pool_stats(true).size, 2 * POOL_PAGES * PAGE, "succeeds");
    n += exhaust(&dev, cpu + n, h + n, 40 - n);
    CHECK_EQ(n, 2 * POOL_PAGES, "and serves allocations");

    if (T.cc) {
        f = (struct host_platform_faults){.share_fail_count = 1};
        host_platform_set_faults(&f);
        port = t_port();
        CHECK_EQ(ccdma_poll(), 1, "growth whose conversion is rejected");
        s = pool_stats(true);
        CHECK_EQ(s.size, 2 * POOL_PAGES * PAGE, "the pool did not grow");
        CHECK_EQ(s.leaked_pages, 2 * POOL_PAGES, "the chunk's pages are leaked, and counted");
        CHECK_EQ(t_port().quarantined_pages - port.quarantined_pages, 2 * POOL_PAGES,
                 "quarantined by the port");
        CHECK_EQ(t_port().bad_frees, 0, "never freed");
        CHECK_EQ(t_stats().leaked_pages, 2 * POOL_PAGES, "in the layer-wide count too");
        host_platform_set_faults(NULL);
        CHECK_EQ(exhaust(&dev, cpu + n, h + n, 1), 0, "the pool is still full");
        CHECK_EQ(ccdma_poll(), 0, "growth is disabled after a failed conversion");
    }
    release(&dev, cpu, h, n);
    CHECK_EQ(pool_stats(true).avail, pool_stats(true).size, "the pool still works for frees");
    CHECK_EQ(t_teardown(), 0, "clean shutdown");
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma atomic pools");
    t_run(test_atomic_shared, "atomic pool for T=0");
    if (T.cc)
        t_run(test_atomic_private, "atomic pool for T=1 (rule 5)");
    t_run(test_free_outside_pools, "frees outside every pool");
    t_run(test_no_fallback_and_deferred_growth, "no fallback, deferred growth (rule 6)");
    t_run(test_no_warn, "NO_WARN on an exhausted pool");
    t_run(test_low_water_growth, "growth at the low-water mark");
    t_run(test_order_alignment_and_zeroing, "order alignment and zeroing");
    t_run(test_pool_out_of_reach, "pool out of the device's reach");
    t_run_raw(test_growth_failures, "growth failing halfway (rule 7)");
    return t_finish();
}
