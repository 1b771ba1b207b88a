/* SPDX-License-Identifier: MIT */
/*
 * dma-direct: the map path's choice between direct and bounce, the
 * coherent allocation path and its conversions, cache maintenance,
 * scatter-gather and MMIO.
 */
#include "dma_test.h"

#include <stdio.h>

#define PAGE CCDMA_PAGE_SIZE

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static bool has_pattern(const uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * 7))
            return false;
    return true;
}

/* Rules 2, 3, 6: a T=0 device given private memory gets a bounce, never a
 * conversion of the caller's pages. */
static void test_t0_private_bounces(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(2), got[8192];
    uint64_t rsi;
    ccdma_dma_t d;

    t_dev_t0(&dev, "virtio-t0", UINT64_MAX);
    fill_pattern(buf, sizeof(got), 3);
    rsi = t_rsi_state_sets();
    CHECK_ERR(ccdma_map_single(&dev, buf, sizeof(got), CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "map");
    CHECK_EQ(ccdma_is_bounced(&dev, d), T.cc, "bounced exactly when CC is on");
    if (T.cc) {
        CHECK(t_is_shared(d), "the bounce address has the shared encoding");
        CHECK(t_range_shared(t_decode(d), sizeof(got)), "and lies in shared memory (port and RIPAS agree)");
        CHECK(t_range_private(t_pa(buf), sizeof(got)), "the caller's pages stay private");
    } else {
        CHECK_EQ(d, t_pa(buf), "plain: the bus address of the buffer");
    }
    CHECK_EQ(t_dev_read(&dev, d, got, sizeof(got)), 0, "the device can read it");
    CHECK(has_pattern(got, sizeof(got), 3), "and reads the caller's bytes");
    CHECK_ERR(ccdma_unmap_single(&dev, d, sizeof(got), CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK_EQ(t_rsi_state_sets(), rsi, "map and unmap made no RSI call (rule 2)");
    t_pages_free(buf, 2);
}

/* Rule 3: an accepted device reaches private memory directly. */
static void test_t1_private_direct(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(1), got[100];
    struct ccdma_swiotlb_stats s0 = t_pool_stats(ccdma_swiotlb_default(false));
    ccdma_dma_t d;

    t_dev_t1(&dev, "tdisp-t1", UINT64_MAX);
    fill_pattern(buf, 100, 9);
    CHECK_ERR(ccdma_map_single(&dev, buf, 100, CCDMA_BIDIRECTIONAL, 0, &d), CCDMA_OK, "map");
    CHECK(!ccdma_is_bounced(&dev, d), "not bounced");
    CHECK_EQ(d, t_encode(t_pa(buf), false), "private encoding of the buffer itself");
    CHECK_EQ(t_dev_read(&dev, d, got, 100), 0, "the device reads it in place");
    CHECK(has_pattern(got, 100, 9), "the caller's bytes");
    CHECK_EQ(t_dev_fill(&dev, d, 0x44, 10), 0, "the device writes in place");
    CHECK(t_all_bytes(buf, 0x44, 10), "the write is visible at once, no copy");
    CHECK_EQ(t_pool_stats(ccdma_swiotlb_default(false)).maps, s0.maps, "no bounce pool used");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 100, CCDMA_BIDIRECTIONAL, 0), CCDMA_OK, "unmap");
    t_pages_free(buf, 1);
}

/* Rules 1 and 7: CC_SHARED describes memory that is already shared. It
 * selects the shared encoding, converts nothing, and keeps working for an
 * accepted device. */
static void test_cc_shared_direct(void)
{
    struct ccdma_device t0, t1;
    uint8_t *buf = t_shared_pages(1);
    uint64_t rsi = t_rsi_state_sets();
    ccdma_dma_t d;

    t_dev_t0(&t0, "t0", UINT64_MAX);
    t_dev_t1(&t1, "t1", UINT64_MAX);
    CHECK_ERR(ccdma_map_single(&t0, buf, 512, CCDMA_FROM_DEVICE, CCDMA_ATTR_CC_SHARED, &d),
              CCDMA_OK, "T=0 maps shared memory");
    CHECK(!ccdma_is_bounced(&t0, d), "T=0: direct");
    CHECK_EQ(d, t_encode(t_pa(buf), true), "T=0: the shared encoding of the buffer");
    CHECK_EQ(t_dev_fill(&t0, d, 0x5c, 512), 0, "the device writes through it");
    CHECK(t_all_bytes(buf, 0x5c, 512), "into the caller's buffer, without a copy");
    CHECK_ERR(ccdma_unmap_single(&t0, d, 512, CCDMA_FROM_DEVICE, CCDMA_ATTR_CC_SHARED),
              CCDMA_OK, "unmap");

    CHECK_ERR(ccdma_map_single(&t1, buf, 512, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED, &d),
              CCDMA_OK, "T=1 maps shared memory");
    CHECK(!ccdma_is_bounced(&t1, d), "T=1: direct");
    CHECK_EQ(d, t_encode(t_pa(buf), true), "T=1: still the shared encoding (rule 7)");
    CHECK_EQ(t_dev_fill(&t1, d, 0x11, 1), 0, "T=1 reaches the shared page");
    CHECK_ERR(ccdma_unmap_single(&t1, d, 512, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED),
              CCDMA_OK, "unmap");
    CHECK_EQ(t_rsi_state_sets(), rsi, "no conversion for CC_SHARED mappings (rule 1)");
    CHECK(t_range_shared(t_pa(buf), PAGE), "the page is still shared");
    t_shared_free(buf, 1);
}

/* Rule 2 again, across every direction and attribute: the state of the
 * caller's pages never changes. */
static void test_mapping_never_converts(void)
{
    static const enum ccdma_dir dirs[] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE, CCDMA_BIDIRECTIONAL};
    struct ccdma_device devs[3];
    uint8_t *priv = t_pages(4), *shared = t_shared_pages(4);
    uint64_t rsi = t_rsi_state_sets();
    int bad = 0;

    t_dev_t0(&devs[0], "t0", UINT64_MAX);
    t_dev_t1(&devs[1], "t1", UINT64_MAX);
    t_dev_t0(&devs[2], "t0-noncoherent", UINT64_MAX);
    devs[2].coherent = false;
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 3; i++) {
            for (int s = 0; s < 2; s++) {
                uint8_t *buf = s ? shared : priv;
                unsigned int attrs = s ? CCDMA_ATTR_CC_SHARED : 0;
                ccdma_dma_t d;

                if (ccdma_map_single(&devs[k], buf + 100, 3 * PAGE, dirs[i], attrs, &d) ||
                    ccdma_unmap_single(&devs[k], d, 3 * PAGE, dirs[i], attrs))
                    bad++;
            }
        }
    }
    CHECK_EQ(bad, 0, "18 map/unmap pairs succeed");
    CHECK_EQ(t_rsi_state_sets(), rsi, "none of them converted anything");
    CHECK(t_range_private(t_pa(priv), 4 * PAGE), "private pages stay private");
    CHECK(t_range_shared(t_pa(shared), 4 * PAGE), "shared pages stay shared");
    t_pages_free(priv, 4);
    t_shared_free(shared, 4);
}

