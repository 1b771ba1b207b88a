/* SPDX-License-Identifier: MIT */
/*
 * dma-debug: each kind of driver mistake is reported and counted, the
 * offending call is refused or made harmless, and the state stays intact.
 */
#include "dma_test.h"

#define PAGE CCDMA_PAGE_SIZE

static struct ccdma_device dev, other;
static uint8_t *buf;

static void setup(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();

    t_setup_with(&p, &c);
    t_dev_t0(&dev, "drv", UINT64_MAX);
    dev.force_bounce = true; /* bounce under every encoding */
    t_dev_t0(&other, "other", UINT64_MAX);
    buf = t_pages(4);
}

static void teardown(void)
{
    t_pages_free(buf, 4);
    CHECK_EQ(t_teardown(), 0, "nothing live at shutdown");
    CHECK_EQ(t_port().pages_in_use, 0, "every page back");
}

static size_t used(void)
{
    return t_pool_stats(ccdma_swiotlb_default(true)).used;
}

static void test_double_and_foreign_unmap(void)
{
    struct ccdma_debug_counters c;
    ccdma_dma_t d, o;

    setup();
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &d) == 0);
    REQUIRE(ccdma_unmap_single(&dev, d, 100, CCDMA_TO_DEVICE, 0) == 0);
    CHECK_ERR(ccdma_unmap_single(&dev, d, 100, CCDMA_TO_DEVICE, 0), CCDMA_EFAULT, "double unmap refused");
    c = t_debug();
    CHECK(c.double_unmap == 1 && c.errors == 1, "reported as a double unmap");

    CHECK_ERR(ccdma_unmap_single(&dev, t_encode(t_pa(buf) + 3 * PAGE, true), 64,
                                 CCDMA_TO_DEVICE, 0), CCDMA_EFAULT,
              "unmap of an address never mapped refused");
    CHECK_EQ(t_debug().foreign_unmap, 1, "reported as foreign");

    REQUIRE(ccdma_map_single(&other, buf + PAGE, 64, CCDMA_TO_DEVICE, 0, &o) == 0);
    CHECK_ERR(ccdma_unmap_single(&dev, o, 64, CCDMA_TO_DEVICE, 0), CCDMA_EFAULT,
              "unmap of another device's mapping refused");
    CHECK_EQ(t_debug().foreign_unmap, 2, "reported as foreign");
    CHECK_ERR(ccdma_unmap_single(&other, o, 64, CCDMA_TO_DEVICE, 0), CCDMA_OK,
              "its owner still unmaps it");
    CHECK_EQ(t_debug().errors, 3, "three reports in all");
    teardown();
}

static void test_wrong_size_and_direction(void)
{
    ccdma_dma_t d;

    setup();
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_FROM_DEVICE, 0, &d) == 0);
    t_dev_fill(&dev, d, 0x5e, 3000);
    CHECK_ERR(ccdma_unmap_single(&dev, d, 2000, CCDMA_TO_DEVICE, 0), CCDMA_OK,
              "unmap with the wrong size and direction still unmaps");
    CHECK_EQ(t_debug().wrong_size, 1, "wrong size reported");
    CHECK_EQ(t_debug().wrong_dir, 1, "wrong direction reported");
    CHECK(t_all_bytes(buf, 0x5e, 3000), "the recorded size and direction ruled the copy-back");
    CHECK_EQ(used(), 0, "all slots back");
    teardown();
}

static void test_sync_errors(void)
{
    ccdma_dma_t d;

    setup();
    CHECK_ERR(ccdma_sync_for_cpu(&dev, t_encode(t_pa(buf), true), 64, CCDMA_FROM_DEVICE),
              CCDMA_EFAULT, "sync of an unmapped address refused");
    CHECK_EQ(t_debug().sync_unmapped, 1, "reported");
    REQUIRE(ccdma_map_single(&dev, buf, 1000, CCDMA_TO_DEVICE, 0, &d) == 0);
    CHECK_ERR(ccdma_sync_for_device(&dev, d + 900, 200, CCDMA_TO_DEVICE), CCDMA_EINVAL,
              "sync past the end of the mapping refused");
    CHECK_EQ(t_debug().sync_out_of_range, 1, "reported");
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d, 1000, CCDMA_FROM_DEVICE), CCDMA_OK,
              "sync with the wrong direction goes on");
    CHECK_EQ(t_debug().wrong_dir, 1, "but is reported");
    CHECK_ERR(ccdma_sync_for_cpu(&other, d, 10, CCDMA_TO_DEVICE), CCDMA_EFAULT,
              "another device's sync of it refused");
    CHECK_EQ(t_debug().sync_unmapped, 2, "reported");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 1000, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK_EQ(t_debug().errors, 4, "four reports in all");
    teardown();
}

static void test_overlaps(void)
{
    ccdma_dma_t a, b, c;

    setup();
    REQUIRE(ccdma_map_single(&dev, buf, 1000, CCDMA_TO_DEVICE, 0, &a) == 0);
    REQUIRE(ccdma_map_single(&other, buf + 500, 1000, CCDMA_TO_DEVICE, 0, &b) == 0);
    CHECK_EQ(t_debug().overlap, 0, "two TO_DEVICE mappings may overlap");
    REQUIRE(ccdma_map_single(&dev, buf + 999, 10, CCDMA_FROM_DEVICE, 0, &c) == 0);
    CHECK_EQ(t_debug().overlap, 1,
             "a FROM_DEVICE mapping over a live one is reported, even though both bounced");
    ccdma_unmap_single(&dev, c, 10, CCDMA_FROM_DEVICE, 0);
    REQUIRE(ccdma_map_single(&dev, buf + 1500, 10, CCDMA_BIDIRECTIONAL, 0, &c) == 0);
    CHECK_EQ(t_debug().overlap, 1, "next to a mapping, not over it: no report");
    ccdma_unmap_single(&dev, c, 10, CCDMA_BIDIRECTIONAL, 0);
    ccdma_unmap_single(&dev, a, 1000, CCDMA_TO_DEVICE, 0);
    ccdma_unmap_single(&other, b, 1000, CCDMA_TO_DEVICE, 0);
    CHECK_EQ(t_debug().errors, 1, "one report in all");
    teardown();
}

