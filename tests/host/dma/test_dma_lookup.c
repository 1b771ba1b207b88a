/* SPDX-License-Identifier: MIT */
/*
 * The bounce pool's short cuts, against what they stand for:
 *
 *  - unmap, sync and ccdma_is_bounced find a slot by arithmetic from the
 *    device's own pool (its first chunk): right in every area, in a chunk
 *    growth added, in a restricted pool and in a later pool that reuses
 *    its slot with other areas, and still right when those unlocked reads
 *    are stale (the answer is checked under the area lock);
 *  - each area keeps its recently released runs on one stack: an older
 *    entry serves a request the top does not fit (size, or the alignment
 *    min_align_mask keeps), a request none fits gives them all back, and
 *    the statistics and the shutdown's leak scan count them as free;
 *  - the API's leaf paths go by one runtime flag, which must follow
 *    init, shutdown, a failed init and dma-debug turning itself off;
 *  - dma_min_not_zero at its edges.
 *
 *   test_dma_lookup ENCODING [threads]
 */
#define _POSIX_C_SOURCE 200809L
#include "dma_test.h"
#include "swiotlb.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#define PAGE CCDMA_PAGE_SIZE
#define SLOT 2048u
#define SEG ((size_t)256 << 10)

static void bounce_dev(struct ccdma_device *dev, const char *name, uint64_t min_align,
                       struct ccdma_swiotlb *restricted)
{
    ccdma_device_default(dev, name, UINT64_MAX);
    dev->force_bounce = true;
    dev->min_align_mask = min_align;
    dev->restricted_pool = restricted;
    REQUIRE(ccdma_device_init(dev) == CCDMA_OK);
}

static struct ccdma_swiotlb *shared_pool(void)
{
    return ccdma_swiotlb_default(true);
}

static bool in_range(ccdma_dma_t d, ccdma_phys_t lo, ccdma_phys_t hi)
{
    ccdma_phys_t pa = t_decode(d);

    return pa >= lo && pa < hi;
}

/* Map FROM_DEVICE, have the device write a pattern, sync half back,
 * unmap, and check the CPU got every byte: the lookup found the slot. */
static bool device_round_trip(struct ccdma_device *dev, uint8_t *buf, size_t size,
                              ccdma_dma_t d, uint8_t seed)
{
    uint8_t *pat = t_pages(DMA_DIV_UP(size, PAGE));
    bool ok = true;

    for (size_t k = 0; k < size; k++)
        pat[k] = (uint8_t)(k * 31u + seed);
    ok &= t_dev_write(dev, d, pat, size) == 0;
    ok &= ccdma_is_bounced(dev, d);
    ok &= ccdma_sync_for_cpu(dev, d, size / 2 ? size / 2 : 1, CCDMA_FROM_DEVICE) == CCDMA_OK;
    ok &= memcmp(buf, pat, size / 2 ? size / 2 : 1) == 0;
    ok &= ccdma_unmap_single(dev, d, size, CCDMA_FROM_DEVICE, 0) == CCDMA_OK;
    ok &= memcmp(buf, pat, size) == 0;
    ok &= !ccdma_is_bounced(dev, d);
    t_pages_free(pat, DMA_DIV_UP(size, PAGE));
    return ok;
}

/* ---- the own-pool lookup ------------------------------------------------------ */

#define FILL 16 /* 64 KiB maps that fill the 1 MiB pool of grown_cfg() */

static struct ccdma_config grown_cfg(bool debug)
{
    struct ccdma_config c = t_config();

    c.swiotlb_bytes = 4 * SEG;
    c.swiotlb_dynamic = true;
    c.swiotlb_areas = 4;
    c.debug = debug;
    c.quiet = true;
    return c;
}

/* Four areas of one segment each, then a chunk added by growth: a mapping
 * in every area of both chunks unmaps, syncs and is recognised. */