static void test_coherent_t0(void)
{
    struct host_realm_inject wipe = {.wipe_pattern = 0xa5};
    struct ccdma_device dev;
    uint64_t rsi;
    void *cpu;
    ccdma_dma_t h;
    ccdma_phys_t pa;

    /* The host wipes converted pages with a pattern: the allocation must
     * zero them after the conversion, not before. */
    host_platform_set_realm_inject(&wipe);
    t_dev_t0(&dev, "virtio-rings", UINT64_MAX);
    rsi = t_rsi_state_sets();
    CHECK_ERR(ccdma_alloc_coherent(&dev, 3 * PAGE, 0, 0, &cpu, &h), CCDMA_OK, "allocate 3 pages");
    pa = t_pa(cpu);
    CHECK(t_all_bytes(cpu, 0, 3 * PAGE), "zeroed after the conversion");
    CHECK_EQ(ccdma_coherent_is_shared(&dev, h), true, "shared (or plain)");
    CHECK_EQ(h, t_encode(pa, true), "the handle has the shared encoding");
    if (T.cc) {
        CHECK(t_range_shared(pa, 3 * PAGE), "the pages are shared: port and RIPAS agree");
        CHECK(t_rsi_state_sets() > rsi, "the allocation converted them");
    }
    CHECK_EQ(t_dev_fill(&dev, h, 0x3c, 3 * PAGE), 0, "the device reaches every byte");
    CHECK_ERR(ccdma_free_coherent(&dev, 3 * PAGE, cpu, h), CCDMA_OK, "free");
    CHECK(!host_platform_page_allocated(pa), "pages back in the allocator");
    if (T.cc)
        CHECK_EQ(t_ripas(pa), 1, "converted back to private (RIPAS RAM) before that");
    host_platform_set_realm_inject(NULL);
}

