/* SPDX-License-Identifier: MIT */
/*
 * Memory a device may still write is never handed out again, across
 * ccdma_shutdown() and ccdma_init() too.
 *
 * A driver whose device ignored its reset keeps that device's mappings and
 * allocations for good (drivers/virtio does): it never unmaps or frees
 * them. Shutdown then finds them live. Were their bounce region or atomic
 * chunk given back, the next ccdma_init() could build its pools on the
 * same pages, and the old device's late write would land in a new
 * mapping. Each case here: a mapping or allocation left live, shutdown,
 * init, a new one of the same shape, then the old device writes through
 * its old address; the new one must not see it, and must not sit on the
 * old one's memory.
 */
#include "dma_test.h"

#define PAGE CCDMA_PAGE_SIZE

static bool overlaps(ccdma_phys_t a, size_t an, ccdma_phys_t b, size_t bn)
{
    return a < b + bn && b < a + an;
}

/* A FROM_DEVICE bounce mapping left live by a driver, a shutdown, a new
 * runtime, a new mapping; then the old device's late write. */
static void bounce_kept(void)
{
    struct ccdma_config cfg = t_config();
    struct ccdma_device dev, dev2;
    uint8_t *old = NULL, *fresh;
    ccdma_dma_t a, b;
    int leaks;

    cfg.quiet = true; /* the shutdown reports the live mapping, on purpose */
    t_setup_with(NULL, &cfg);
    t_dev_t0(&dev, "deaf", UINT64_MAX);
    dev.force_bounce = true;
    REQUIRE(ccdma_device_init(&dev) == CCDMA_OK);
    old = t_pages(1);
    fresh = t_pages(1);
    REQUIRE(ccdma_map_single(&dev, old, 2048, CCDMA_FROM_DEVICE, 0, &a) == CCDMA_OK);
    REQUIRE(ccdma_is_bounced(&dev, a));
    struct ccdma_swiotlb_stats before = t_pool_stats(ccdma_swiotlb_default(true));

    leaks = ccdma_shutdown();
    CHECK_EQ(leaks, 1, "shutdown reports the mapping nobody unmapped");
    CHECK(t_stats().kept_pages >= (before.end - before.start) / PAGE,
          "its bounce region is kept for good, and counted");
    REQUIRE(ccdma_init(&cfg) == CCDMA_OK);
    t_dev_t0(&dev2, "next", UINT64_MAX);
    dev2.force_bounce = true;
    REQUIRE(ccdma_device_init(&dev2) == CCDMA_OK);
    struct ccdma_swiotlb_stats after = t_pool_stats(ccdma_swiotlb_default(true));
    CHECK(!overlaps(after.start, (size_t)(after.end - after.start), t_decode(a), 2048),
          "the new bounce pool is not built on the kept region");
    memset(fresh, 0x11, 2048);
    REQUIRE(ccdma_map_single(&dev2, fresh, 2048, CCDMA_FROM_DEVICE, 0, &b) == CCDMA_OK);
    CHECK(!overlaps(t_decode(b), 2048, t_decode(a), 2048),
          "a new mapping does not get the old one's slot");
    CHECK_EQ(t_dev_fill(&dev2, b, 0x22, 2048), 0, "the new device writes its own");
    /* The deaf device wakes up and writes through the address it kept. */
    CHECK_EQ(t_dev_fill(&dev, a, 0xee, 2048), 0, "the old device can still write its slot");
    REQUIRE(ccdma_unmap_single(&dev2, b, 2048, CCDMA_FROM_DEVICE, 0) == CCDMA_OK);
    CHECK(t_all_bytes(fresh, 0x22, 2048), "the new mapping got its device's data, nothing else");
    CHECK_EQ(ccdma_shutdown(), 0, "the second runtime ends clean");
    host_platform_fini();
}

/* The same with an atomic coherent allocation left live. */
static void atomic_kept(void)
{
    struct ccdma_config cfg = t_config();
    struct ccdma_device dev;
    void *old_cpu, *cpu;
    ccdma_dma_t old_h, h;
    int leaks;

    cfg.quiet = true;
    t_setup_with(NULL, &cfg);
    t_dev_t0(&dev, "deaf", UINT64_MAX);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &old_cpu, &old_h) ==
            CCDMA_OK);
    leaks = ccdma_shutdown();
    CHECK_EQ(leaks, 1, "shutdown reports the allocation nobody freed");
    REQUIRE(ccdma_init(&cfg) == CCDMA_OK);
    t_dev_t0(&dev, "next", UINT64_MAX);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h) == CCDMA_OK);
    CHECK(!overlaps(t_decode(h), PAGE, t_decode(old_h), PAGE),
          "a new atomic allocation does not get the old one's pages");
    memset(cpu, 0x33, PAGE);
    CHECK_EQ(t_dev_fill(&dev, old_h, 0xee, PAGE), 0, "the old device can still write its page");
    CHECK(t_all_bytes(cpu, 0x33, PAGE), "the new allocation is untouched by the late write");
    REQUIRE(ccdma_free_coherent(&dev, PAGE, cpu, h) == CCDMA_OK);
    CHECK_EQ(ccdma_shutdown(), 0, "the second runtime ends clean");
    host_platform_fini();
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma memory kept across shutdown");
    t_run_raw(bounce_kept, "a bounce slot a device may still write");
    t_run_raw(atomic_kept, "an atomic allocation a device may still write");
    return t_finish();
}