static void test_wrong_type(void)
{
    void *cpu;
    ccdma_dma_t h, d;
    struct ccdma_sg sg = {.va = buf, .len = 64};

    setup();
    sg.va = buf;
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &cpu, &h) == 0);
    CHECK_ERR(ccdma_unmap_single(&dev, h, PAGE, CCDMA_BIDIRECTIONAL, 0), CCDMA_EINVAL,
              "unmap_single of a coherent handle refused");
    CHECK_EQ(t_debug().wrong_type, 1, "reported");
    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, cpu, h), CCDMA_EINVAL,
              "free with the wrong size refused (it would free other pages)");
    CHECK_EQ(t_debug().wrong_size, 1, "reported");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, cpu, h), CCDMA_OK, "the right free still works");

    REQUIRE(ccdma_map_sg(&dev, &sg, 1, CCDMA_TO_DEVICE, 0) == 1);
    CHECK_ERR(ccdma_unmap_single(&dev, sg.dma_addr, 64, CCDMA_TO_DEVICE, 0), CCDMA_EINVAL,
              "unmap_single of a scatter-gather entry refused");
    CHECK_ERR(ccdma_unmap_sg(&dev, &sg, 1, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap_sg works");
    REQUIRE(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d) == 0);
    CHECK_ERR(ccdma_free_coherent(&dev, 64, buf, d), CCDMA_EFAULT,
              "free_coherent of a streaming mapping refused (its handle is the bounce)");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK_EQ(t_debug().wrong_type, 2, "two wrong types reported");
    teardown();
}

/* Regression (found by the first QEMU virtio boot): a CC_SHARED streaming
 * mapping that starts where its coherent allocation starts is legal, and its
 * unmap must release the mapping, not be called a wrong-type release. */
static void test_shared_mapping_at_coherent_start(void)
{
    enum { N = 16 }; /* enough live entries that the tree's shape varies */
    struct ccdma_device vdev; /* a virtio-like device: no forced bounce */
    void *cpu[N];
    ccdma_dma_t h[N], d[N];
    unsigned int in_place = 0, unmapped = 0, freed = 0;

    setup();
    ccdma_device_default(&vdev, "virtio-like", UINT64_MAX);
    REQUIRE(ccdma_device_init(&vdev) == 0);
    for (unsigned int i = 0; i < N; i++)
        REQUIRE(ccdma_alloc_coherent(&vdev, PAGE, 0, 0, &cpu[i], &h[i]) == 0);
    for (unsigned int i = 0; i < N; i++) {
        REQUIRE(ccdma_map_single(&vdev, cpu[i], 64, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_CC_SHARED,
                                 &d[i]) == 0);
        in_place += d[i] == h[i];
    }
    CHECK_EQ(in_place, N, "mapped in place: the same DMA address as each allocation");
    for (unsigned int i = 0; i < N; i++)
        unmapped += ccdma_unmap_single(&vdev, d[i], 64, CCDMA_BIDIRECTIONAL,
                                       CCDMA_ATTR_CC_SHARED) == CCDMA_OK;
    CHECK_EQ(unmapped, N, "every unmap releases its mapping");
    CHECK_EQ(t_debug().errors, 0, "no dma-debug report");
    for (unsigned int i = 0; i < N; i++)
        freed += ccdma_free_coherent(&vdev, PAGE, cpu[i], h[i]) == CCDMA_OK;
    CHECK_EQ(freed, N, "the allocations are still there to free");
    CHECK_EQ(t_debug().errors, 0, "still no report");
    teardown();
}

static void test_leaks_at_shutdown(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    void *cpu;
    ccdma_dma_t h, d;

    t_setup_with(&p, &c);
    t_dev_t0(&dev, "leaky", UINT64_MAX);
    buf = t_pages(1);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &cpu, &h) == 0);
    REQUIRE(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d) == 0);
    CHECK_EQ(t_debug().live, 2, "two live entries");
    CHECK_EQ(ccdma_shutdown(), 2, "shutdown reports and returns two leaks");
    CHECK_EQ(t_debug().leaks, 2, "counted");
    CHECK_EQ(t_port().bad_frees, 0, "shutdown freed nothing in a wrong state");
    host_platform_fini();
}

static void test_debug_off(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    ccdma_dma_t d;

    c.debug = false;
    t_setup_with(&p, &c);
    t_dev_t1(&dev, "quiet", UINT64_MAX);
    buf = t_pages(4);
    REQUIRE(ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &d) == 0);
    CHECK(!t_debug().enabled && t_debug().live == 0, "dma-debug off: nothing tracked");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 100, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK_EQ(t_debug().errors, 0, "and nothing reported");
    teardown();
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma-debug");
    t_run_raw(test_double_and_foreign_unmap, "double and foreign unmap");
    t_run_raw(test_wrong_size_and_direction, "unmap with wrong size and direction");
    t_run_raw(test_sync_errors, "sync errors");
    t_run_raw(test_overlaps, "overlapping mappings");
    t_run_raw(test_wrong_type, "wrong release function");
    t_run_raw(test_shared_mapping_at_coherent_start, "CC_SHARED mapping at a coherent start");
    t_run_raw(test_leaks_at_shutdown, "leaks at shutdown");
    t_run_raw(test_debug_off, "dma-debug off");
    return t_finish();
}