static void test_coherent_t1(void)
{
    struct ccdma_device dev;
    uint64_t rsi = t_rsi_state_sets();
    void *cpu;
    ccdma_dma_t h;

    t_dev_t1(&dev, "tdisp", UINT64_MAX);
    CHECK_ERR(ccdma_alloc_coherent(&dev, 5000, 0, 0, &cpu, &h), CCDMA_OK, "allocate");
    CHECK(t_all_bytes(cpu, 0, 5000), "zeroed (the port poisons fresh pages)");
    CHECK_EQ(ccdma_coherent_is_shared(&dev, h), !T.cc, "private under CC");
    CHECK_EQ(h, t_encode(t_pa(cpu), false), "the private encoding");
    CHECK(t_range_private(t_pa(cpu), 5000), "the pages are private");
    CHECK_EQ(t_rsi_state_sets(), rsi, "no conversion");
    CHECK_ERR(ccdma_free_coherent(&dev, 5000, cpu, h), CCDMA_OK, "free");
}

/* The coherent mask is checked against the encoding the device will use. */
static void test_coherent_mask(void)
{
    struct ccdma_device t0, t1;
    uint64_t pages = t_port().pages_in_use, rsi = t_rsi_state_sets();
    void *cpu;
    ccdma_dma_t h;

    t_dev_t0(&t0, "t0", UINT64_MAX);
    t0.coherent_dma_mask = 0x3fffffff;
    CHECK_ERR(ccdma_alloc_coherent(&t0, PAGE, 0, 0, &cpu, &h), CCDMA_ERANGE,
              "no RAM below the coherent mask: ERANGE");
    CHECK_EQ(t_port().pages_in_use, pages, "nothing kept");
    CHECK_EQ(t_rsi_state_sets(), rsi, "nothing converted for a refused allocation");
    if (!T.cc)
        return;
    t_dev_t1(&t1, "t1", UINT64_MAX);
    t0.coherent_dma_mask = t1.coherent_dma_mask =
        T.enc == HOST_ENC_CCA ? 0x7fffffff : 0xffffffff;
    CHECK_ERR(ccdma_alloc_coherent(&t0, PAGE, 0, 0, &cpu, &h),
              T.enc == HOST_ENC_CCA ? CCDMA_ERANGE : CCDMA_OK,
              "T=0: the shared encoding decides (CCA alias above 31 bits)");
    if (T.enc == HOST_ENC_SEV)
        ccdma_free_coherent(&t0, PAGE, cpu, h);
    CHECK_ERR(ccdma_alloc_coherent(&t1, PAGE, 0, 0, &cpu, &h),
              T.enc == HOST_ENC_SEV ? CCDMA_ERANGE : CCDMA_OK,
              "T=1: the private encoding decides (SEV C-bit above 32 bits)");
    if (T.enc == HOST_ENC_CCA)
        ccdma_free_coherent(&t1, PAGE, cpu, h);
}