static void test_every_area_and_grown_chunk(void)
{
    struct ccdma_swiotlb *pool = shared_pool();
    struct ccdma_swiotlb_stats s0 = t_pool_stats(pool), s1;
    struct ccdma_device dev;
    uint8_t *bufs = t_pages(FILL * 16), *extra = t_pages(4 * 16);
    ccdma_dma_t d[FILL], e[4], x;
    unsigned int in_area[4] = {0}, grown = 0, good = 0;

    bounce_dev(&dev, "grown", 0, NULL);
    CHECK_EQ(swiotlb_nareas(pool), 4, "set-up: four areas");
    CHECK_EQ(pool->first_pa, s0.start, "first chunk: its start");
    CHECK_EQ(pool->first_bytes, s0.end - s0.start, "first chunk: its size");
    CHECK_EQ(pool->first_area_shift, SWIOTLB_SEG_SHIFT, "first chunk: one segment per area");
    for (unsigned int i = 0; i < FILL; i++) {
        host_platform_set_cpu(i % 4);
        REQUIRE(ccdma_map_single(&dev, bufs + i * 16 * PAGE, 16 * PAGE, CCDMA_FROM_DEVICE,
                                 CCDMA_ATTR_NO_WARN, &d[i]) == CCDMA_OK);
        in_area[(t_decode(d[i]) - s0.start) / SEG]++;
    }
    CHECK(in_area[0] && in_area[1] && in_area[2] && in_area[3], "mappings in every area");
    host_platform_set_cpu(0);
    CHECK_ERR(ccdma_map_single(&dev, extra, 16 * PAGE, CCDMA_FROM_DEVICE, CCDMA_ATTR_NO_WARN, &x),
              CCDMA_ENOSPC, "the pool is full");
    CHECK_EQ(ccdma_poll(), 1, "growth runs");
    s1 = t_pool_stats(pool);
    CHECK_EQ(s1.regions, 2, "a second chunk");
    CHECK_EQ(pool->first_pa, s0.start, "growth leaves the first chunk's record alone");
    CHECK_EQ(pool->first_bytes, s0.end - s0.start, "and its size");
    for (unsigned int k = 0; k < 4; k++) {
        host_platform_set_cpu(k);
        REQUIRE(ccdma_map_single(&dev, extra + k * 16 * PAGE, 16 * PAGE, CCDMA_FROM_DEVICE, 0,
                                 &e[k]) == CCDMA_OK);
        grown += !in_range(e[k], s0.start, s0.end);
    }
    host_platform_set_cpu(0);
    CHECK_EQ(grown, 4, "the new maps are in the grown chunk");
    for (unsigned int k = 0; k < 4; k++)
        good += device_round_trip(&dev, extra + k * 16 * PAGE, 16 * PAGE, e[k], (uint8_t)k);
    CHECK_EQ(good, 4, "grown chunk: the device's bytes come back through sync and unmap");
    good = 0;
    for (unsigned int i = 0; i < FILL; i++)
        good += device_round_trip(&dev, bufs + i * 16 * PAGE, 16 * PAGE, d[i], (uint8_t)(i + 9));
    CHECK_EQ(good, FILL, "first chunk, every area: the same");
    CHECK_EQ(t_pool_stats(pool).used, 0, "nothing left taken");
    /* The released runs stay on the areas' stacks, several in the grown
     * chunk: the shutdown's scan must count them free and give every page
     * back (t_run checks the pages, here the count). */
    t_pages_free(bufs, FILL * 16);
    t_pages_free(extra, 4 * 16);
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
}

/* The unlocked reads of the first chunk stale or torn (as when the slot is
 * being reused): the area they point at does not hold the address, which
 * the check under its lock must catch, and the table answers instead. */
static void test_stale_first_chunk(void)
{
    struct ccdma_swiotlb *pool = shared_pool();
    struct ccdma_swiotlb_stats s0 = t_pool_stats(pool);
    ccdma_phys_t pa0 = pool->first_pa;
    uint32_t shift0 = pool->first_area_shift;
    struct ccdma_device dev;
    uint8_t *buf = t_pages(4);
    unsigned int good = 0, round = 0;
    ccdma_dma_t d;

    bounce_dev(&dev, "stale", 0, NULL);
    for (unsigned int k = 0; k < 4; k++) {
        /* Each lie sends the lookup to an area that is not the one holding
         * a mapping made from area k. */
        const struct { ccdma_phys_t pa; uint32_t shift; } lies[] = {
            {pa0, shift0 + 2},                 /* wider parts: area 0 */
            {pa0 + SEG, shift0},               /* shifted start: area k-1 or none */
            {pa0 - SEG, shift0},               /* area k+1 */
        };

        for (unsigned int l = 0; l < sizeof(lies) / sizeof(lies[0]); l++, round++) {
            host_platform_set_cpu(k);
            REQUIRE(ccdma_map_single(&dev, buf, 3 * PAGE, CCDMA_FROM_DEVICE, 0, &d) == CCDMA_OK);
            host_platform_set_cpu(0);
            REQUIRE((t_decode(d) - s0.start) / SEG == k);
            __atomic_store_n(&pool->first_pa, lies[l].pa, __ATOMIC_RELAXED);
            __atomic_store_n(&pool->first_area_shift, lies[l].shift, __ATOMIC_RELAXED);
            good += device_round_trip(&dev, buf, 3 * PAGE, d, (uint8_t)round);
            __atomic_store_n(&pool->first_pa, pa0, __ATOMIC_RELAXED);
            __atomic_store_n(&pool->first_area_shift, shift0, __ATOMIC_RELAXED);
        }
    }
    CHECK_EQ(good, round, "a stale first-chunk record never picks the wrong region");
    CHECK_EQ(t_pool_stats(pool).used, 0, "every slot released");
    t_pages_free(buf, 4);
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
}

/* A restricted pool, then a later pool in the same slot with fewer areas
 * and another layout over part of the same memory: the device finds its
 * slots in each, and a stale unmap of an address the later pool gave
 * another device finds that mapping not its own. */