static struct host_platform_counters cache_delta(struct host_platform_counters a)
{
    struct host_platform_counters b = t_port();

    b.cache_clean -= a.cache_clean;
    b.cache_invalidate -= a.cache_invalidate;
    b.cache_clean_invalidate -= a.cache_clean_invalidate;
    return b;
}

static void test_cache_maintenance(void)
{
    struct ccdma_device nc, coh;
    uint8_t *buf = t_pages(1);
    struct host_platform_counters c;
    ccdma_dma_t d;

    t_dev_t1(&nc, "noncoherent", UINT64_MAX);
    nc.coherent = false;
    t_dev_t1(&coh, "coherent", UINT64_MAX);

    c = t_port();
    ccdma_map_single(&nc, buf, 256, CCDMA_TO_DEVICE, 0, &d);
    CHECK_EQ(cache_delta(c).cache_clean, 1, "TO_DEVICE map cleans");
    c = t_port();
    ccdma_unmap_single(&nc, d, 256, CCDMA_TO_DEVICE, 0);
    CHECK_EQ(cache_delta(c).cache_invalidate, 0, "TO_DEVICE unmap invalidates nothing");

    c = t_port();
    ccdma_map_single(&nc, buf, 256, CCDMA_FROM_DEVICE, 0, &d);
    CHECK_EQ(cache_delta(c).cache_clean, 1, "FROM_DEVICE map cleans (no dirty line may land on DMA data)");
    CHECK_EQ(cache_delta(c).cache_invalidate, 0, "and does not invalidate at map");
    c = t_port();
    ccdma_sync_for_cpu(&nc, d, 256, CCDMA_FROM_DEVICE);
    CHECK_EQ(cache_delta(c).cache_invalidate, 1, "sync_for_cpu invalidates");
    c = t_port();
    ccdma_sync_for_device(&nc, d, 256, CCDMA_FROM_DEVICE);
    CHECK_EQ(cache_delta(c).cache_clean, 1, "sync_for_device cleans");
    c = t_port();
    ccdma_unmap_single(&nc, d, 256, CCDMA_FROM_DEVICE, 0);
    CHECK_EQ(cache_delta(c).cache_invalidate, 1, "FROM_DEVICE unmap invalidates");

    c = t_port();
    ccdma_map_single(&nc, buf, 256, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_SKIP_CPU_SYNC, &d);
    ccdma_unmap_single(&nc, d, 256, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_SKIP_CPU_SYNC);
    c = cache_delta(c);
    CHECK_EQ(c.cache_clean + c.cache_invalidate + c.cache_clean_invalidate, 0,
             "SKIP_CPU_SYNC: no maintenance");

    c = t_port();
    ccdma_map_single(&coh, buf, 256, CCDMA_BIDIRECTIONAL, 0, &d);
    ccdma_sync_for_cpu(&coh, d, 256, CCDMA_BIDIRECTIONAL);
    ccdma_unmap_single(&coh, d, 256, CCDMA_BIDIRECTIONAL, 0);
    c = cache_delta(c);
    CHECK_EQ(c.cache_clean + c.cache_invalidate + c.cache_clean_invalidate, 0,
             "a coherent device: no maintenance");

    /* A bounced mapping maintains the slot, which is what the device reads. */
    nc.force_bounce = true;
    c = t_port();
    ccdma_map_single(&nc, buf, 256, CCDMA_FROM_DEVICE, 0, &d);
    CHECK_EQ(cache_delta(c).cache_clean, 1, "bounce map cleans the slot");
    c = t_port();
    ccdma_unmap_single(&nc, d, 256, CCDMA_FROM_DEVICE, 0);
    CHECK_EQ(cache_delta(c).cache_invalidate, 1, "bounce unmap invalidates before the copy-back");
    CHECK_EQ(cache_delta(c).cache_clean, 0, "and writes nothing it would have to clean");
    t_pages_free(buf, 1);
}

static void test_sg(void)
{
    struct ccdma_device dev;
    uint8_t *a = t_pages(1), *b = t_pages(2), stack_buf[32];
    struct ccdma_sg sg[3] = {
        {.va = a + 10, .len = 300},
        {.va = b, .len = 5000},
        {.va = a + 2000, .len = 64},
    };
    struct ccdma_sg bad[3];
    size_t used0;

    t_dev_t0(&dev, "sg", UINT64_MAX);
    dev.force_bounce = true; /* every encoding bounces */
    used0 = t_pool_stats(ccdma_swiotlb_default(true)).used;
    CHECK_ERR(ccdma_map_sg(&dev, sg, 3, CCDMA_FROM_DEVICE, 0), 3, "map three entries");
    for (int i = 0; i < 3; i++) {
        char name[64];

        snprintf(name, sizeof(name), "entry %d: dma_len, and the device writes it", i);
        CHECK(sg[i].dma_len == sg[i].len &&
                  t_dev_fill(&dev, sg[i].dma_addr, (uint8_t)(0x70 + i), sg[i].len) == 0,
              name);
    }
    CHECK_ERR(ccdma_unmap_sg(&dev, sg, 3, CCDMA_FROM_DEVICE, 0), CCDMA_OK, "unmap all");
    CHECK(t_all_bytes(a + 10, 0x70, 300) && t_all_bytes(b, 0x71, 5000) &&
              t_all_bytes(a + 2000, 0x72, 64), "each entry copied back");

    /* All or nothing: a bad third entry unwinds the first two. */
    memcpy(bad, sg, sizeof(bad));
    bad[2].va = stack_buf;
    bad[2].len = sizeof(stack_buf);
    bad[2].dma_addr = 0x1234;
    bad[2].dma_len = 7;
    CHECK_ERR(ccdma_map_sg(&dev, bad, 3, CCDMA_TO_DEVICE, 0), CCDMA_EFAULT, "third entry not RAM");
    CHECK(bad[2].dma_addr == CCDMA_DMA_ADDR_INVALID && bad[2].dma_len == 0,
          "the failing entry's outputs cleared too");
    CHECK_EQ(t_pool_stats(ccdma_swiotlb_default(true)).used, used0, "the first two were unwound");
    CHECK_EQ(t_debug().live, 0, "and forgotten by dma-debug");
    CHECK_EQ(bad[0].dma_addr, CCDMA_DMA_ADDR_INVALID, "their addresses cleared");
    bad[2].len = 0;
    CHECK_ERR(ccdma_map_sg(&dev, bad, 3, CCDMA_TO_DEVICE, 0), CCDMA_EINVAL, "a zero-length entry");
    CHECK_ERR(ccdma_map_sg(&dev, bad, 0, CCDMA_TO_DEVICE, 0), CCDMA_EINVAL, "no entries");
    t_pages_free(a, 1);
    t_pages_free(b, 2);
}