static void test_restricted_reuse(void)
{
    const size_t big = 8 * SEG, small = 2 * SEG;
    uint8_t *mem = t_pages(big / PAGE), *buf = t_pages(16);
    struct ccdma_swiotlb *p1, *p2;
    struct ccdma_device dev, other;
    unsigned int good = 0;
    ccdma_dma_t d[4], o;

    REQUIRE(ccdma_swiotlb_restricted_create("first", mem, big, true, &p1) == CCDMA_OK);
    CHECK_EQ(swiotlb_nareas(p1), 4, "set-up: the first pool has four areas");
    CHECK_EQ(p1->first_area_shift, SWIOTLB_SEG_SHIFT + 1, "of two segments each");
    bounce_dev(&dev, "restricted", 0, p1);
    for (unsigned int k = 0; k < 4; k++) {
        host_platform_set_cpu(k);
        REQUIRE(ccdma_map_single(&dev, buf + 4 * k * PAGE, 4 * PAGE, CCDMA_FROM_DEVICE, 0,
                                 &d[k]) == CCDMA_OK);
    }
    host_platform_set_cpu(0);
    for (unsigned int k = 0; k < 4; k++) {
        CHECK(in_range(d[k], t_pa(mem) + 2 * k * SEG, t_pa(mem) + 2 * (k + 1) * SEG),
              "each map in its CPU's area");
        good += device_round_trip(&dev, buf + 4 * k * PAGE, 4 * PAGE, d[k], (uint8_t)k);
    }
    CHECK_EQ(good, 4, "restricted pool: every area's mapping unmaps");
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(p1) == CCDMA_OK);
    CHECK_EQ(__atomic_load_n(&p1->first_bytes, __ATOMIC_RELAXED), 0,
             "a destroyed pool offers no first chunk");

    /* The later pool starts where the first pool's area 2 did. */
    REQUIRE(ccdma_swiotlb_restricted_create("later", mem + 4 * SEG, small, true, &p2) ==
            CCDMA_OK);
    CHECK(p2 == p1, "set-up: the later pool reuses the slot");
    CHECK_EQ(swiotlb_nareas(p2), 2, "with two areas");
    CHECK_EQ(p2->first_area_shift, SWIOTLB_SEG_SHIFT, "of one segment each");
    CHECK_EQ(p2->first_pa, t_pa(mem) + 4 * SEG, "and its own start");
    REQUIRE(ccdma_device_init(&dev) == CCDMA_OK);
    good = 0;
    for (unsigned int k = 0; k < 2; k++) {
        host_platform_set_cpu(k);
        REQUIRE(ccdma_map_single(&dev, buf + 4 * k * PAGE, 4 * PAGE, CCDMA_FROM_DEVICE, 0,
                                 &d[k]) == CCDMA_OK);
        host_platform_set_cpu(0);
        CHECK(in_range(d[k], t_pa(mem) + (4 + k) * SEG, t_pa(mem) + (5 + k) * SEG),
              "later pool: each map in its CPU's area");
        good += device_round_trip(&dev, buf + 4 * k * PAGE, 4 * PAGE, d[k], (uint8_t)(k + 5));
    }
    CHECK_EQ(good, 2, "later pool: every area's mapping unmaps");

    bounce_dev(&other, "other", 0, p2);
    host_platform_set_cpu(1);
    REQUIRE(ccdma_map_single(&other, buf, 100, CCDMA_TO_DEVICE, 0, &o) == CCDMA_OK);
    host_platform_set_cpu(0);
    CHECK_ERR(ccdma_unmap_single(&dev, o, 100, CCDMA_TO_DEVICE, 0), CCDMA_EFAULT,
              "another device's mapping is not this device's to unmap");
    CHECK(ccdma_is_bounced(&other, o), "and stays mapped");
    CHECK_ERR(ccdma_unmap_single(&other, o, 100, CCDMA_TO_DEVICE, 0), CCDMA_OK,
              "its own device unmaps it");
    REQUIRE(ccdma_device_release(&other) == CCDMA_OK);
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(p2) == CCDMA_OK);
    t_pages_free(mem, big / PAGE);
    t_pages_free(buf, 16);
}

/* ---- the recent runs ---------------------------------------------------------- */

/* A restricted pool of one 32-slot segment, so one area and exact counts. */
#define RPOOL_PAGES 16

static struct ccdma_swiotlb_stats rstats(struct ccdma_swiotlb *p)
{
    return t_pool_stats(p);
}