/* Rule 9: MMIO is never bounced; it maps, or it fails. */
static void test_map_resource(void)
{
    const ccdma_phys_t mmio = 0x0a000000; /* a virtio-mmio window, not RAM */
    struct ccdma_device t0, nc, low, forced;
    struct host_platform_counters c = t_port();
    size_t used0 = t_pool_stats(ccdma_swiotlb_default(true)).used;
    ccdma_dma_t d;

    t_dev_t0(&t0, "p2p", UINT64_MAX);
    CHECK_ERR(ccdma_map_resource(&t0, mmio, 0x200, CCDMA_BIDIRECTIONAL, 0, &d),
              T.cc ? CCDMA_ERANGE : CCDMA_OK,
              "T=0, no CC_SHARED: private MMIO is out of reach under CC, never bounced");
    if (!T.cc)
        ccdma_unmap_resource(&t0, d, 0x200, CCDMA_BIDIRECTIONAL, 0);
    CHECK_ERR(ccdma_map_resource(&t0, mmio, 0x200, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_CC_SHARED, &d),
              CCDMA_OK, "with CC_SHARED it maps");
    CHECK_EQ(d, t_encode(mmio, true), "to the shared encoding of the MMIO address");
    CHECK_ERR(ccdma_unmap_resource(&t0, d, 0x200, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_CC_SHARED),
              CCDMA_OK, "unmap");

    t_dev_t1(&nc, "p2p-nc", UINT64_MAX);
    nc.coherent = false;
    CHECK_ERR(ccdma_map_resource(&nc, mmio, 0x200, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "T=1 maps private MMIO");
    ccdma_unmap_resource(&nc, d, 0x200, CCDMA_TO_DEVICE, 0);
    c.cache_clean = t_port().cache_clean - c.cache_clean;
    c.cache_invalidate = t_port().cache_invalidate - c.cache_invalidate;
    CHECK_EQ(c.cache_clean + c.cache_invalidate, 0, "no cache maintenance for MMIO");

    t_dev_t1(&low, "low", 0x00ffffff);
    CHECK_ERR(ccdma_map_resource(&low, mmio, 0x200, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED, &d),
              CCDMA_ERANGE, "MMIO above the mask fails instead of bouncing");
    t_dev_t1(&forced, "forced", UINT64_MAX);
    forced.force_bounce = true;
    CHECK_ERR(ccdma_map_resource(&forced, mmio, 0x200, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED, &d),
              CCDMA_ENOTSUP, "a device that must bounce cannot take MMIO");
    CHECK_EQ(t_pool_stats(ccdma_swiotlb_default(true)).used, used0, "no slot was ever taken");
    CHECK_EQ(t_pool_stats(ccdma_swiotlb_default(true)).maps, 0, "no bounce happened");
}

/* Addressing limits bounce through a pool the device can reach; if even
 * the pool is out of reach, the map fails and gives the slot back. */
static void test_addressing_limit(void)
{
    struct ccdma_device dev;
    struct ccdma_swiotlb *pool;
    struct ccdma_swiotlb_stats s;
    uint8_t *buf;
    ccdma_dma_t d;

    t_dev_t1(&dev, "limited", UINT64_MAX);
    pool = ccdma_swiotlb_default(!T.cc ? true : false);
    s = t_pool_stats(pool);
    buf = t_pages(1); /* allocated after the pools, so above them */
    REQUIRE(t_pa(buf) >= s.end);
    dev.bus_limit = t_encode(s.end - 1, !T.cc);
    CHECK_ERR(ccdma_map_single(&dev, buf, 128, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK,
              "the buffer is above the bus limit: map");
    CHECK(ccdma_is_bounced(&dev, d), "it bounced");
    CHECK(d <= dev.bus_limit, "to an address under the limit");
    ccdma_unmap_single(&dev, d, 128, CCDMA_TO_DEVICE, 0);

    dev.bus_limit = t_encode(s.start, !T.cc);
    CHECK_ERR(ccdma_map_single(&dev, buf, 128, CCDMA_TO_DEVICE, 0, &d), CCDMA_ERANGE,
              "the pool is above the limit too: ERANGE, never a wrong address");
    CHECK_EQ(t_pool_stats(pool).used, 0, "the slot went back");
    CHECK_EQ(t_pool_stats(pool).overflows, 1, "counted as an overflow");
    t_pages_free(buf, 1);
}

/* sync semantics of a bounce: the device's data survives a
 * sync_for_device of a FROM_DEVICE mapping. */
static void test_bounce_sync(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(1);
    ccdma_dma_t d;

    t_dev_t0(&dev, "sync", UINT64_MAX);
    dev.force_bounce = true;
    memset(buf, 0x10, 1024);
    CHECK_ERR(ccdma_map_single(&dev, buf, 1024, CCDMA_FROM_DEVICE, 0, &d), CCDMA_OK, "map");
    t_dev_fill(&dev, d, 0x41, 1024);
    CHECK(t_all_bytes(buf, 0x10, 1024), "device data is not visible before a sync");
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d, 1024, CCDMA_FROM_DEVICE), CCDMA_OK, "sync_for_cpu");
    CHECK(t_all_bytes(buf, 0x41, 1024), "now it is");
    memset(buf, 0x42, 1024);
    CHECK_ERR(ccdma_sync_for_device(&dev, d, 1024, CCDMA_FROM_DEVICE), CCDMA_OK, "sync_for_device");
    {
        uint8_t got[1024];

        t_dev_read(&dev, d, got, sizeof(got));
        CHECK(t_all_bytes(got, 0x41, sizeof(got)),
              "FROM_DEVICE sync_for_device copies nothing toward the device");
    }
    t_dev_fill(&dev, d + 512, 0x43, 512);
    CHECK_ERR(ccdma_unmap_single(&dev, d, 1024, CCDMA_FROM_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK(t_all_bytes(buf, 0x41, 512) && t_all_bytes(buf + 512, 0x43, 512),
          "unmap copies back what the device wrote");
    t_pages_free(buf, 1);
}

/* Rule 7 for the direct path: a failed conversion leaks, never frees. */
static void test_conversion_failures(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct host_platform_faults f = {0};
    struct ccdma_device dev;
    void *cpu = (void *)1;
    ccdma_dma_t h;
    ccdma_phys_t pa;

    t_setup_with(&p, &c);
    t_dev_t0(&dev, "leaky", UINT64_MAX);

    f.share_fail_count = 1;
    host_platform_set_faults(&f);
    CHECK_ERR(ccdma_alloc_coherent(&dev, 2 * PAGE, 0, 0, &cpu, &h), CCDMA_EREJECT,
              "the host rejects the share: the allocation fails with its error");
    CHECK(cpu == NULL && h == CCDMA_DMA_ADDR_INVALID, "no memory and no handle given out");
    CHECK_EQ(t_stats().leaked_pages, 2, "both pages counted as leaked");
    CHECK_EQ(t_port().quarantined_pages, 2, "and quarantined by the port");
    CHECK_EQ(t_debug().live, 0, "dma-debug recorded nothing for a failed allocation");

    host_platform_set_faults(NULL);
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &cpu, &h), CCDMA_OK, "the next allocation works");
    pa = t_pa(cpu);
    f.unshare_fail_count = 1;
    host_platform_set_faults(&f);
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, cpu, h), CCDMA_OK,
              "free whose unshare fails: the caller no longer owns it");
    CHECK(host_platform_page_quarantined(pa), "the page is quarantined");
    CHECK(host_platform_page_allocated(pa), "and was never returned to the allocator");
    CHECK_EQ(t_stats().leaked_pages, 3, "counted");
    CHECK_EQ(t_stats().leak_events, 2, "two leak reports");
    CHECK_EQ(t_port().bad_frees, 0, "dma/ never tried to free a page in an unknown state");
    host_platform_set_faults(NULL);
    CHECK_EQ(t_teardown(), 0, "no live allocation at shutdown");
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma direct");
    t_run(test_t0_private_bounces, "T=0 private memory bounces (rules 2, 3, 6)");
    t_run(test_t1_private_direct, "T=1 private memory is direct (rule 3)");
    t_run(test_cc_shared_direct, "CC_SHARED is direct, shared, unconverted (rules 1, 7)");
    t_run(test_mapping_never_converts, "mapping never converts (rule 2)");
    t_run(test_coherent_t0, "coherent allocation for T=0");
    t_run(test_coherent_t1, "coherent allocation for T=1");
    t_run(test_coherent_mask, "coherent mask sees the encoding");
    t_run(test_cache_maintenance, "cache maintenance by direction");
    t_run(test_sg, "scatter-gather");
    t_run(test_map_resource, "MMIO is never bounced (rule 9)");
    t_run(test_addressing_limit, "addressing limits bounce or fail");
    t_run(test_bounce_sync, "bounce sync");
    if (T.cc)
        t_run_raw(test_conversion_failures, "failed conversions leak (rule 7)");
    return t_finish();
}