static void test_recent_stack(void)
{
    uint8_t *mem = t_pages(RPOOL_PAGES), *buf = t_pages(4);
    struct ccdma_device dev, al;
    struct ccdma_swiotlb *p;
    struct ccdma_swiotlb_stats s;
    ccdma_dma_t a, b, o, e, x, y, r[9];

    REQUIRE(ccdma_swiotlb_restricted_create("recent", mem, RPOOL_PAGES * PAGE, true, &p) ==
            CCDMA_OK);
    bounce_dev(&dev, "plain", 0, p);
    bounce_dev(&al, "aligned", 0xfff, p);
    s = rstats(p);
    CHECK_EQ(s.free_runs, 1, "set-up: one free run");
    CHECK_EQ(s.longest_free_run, 32, "of 32 slots");

    /* By size: the top (two slots) does not fit a one-slot request. */
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &a) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_TO_DEVICE, 0, &b) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, a, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, b, 3000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    s = rstats(p);
    CHECK_EQ(s.used, 0, "two runs released");
    CHECK_EQ(s.free_runs, 3, "each counts as a free run beside the allocator's");
    CHECK_EQ(s.longest_free_run, 29, "the allocator's run is the longest");
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &x) == CCDMA_OK);
    CHECK_EQ(x, a, "a one-slot map takes the older one-slot run");
    CHECK_EQ(rstats(p).free_runs, 2, "and leaves the top on the stack (no flush)");
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_TO_DEVICE, 0, &y) == CCDMA_OK);
    CHECK_EQ(y, b, "a two-slot map the two-slot run");
    CHECK_EQ(rstats(p).free_runs, 1, "both back in use");
    REQUIRE(ccdma_unmap_single(&dev, x, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, y, 3000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);

    /* By alignment: min_align_mask 0xfff keeps bit 11, so a one-slot run
     * serves only addresses of its own half of a page. */
    REQUIRE(ccdma_map_single(&al, buf + 0x800, 100, CCDMA_TO_DEVICE, 0, &o) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&al, buf, 100, CCDMA_TO_DEVICE, 0, &e) == CCDMA_OK);
    CHECK_EQ(t_decode(o) & 0xfff, 0x800, "set-up: the odd half");
    CHECK_EQ(t_decode(e) & 0xfff, 0, "set-up: the even half");
    REQUIRE(ccdma_unmap_single(&al, o, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&al, e, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&al, buf + 0x800, 100, CCDMA_TO_DEVICE, 0, &x) == CCDMA_OK);
    CHECK_EQ(t_decode(x) & 0xfff, 0x800, "an odd-half request keeps bit 11");
    CHECK_EQ(x, o, "from the older run that has it, not the top");
    CHECK_EQ(rstats(p).free_runs, 2, "which stays on the stack (no flush)");
    REQUIRE(ccdma_map_single(&al, buf, 100, CCDMA_TO_DEVICE, 0, &y) == CCDMA_OK);
    CHECK_EQ(y, e, "an even-half request takes the even run");
    REQUIRE(ccdma_unmap_single(&al, x, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&al, y, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);

    /* Nine releases: eight on the stack, the ninth to the allocator; then
     * a request no entry fits gives them all back, and runs merge. */
    for (unsigned int i = 0; i < 9; i++)
        REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &r[i]) == CCDMA_OK);
    for (unsigned int i = 0; i < 9; i++)
        REQUIRE(ccdma_unmap_single(&dev, r[i], 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    s = rstats(p);
    CHECK_EQ(s.used, 0, "nine released");
    CHECK_EQ(s.free_runs, 8 + 1, "eight on the stack counted, the ninth merged into the allocator's run");
    CHECK_EQ(s.longest_free_run, 24, "which is the longest");
    REQUIRE(ccdma_map_single(&al, buf + 0x800, 5000, CCDMA_TO_DEVICE, 0, &x) == CCDMA_OK);
    CHECK_EQ(t_decode(x) & 0xfff, 0x800, "a request none fits: aligned as asked");
    s = rstats(p);
    CHECK_EQ(s.used, 4, "four slots taken");
    CHECK_EQ(s.free_runs, 1, "the stack went back to the allocator and merged");
    CHECK_EQ(s.longest_free_run, 28, "into one run");
    REQUIRE(ccdma_unmap_single(&al, x, 5000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);

    /* The stack stays in order when an older entry is taken: released as
     * two slots, then one (a), then one (b), a two-slot map takes the
     * bottom entry, and the next one-slot map the latest release, b. */
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_TO_DEVICE, 0, &y) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &a) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &b) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, y, 3000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, a, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, b, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_TO_DEVICE, 0, &y) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &x) == CCDMA_OK);
    CHECK_EQ(x, b, "after an older entry is taken, the latest release is still on top");
    REQUIRE(ccdma_unmap_single(&dev, x, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, y, 3000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);

    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    REQUIRE(ccdma_device_release(&al) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(p) == CCDMA_OK);
    t_pages_free(mem, RPOOL_PAGES);
    t_pages_free(buf, 4);
}

/* What the map's fast path and the one-compare unmap must not take for
 * granted: a run released as two slots at an odd slot is no home for a
 * page-sized map (the legacy page alignment), and a slot's distance to its
 * old run's first slot outlives that run, so an address in a slot a live
 * mapping no longer covers is in no mapping. */
static void test_latest_and_stale_slots(void)
{
    uint8_t *mem = t_pages(RPOOL_PAGES), *buf = t_pages(4);
    struct ccdma_device dev;
    struct ccdma_swiotlb *p;
    ccdma_dma_t a, b, x, y;

    REQUIRE(ccdma_swiotlb_restricted_create("latest", mem, RPOOL_PAGES * PAGE, true, &p) ==
            CCDMA_OK);
    bounce_dev(&dev, "plain", 0, p);

    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &a) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_TO_DEVICE, 0, &b) == CCDMA_OK);
    CHECK_EQ(t_decode(b) & 0xfff, 0x800, "set-up: the two-slot run starts at an odd slot");
    REQUIRE(ccdma_unmap_single(&dev, b, 3000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, PAGE, CCDMA_TO_DEVICE, 0, &x) == CCDMA_OK);
    CHECK_EQ(t_decode(x) & (PAGE - 1), 0, "a page-sized map is page-aligned, not the latest run");
    CHECK(x != b, "so it did not take the odd run");
    REQUIRE(ccdma_unmap_single(&dev, x, PAGE, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, a, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);

    /* Three slots, released; then one slot from the same first slot. */
    REQUIRE(ccdma_map_single(&dev, buf, 5000, CCDMA_FROM_DEVICE, 0, &y) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, y, 5000, CCDMA_FROM_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_FROM_DEVICE, 0, &x) == CCDMA_OK);
    CHECK_EQ(x, y, "set-up: the one-slot map starts where the three-slot run did");
    CHECK_EQ(ccdma_sync_for_cpu(&dev, x + 2 * SLOT + 8, 8, CCDMA_FROM_DEVICE), CCDMA_EFAULT,
             "a sync in a slot the live mapping does not cover is in no mapping");
    CHECK(!ccdma_is_bounced(&dev, x + 2 * SLOT), "nor is that address bounced");
    CHECK_EQ(ccdma_unmap_single(&dev, x + SLOT, 100, CCDMA_FROM_DEVICE, 0), CCDMA_EFAULT,
             "nor can it be unmapped");
    CHECK_EQ(ccdma_sync_for_cpu(&dev, x + 8, 8, CCDMA_FROM_DEVICE), CCDMA_OK,
             "inside the live mapping, a sync still works");
    REQUIRE(ccdma_unmap_single(&dev, x, 100, CCDMA_FROM_DEVICE, 0) == CCDMA_OK);

    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(p) == CCDMA_OK);
    t_pages_free(mem, RPOOL_PAGES);
    t_pages_free(buf, 4);
}

/* A recent run in a grown chunk the device cannot reach, on top of one in
 * the first chunk it can: the map takes a run the device reaches rather
 * than fail, and keeps doing so. */
static void test_recent_beyond_reach(void)
{
    struct ccdma_swiotlb *pool = shared_pool();
    struct ccdma_swiotlb_stats s0 = t_pool_stats(pool);
    struct ccdma_device wide, narrow;
    uint8_t *bufs = t_pages(15 * 16), *small = t_pages(1);
    ccdma_dma_t big[15], one[32], x, y;
    unsigned int good = 0;

    bounce_dev(&wide, "wide", 0, NULL);
    for (unsigned int i = 0; i < 15; i++)
        REQUIRE(ccdma_map_single(&wide, bufs + i * 16 * PAGE, 16 * PAGE, CCDMA_TO_DEVICE, 0,
                                 &big[i]) == CCDMA_OK);
    for (unsigned int i = 0; i < 32; i++)
        REQUIRE(ccdma_map_single(&wide, small, 100, CCDMA_TO_DEVICE, 0, &one[i]) == CCDMA_OK);
    CHECK_EQ(t_pool_stats(pool).used, s0.nslots, "set-up: the first chunk is full");
    CHECK_ERR(ccdma_map_single(&wide, small, 100, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN, &x),
              CCDMA_ENOSPC, "set-up: full");
    REQUIRE(ccdma_poll() == 1);
    REQUIRE(ccdma_map_single(&wide, small, 100, CCDMA_TO_DEVICE, 0, &x) == CCDMA_OK);
    REQUIRE(!in_range(x, s0.start, s0.end));
    CHECK(t_decode(x) >= s0.end, "set-up: the grown chunk lies above the first");
    if (t_decode(x) >= s0.end) {
        /* The stack: a run of the first chunk, then the grown chunk's. */
        REQUIRE(ccdma_unmap_single(&wide, one[7], 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
        REQUIRE(ccdma_unmap_single(&wide, x, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
        ccdma_device_default(&narrow, "narrow", t_encode(s0.end - 1, true));
        narrow.force_bounce = true;
        REQUIRE(ccdma_device_init(&narrow) == CCDMA_OK);
        REQUIRE(t_encode(t_decode(x), true) > narrow.dma_mask);
        for (unsigned int i = 0; i < 3; i++) {
            CHECK_ERR(ccdma_map_single(&narrow, small, 100, CCDMA_TO_DEVICE, 0, &y), CCDMA_OK,
                      "a device that reaches only the first chunk maps");
            good += y == one[7];
            if (y != CCDMA_DMA_ADDR_INVALID)
                REQUIRE(ccdma_unmap_single(&narrow, y, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
        }
        CHECK_EQ(good, 3, "in the first chunk's free run, every time");
        REQUIRE(ccdma_device_release(&narrow) == CCDMA_OK);
        one[7] = CCDMA_DMA_ADDR_INVALID;
        x = CCDMA_DMA_ADDR_INVALID;
    }
    if (x != CCDMA_DMA_ADDR_INVALID)
        REQUIRE(ccdma_unmap_single(&wide, x, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    for (unsigned int i = 0; i < 32; i++)
        if (one[i] != CCDMA_DMA_ADDR_INVALID)
            REQUIRE(ccdma_unmap_single(&wide, one[i], 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    for (unsigned int i = 0; i < 15; i++)
        REQUIRE(ccdma_unmap_single(&wide, big[i], 16 * PAGE, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    CHECK_EQ(t_pool_stats(pool).used, 0, "nothing left taken");
    REQUIRE(ccdma_device_release(&wide) == CCDMA_OK);
    t_pages_free(bufs, 15 * 16);
    t_pages_free(small, 1);
}

/* ---- the leaf paths' runtime flag --------------------------------------------- */

static struct ccdma_config flag_cfg(bool debug)
{
    struct ccdma_config c = t_config();

    c.debug = debug;
    c.quiet = true;
    return c;
}

static void test_fast_flag_lifecycle(void)
{
    struct host_platform_config port = {.encoding = T.enc};
    struct ccdma_config off = flag_cfg(false), on = flag_cfg(true);
    struct host_platform_faults nomem = {.alloc_fail_after = 0, .alloc_fail_count = 1000};
    struct ccdma_device dev;
    uint8_t *buf;
    ccdma_dma_t d, x;

    REQUIRE(host_platform_init(&port) == CCDMA_OK);
    buf = t_pages(1);
    REQUIRE(ccdma_init(&off) == CCDMA_OK);
    CHECK(dma_fast_ok, "initialised, dma-debug off: the leaf paths run");
    ccdma_device_default(&dev, "flag", UINT64_MAX);
    REQUIRE(ccdma_device_init(&dev) == CCDMA_OK);
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "map");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    /* The leaf path tests neither NULL nor a size of 0 by name: the window
     * test must refuse both, and a size past the window's end. */
    d = 1;
    CHECK_ERR(ccdma_map_single(&dev, NULL, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "leaf path: a NULL buffer");
    CHECK_EQ(d, CCDMA_DMA_ADDR_INVALID, "leaf path: and the handle says so");
    CHECK_ERR(ccdma_map_single(&dev, buf, 0, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "leaf path: size 0");
    CHECK(ccdma_map_single(&dev, buf, SIZE_MAX, CCDMA_TO_DEVICE, 0, &d) != CCDMA_OK,
          "leaf path: a size past the window");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 0, CCDMA_TO_DEVICE, 0), CCDMA_EINVAL,
              "leaf path: an unmap of size 0");
    CHECK_EQ(t_pool_stats(shared_pool()).used, 0, "leaf path: nothing left taken");
    CHECK_EQ(ccdma_shutdown(), 0, "shutdown");
    CHECK(!dma_fast_ok, "after shutdown they do not");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "a map after shutdown: EINVAL");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0), CCDMA_EINVAL,
              "an unmap after shutdown: EINVAL");

    host_platform_set_faults(&nomem);
    CHECK(ccdma_init(&off) != CCDMA_OK, "an init that runs out of memory fails");
    host_platform_set_faults(NULL);
    CHECK(!dma_fast_ok, "and leaves the leaf paths off");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "a map after the failed init: EINVAL");

    REQUIRE(ccdma_init(&on) == CCDMA_OK);
    CHECK(!dma_fast_ok, "dma-debug on: the general paths");
    REQUIRE(ccdma_device_init(&dev) == CCDMA_OK);
    REQUIRE(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d) == CCDMA_OK);
    REQUIRE(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    x = t_debug().errors;
    CHECK(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0) != CCDMA_OK,
          "a double unmap is refused");
    CHECK_EQ(t_debug().errors, x + 1, "by dma-debug");
    ccdma_shutdown();
    t_pages_free(buf, 1);
    host_platform_fini();
}

/* The leaf path and the general one (dma-debug on) decide alike for a
 * device with only one of the two reaches: direct or bounced, the same. */
static void test_leaf_matches_general(void)
{
    struct host_platform_config port = {.encoding = T.enc};
    uint8_t *buf;

    REQUIRE(host_platform_init(&port) == CCDMA_OK);
    buf = t_pages(1);
    for (unsigned int which = 0; which < 2; which++) {
        bool bounced[2];

        for (unsigned int debug = 0; debug < 2; debug++) {
            struct ccdma_config c = flag_cfg(debug != 0);
            struct ccdma_device dev;
            ccdma_dma_t d;

            REQUIRE(ccdma_init(&c) == CCDMA_OK);
            CHECK(dma_fast_ok == !debug, "the path under test is the one taken");
            ccdma_device_default(&dev, "one-reach", UINT64_MAX);
            dev.reach_private = which == 0;
            dev.reach_shared = which == 1;
            REQUIRE(ccdma_device_init(&dev) == CCDMA_OK);
            REQUIRE(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d) == CCDMA_OK);
            bounced[debug] = ccdma_is_bounced(&dev, d);
            REQUIRE(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
            REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
            CHECK_EQ(ccdma_shutdown(), 0, "shutdown");
        }
        CHECK_EQ(bounced[0], bounced[1], which == 0 ? "private reach only: the same path"
                                                   : "shared reach only: the same path");
    }
    t_pages_free(buf, 1);
    host_platform_fini();
}

/* dma-debug turns itself off when its entries run out of memory, between
 * maps it recorded and their unmaps: those unmap on the leaf path, and
 * every byte still comes back. */
#define DBG_MAPS 64

static void test_debug_off_between_map_and_unmap(void)
{
    struct host_platform_config port = {.encoding = T.enc};
    struct ccdma_config on = flag_cfg(true);
    struct host_platform_faults nomem = {.alloc_fail_after = 0, .alloc_fail_count = 1u << 30};
    struct ccdma_device dev;
    uint8_t *bufs;
    ccdma_dma_t d[DBG_MAPS];
    unsigned int mapped = 0, good = 0;

    REQUIRE(host_platform_init(&port) == CCDMA_OK);
    bufs = t_pages(DBG_MAPS);
    REQUIRE(ccdma_init(&on) == CCDMA_OK);
    bounce_dev(&dev, "dbg", 0, NULL);
    /* The first map takes a page of entries; the rest come from it until
     * it runs out, when the next page cannot be had. */
    REQUIRE(ccdma_map_single(&dev, bufs, 100, CCDMA_FROM_DEVICE, 0, &d[0]) == CCDMA_OK);
    mapped = 1;
    host_platform_set_faults(&nomem);
    while (mapped < DBG_MAPS && t_debug().enabled)
        if (ccdma_map_single(&dev, bufs + mapped * PAGE, 100, CCDMA_FROM_DEVICE, 0,
                             &d[mapped]) == CCDMA_OK)
            mapped++;
    host_platform_set_faults(NULL);
    CHECK(!t_debug().enabled, "dma-debug turned itself off");
    CHECK(dma_fast_ok, "and the leaf paths took over");
    for (unsigned int i = 0; i < mapped; i++) {
        uint8_t pat[100];

        memset(pat, (int)(i + 1), sizeof(pat));
        good += t_dev_write(&dev, d[i], pat, sizeof(pat)) == 0 &&
                ccdma_unmap_single(&dev, d[i], 100, CCDMA_FROM_DEVICE, 0) == CCDMA_OK &&
                t_all_bytes(bufs + i * PAGE, (uint8_t)(i + 1), 100);
    }
    CHECK_EQ(good, mapped, "every mapping, recorded or not, unmaps with its bytes");
    CHECK_EQ(t_pool_stats(shared_pool()).used, 0, "nothing left taken");
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    CHECK_EQ(ccdma_shutdown(), 0, "and none of those recorded before is reported leaked");
    t_pages_free(bufs, DBG_MAPS);
    host_platform_fini();
}

/* ---- dma_min_not_zero ---------------------------------------------------------- */

static void test_min_not_zero(void)
{
    static const struct { uint64_t a, b, want; } cases[] = {
        {0, 0, 0},
        {0, 1, 1},
        {1, 0, 1},
        {0, UINT64_MAX, UINT64_MAX},
        {UINT64_MAX, 0, UINT64_MAX},
        {UINT64_MAX, UINT64_MAX, UINT64_MAX},
        {1, UINT64_MAX, 1},
        {UINT64_MAX, 1, 1},
        {0xffffffff, 0xfffff, 0xfffff},
        {0xfffff, 0xffffffff, 0xfffff},
        {7, 7, 7},
    };
    unsigned int good = 0;
    struct ccdma_device dev;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        good += dma_min_not_zero(cases[i].a, cases[i].b) == cases[i].want;
    CHECK_EQ(good, sizeof(cases) / sizeof(cases[0]), "dma_min_not_zero: 0 is no limit");

    /* Through the reach check: 0 is "none" for the bus limit, and the
     * smaller of two limits wins whichever it is. */
    memset(&dev, 0, sizeof(dev));
    dev.dma_mask = UINT64_MAX;
    CHECK(dma_within(&dev, UINT64_MAX - 0xfff, 0x1000, false),
          "full mask, no bus limit: the top page is reachable");
    dev.bus_limit = 0xffffffff;
    CHECK(!dma_within(&dev, 0x100000000ull, 1, false), "a 4 GiB bus limit: 4 GiB is not");
    CHECK(dma_within(&dev, 0xfffff000ull, 0x1000, false), "its last page is");
    dev.dma_mask = 0xfffff;
    CHECK(!dma_within(&dev, 0x100000, 1, false), "a 1 MiB mask under the bus limit wins");
    CHECK(dma_within(&dev, 0xfffff, 1, false), "up to its last byte");
    dev.coherent_dma_mask = 0xffff;
    CHECK(!dma_within(&dev, 0x10000, 1, true), "coherent: its own mask");
    CHECK(dma_within(&dev, 0x10000, 1, false), "streaming: not");
    dev.dma_mask = 0;
    dev.bus_limit = 0;
    CHECK(!dma_within(&dev, 0, 1, false), "no mask and no bus limit: nothing");
}

/* ---- a slot reused while a released device looks it up ------------------------ */

#define REUSE_ROUNDS 200

struct reuse {
    struct ccdma_device *stale;
    ccdma_dma_t addr;       /* a live mapping of another device, in the default pool */
    _Atomic ccdma_dma_t in_slot; /* one of the pool in the stale device's slot, or 0 */
    uint8_t *mem, *buf;
    atomic_bool done;
    atomic_uint wrong, lookups, rounds, other_slot, in_slot_lookups, errors;
    struct ccdma_swiotlb *slot;
};

static void *reuser(void *arg)
{
    struct reuse *r = arg;

    for (unsigned int i = 0; i < REUSE_ROUNDS; i++) {
        unsigned int seen = atomic_load(&r->lookups);
        struct ccdma_swiotlb *p;

        /* Every round beside some lookups: the looker runs until done. */
        while (atomic_load(&r->lookups) == seen)
            sched_yield();
        struct ccdma_device owner;
        ccdma_dma_t d;

        if (ccdma_swiotlb_restricted_create("reuse", r->mem, (i & 1 ? 1 : 4) * SEG, true, &p))
            break;
        if (p != r->slot)
            atomic_fetch_add(&r->other_slot, 1);
        /* A mapping of this round's pool, by its own device: the stale
         * device's lookup lands in it by its pool's arithmetic, and must
         * not take it for its own. */
        ccdma_device_default(&owner, "owner", UINT64_MAX);
        owner.force_bounce = true;
        owner.restricted_pool = p;
        if (ccdma_device_init(&owner) != CCDMA_OK ||
            ccdma_map_single(&owner, r->buf, 100, CCDMA_TO_DEVICE, 0, &d) != CCDMA_OK) {
            atomic_fetch_add(&r->errors, 1);
            break;
        }
        atomic_store(&r->in_slot, d);
        seen = atomic_load(&r->in_slot_lookups);
        while (atomic_load(&r->in_slot_lookups) == seen)
            sched_yield();
        atomic_store(&r->in_slot, 0);
        if (ccdma_unmap_single(&owner, d, 100, CCDMA_TO_DEVICE, 0) != CCDMA_OK ||
            ccdma_device_release(&owner) != CCDMA_OK ||
            ccdma_swiotlb_restricted_destroy(p) != CCDMA_OK) {
            atomic_fetch_add(&r->errors, 1);
            break;
        }
        atomic_fetch_add(&r->rounds, 1);
    }
    atomic_store(&r->done, true);
    return NULL;
}

static void *looker(void *arg)
{
    struct reuse *r = arg;

    while (!atomic_load(&r->done)) {
        ccdma_dma_t d = atomic_load(&r->in_slot);

        if (ccdma_is_bounced(r->stale, r->addr))
            atomic_fetch_add(&r->wrong, 1);
        if (d && ccdma_is_bounced(r->stale, d))
            atomic_fetch_add(&r->wrong, 1);
        atomic_fetch_add(&r->in_slot_lookups, d != 0);
        atomic_fetch_add(&r->lookups, 1);
    }
    return NULL;
}

static void test_reuse_while_looking(void)
{
    struct reuse r = {0};
    struct ccdma_device stale, live;
    struct ccdma_swiotlb *p;
    uint8_t *buf = t_pages(1);
    pthread_t a, b;

    r.mem = t_pages(4 * SEG / PAGE);
    REQUIRE(ccdma_swiotlb_restricted_create("once", r.mem, 4 * SEG, true, &p) == CCDMA_OK);
    bounce_dev(&stale, "stale", 0, p);
    REQUIRE(ccdma_device_release(&stale) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(p) == CCDMA_OK);
    r.slot = p;
    r.stale = &stale;
    bounce_dev(&live, "live", 0, NULL);
    REQUIRE(ccdma_map_single(&live, buf, 100, CCDMA_TO_DEVICE, 0, &r.addr) == CCDMA_OK);
    r.buf = t_pages(1);
    REQUIRE(pthread_create(&a, NULL, reuser, &r) == 0);
    REQUIRE(pthread_create(&b, NULL, looker, &r) == 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("# %u create/destroy rounds, %u lookups beside them\n", atomic_load(&r.rounds),
           atomic_load(&r.lookups));
    CHECK_EQ(atomic_load(&r.errors), 0, "every round's pool mapped through its own device");
    CHECK_EQ(atomic_load(&r.rounds), REUSE_ROUNDS, "every round created and destroyed its pool");
    CHECK(atomic_load(&r.in_slot_lookups) >= REUSE_ROUNDS,
          "the stale device looked up a live mapping of the reused slot in every round");
    CHECK_EQ(atomic_load(&r.other_slot), 0, "in the stale device's slot");
    CHECK(atomic_load(&r.lookups) >= REUSE_ROUNDS, "the lookups ran in every round");
    CHECK_EQ(atomic_load(&r.wrong), 0, "none took another device's mapping for its own");
    CHECK(ccdma_is_bounced(&live, r.addr), "the live mapping is still there");
    REQUIRE(ccdma_unmap_single(&live, r.addr, 100, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    REQUIRE(ccdma_device_release(&live) == CCDMA_OK);
    t_pages_free(r.mem, 4 * SEG / PAGE);
    t_pages_free(r.buf, 1);
    t_pages_free(buf, 1);
}

static bool wanted(int argc, char **argv, const char *key)
{
    return argc < 3 || strcmp(argv[2], key) == 0;
}

int main(int argc, char **argv)
{
    struct ccdma_config gdbg = grown_cfg(true), gfast = grown_cfg(false), g1 = gfast;

    g1.swiotlb_areas = 1;

    t_start(argc, argv, "dma bounce lookups and recent runs");
    host_platform_set_cpu(0);
    if (wanted(argc, argv, "lookup")) {
        t_run_with(test_every_area_and_grown_chunk, "every area and a grown chunk, dma-debug on",
                   &gdbg);
        t_run_with(test_every_area_and_grown_chunk, "every area and a grown chunk, leaf paths",
                   &gfast);
        t_run_with(test_stale_first_chunk, "a stale first-chunk record", &gfast);
        t_run_with(test_restricted_reuse, "a restricted pool and a later one in its slot",
                   &gfast);
    }
    if (wanted(argc, argv, "recent")) {
        t_run_with(test_recent_stack, "the recent stack: size, alignment, overflow, flush",
                   &gfast);
        t_run_with(test_recent_stack, "the recent stack, dma-debug on", &gdbg);
        t_run_with(test_recent_beyond_reach, "a recent run beyond the device's reach", &g1);
        t_run_with(test_latest_and_stale_slots, "the latest run's alignment, and stale slots",
                   &gfast);
    }
    if (wanted(argc, argv, "flag")) {
        t_run_raw(test_fast_flag_lifecycle, "the leaf paths' flag over init and shutdown");
        t_run_raw(test_leaf_matches_general, "the leaf path decides as the general one");
        t_run_raw(test_debug_off_between_map_and_unmap, "dma-debug off between map and unmap");
        t_run_with(test_min_not_zero, "dma_min_not_zero", &gfast);
    }
    if (wanted(argc, argv, "threads"))
        t_run_with(test_reuse_while_looking, "a slot reused while a released device looks",
                   &gfast);
    return t_finish();
}
