/* SPDX-License-Identifier: MIT */
/*
 * Bounce pools: the CC copy rule, pool states, alignment, the slot
 * allocator under pressure, restricted and dynamic pools, statistics, and
 * the swiotlb bugs of reference section C.
 */
#include "dma_test.h"

#include <stdio.h>

#define PAGE CCDMA_PAGE_SIZE
#define SLOT 2048u

static const uint8_t canary[8] = {0xc5, 'S', 'E', 'C', 'R', 'E', 'T', 0x01};

static void fill_canary(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = canary[i % sizeof(canary)];
}

static bool is_canary(const uint8_t *p, size_t from, size_t n)
{
    for (size_t i = from; i < from + n; i++)
        if (p[i] != canary[i % sizeof(canary)])
            return false;
    return true;
}

/* A T=0 device that bounces under every encoding, through the shared pool. */
static void bounce_dev(struct ccdma_device *dev, const char *name, uint64_t min_align)
{
    ccdma_device_default(dev, name, UINT64_MAX);
    dev->force_bounce = true;
    dev->min_align_mask = min_align;
    REQUIRE(ccdma_device_init(dev) == CCDMA_OK);
}

static struct ccdma_swiotlb *shared_pool(void)
{
    return ccdma_swiotlb_default(true);
}

/* The bounce rules, restated here on their own so the tests check the
 * implementation against the documentation rather than against itself. */
struct layout {
    uint64_t off;       /* data offset from the first slot */
    uint32_t nslots;
};

static struct layout expected_layout(uint64_t min_align, ccdma_phys_t orig, size_t size)
{
    uint64_t align = (SLOT - 1) | (size >= PAGE ? PAGE - 1 : 0);
    struct layout l;

    l.off = orig & min_align & align;
    l.nslots = (uint32_t)((l.off + size + SLOT - 1) / SLOT);
    return l;
}

/* ---- the CC copy rule (rule 8) ---------------------------------------------- */

/* Linux pre-fills a FROM_DEVICE slot with the caller's data;
 * here it is zero-filled, so the caller's private bytes never reach shared
 * memory, and bytes the device leaves untouched come back as zeros. */
static void test_from_device_zero_filled(void)
{
    struct ccdma_device dev;
    struct ccdma_swiotlb_stats s = t_pool_stats(shared_pool());
    uint8_t *buf = t_pages(2), got[6000];
    ccdma_dma_t d;

    bounce_dev(&dev, "from", 0);
    fill_canary(buf, 2 * PAGE);
    /* Stale bytes everywhere in the pool, as a host (or an earlier user)
     * might leave them. */
    memset(ccdma_plat_phys_to_virt(s.start), 0x5a, (size_t)(s.end - s.start));

    CHECK_ERR(ccdma_map_single(&dev, buf + 8, 6000, CCDMA_FROM_DEVICE, 0, &d), CCDMA_OK, "map");
    CHECK_EQ(t_dev_read(&dev, d, got, sizeof(got)), 0, "the device reads the slot");
    CHECK(t_all_bytes(got, 0, sizeof(got)), "zero-filled: neither the caller's bytes nor stale ones");
    if (T.cc)
        CHECK_EQ(t_scan_shared(canary, sizeof(canary)), 0, "no private canary anywhere in shared memory");
    t_dev_fill(&dev, d, 0x11, 3000);
    CHECK_ERR(ccdma_unmap_single(&dev, d, 6000, CCDMA_FROM_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK(t_all_bytes(buf + 8, 0x11, 3000), "what the device wrote is copied back");
    CHECK(t_all_bytes(buf + 8 + 3000, 0, 3000),
          "what it left untouched comes back as zeros, never as stale data (documented)");
    CHECK(is_canary(buf, 0, 8) && is_canary(buf, 6008, 2 * PAGE - 6008),
          "bytes outside the mapping are untouched");
    t_pages_free(buf, 2);
}

/* Bytes mapped toward the device were given to it, and a device that
 * reaches only shared memory is the host's: they may stay in the slot after
 * unmap. Nothing else of the caller's buffer ever gets there, and a later
 * FROM_DEVICE mapping of the same slots neither shows them to the device
 * nor brings them back to its caller (docs/dma.md, "What a bounce
 * copies"). */
static void test_to_device_given_to_the_device(void)
{
    static const uint8_t payload[8] = {'P', 'A', 'Y', 'L', 'O', 'A', 'D', '!'};
    struct ccdma_device dev;
    uint8_t *buf = t_pages(2), *other = t_pages(1), got[4096];
    ccdma_dma_t d, d2;

    bounce_dev(&dev, "to", 0);
    for (size_t i = 0; i < PAGE; i++)
        buf[i] = payload[i % 8];
    fill_canary(buf + PAGE, PAGE);
    CHECK_ERR(ccdma_map_single(&dev, buf, PAGE, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "map");
    t_dev_read(&dev, d, got, sizeof(got));
    CHECK(memcmp(got, buf, PAGE) == 0, "the device reads the caller's bytes");
    if (T.cc)
        CHECK(t_scan_shared(payload, 8) >= PAGE / 8,
              "mapped toward the device, they are in shared memory: the caller chose so");
    CHECK_ERR(ccdma_unmap_single(&dev, d, PAGE, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    if (T.cc)
        CHECK_EQ(t_scan_shared(canary, sizeof(canary)), 0,
                 "the rest of the caller's buffer never reached shared memory");
    memset(other, 0xee, PAGE);
    CHECK_ERR(ccdma_map_single(&dev, other, PAGE, CCDMA_FROM_DEVICE, 0, &d2), CCDMA_OK,
              "map FROM_DEVICE");
    CHECK_EQ(d2, d, "the same slots again");
    t_dev_read(&dev, d2, got, sizeof(got));
    CHECK(t_all_bytes(got, 0, PAGE), "the device sees zeros, not the earlier mapping's bytes");
    CHECK_ERR(ccdma_unmap_single(&dev, d2, PAGE, CCDMA_FROM_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK(t_all_bytes(other, 0, PAGE), "and its caller gets zeros back, never those bytes");
    t_pages_free(other, 1);
    t_pages_free(buf, 2);
}

/* Copy-back covers exactly the mapped range, whatever the device wrote
 * into the rest of its slots. */
static void test_copy_back_limited(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(3);
    ccdma_dma_t d, lo, hi;

    bounce_dev(&dev, "limited", 0);
    memset(buf, 0xee, 3 * PAGE);
    CHECK_ERR(ccdma_map_single(&dev, buf + 100, 5000, CCDMA_FROM_DEVICE, 0, &d), CCDMA_OK, "map");
    lo = d & ~(ccdma_dma_t)(SLOT - 1);
    hi = (d + 5000 + SLOT - 1) & ~(ccdma_dma_t)(SLOT - 1);
    CHECK_EQ(t_dev_fill(&dev, lo, 0x33, (size_t)(hi - lo)), 0,
             "a careless device writes all of its slots, padding included");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 5000, CCDMA_FROM_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK(t_all_bytes(buf + 100, 0x33, 5000), "the mapped range is copied back");
    CHECK(t_all_bytes(buf, 0xee, 100) && t_all_bytes(buf + 5100, 0xee, 3 * PAGE - 5100),
          "nothing outside it is touched");
    t_pages_free(buf, 3);
}

static void test_to_device_never_copied_back(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(1);
    ccdma_dma_t d;

    bounce_dev(&dev, "to-only", 0);
    memset(buf, 0x61, 1000);
    CHECK_ERR(ccdma_map_single(&dev, buf, 1000, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "map");
    t_dev_fill(&dev, d, 0x62, 1000);
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d, 1000, CCDMA_TO_DEVICE), CCDMA_OK, "sync_for_cpu");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 1000, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK(t_all_bytes(buf, 0x61, 1000), "a TO_DEVICE mapping is never copied back");
    t_pages_free(buf, 1);
}

static void test_bidirectional(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(1);
    ccdma_dma_t d;

    bounce_dev(&dev, "bidi", 0);
    fill_canary(buf, 2000);
    CHECK_ERR(ccdma_map_single(&dev, buf, 2000, CCDMA_BIDIRECTIONAL, 0, &d), CCDMA_OK, "map");
    t_dev_fill(&dev, d, 0x21, 100);
    CHECK_ERR(ccdma_unmap_single(&dev, d, 2000, CCDMA_BIDIRECTIONAL, 0), CCDMA_OK, "unmap");
    CHECK(t_all_bytes(buf, 0x21, 100), "the device's bytes come back");
    CHECK(is_canary(buf, 100, 1900), "BIDIRECTIONAL keeps untouched bytes (they went to the device)");
    t_pages_free(buf, 1);
}

/* ---- pool states (rule 5) ------------------------------------------------------ */

static void test_pool_states(void)
{
    struct ccdma_device t0, t1;
    uint8_t *buf = t_pages(1);
    struct ccdma_swiotlb_stats sh, pr;
    ccdma_dma_t d;

    t_dev_t0(&t0, "t0", UINT64_MAX);
    t0.force_bounce = true;
    t_dev_t1(&t1, "t1", UINT64_MAX);
    t1.force_bounce = true;
    CHECK_ERR(ccdma_map_single(&t0, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "T=0 bounces");
    CHECK(t_is_shared(d) && t_range_shared(t_decode(d), 64), "through the shared pool");
    ccdma_unmap_single(&t0, d, 64, CCDMA_TO_DEVICE, 0);
    if (!T.cc) {
        CHECK(ccdma_swiotlb_default(false) == shared_pool(), "plain: one pool");
        t_pages_free(buf, 1);
        return;
    }
    sh = t_pool_stats(shared_pool());
    pr = t_pool_stats(ccdma_swiotlb_default(false));
    CHECK(!pr.shared && sh.shared, "one shared and one private default pool");
    CHECK_ERR(ccdma_map_single(&t1, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "T=1 bounces");
    CHECK(!t_is_shared(d) && t_range_private(t_decode(d), 64),
          "through the private pool: its private data stays private");
    CHECK_EQ(t_pool_stats(shared_pool()).maps, sh.maps, "never through the shared pool");
    CHECK_EQ(t_pool_stats(ccdma_swiotlb_default(false)).maps, pr.maps + 1, "counted on the private pool");
    ccdma_unmap_single(&t1, d, 64, CCDMA_TO_DEVICE, 0);
    t_pages_free(buf, 1);
}

static void test_no_pool_of_the_needed_state(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct ccdma_device t1;
    uint64_t reports;
    uint8_t *buf;
    ccdma_dma_t d;

    c.swiotlb_private_bytes = 0;
    t_setup_with(&p, &c);
    buf = t_pages(1);
    t_dev_t1(&t1, "t1-limited", UINT64_MAX);
    t1.force_bounce = true;
    CHECK(ccdma_swiotlb_default(false) == NULL, "no private pool configured");
    reports = t_stats().reports;
    CHECK_ERR(ccdma_map_single(&t1, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_ESTATE,
              "a T=1 device that must bounce: ESTATE, not the shared pool");
    CHECK(t_stats().reports > reports, "with a report");
    CHECK_EQ(t_pool_stats(shared_pool()).maps + t_pool_stats(shared_pool()).used, 0,
             "the shared pool was not touched");
    t_pages_free(buf, 1);
    CHECK_EQ(t_teardown(), 0, "clean shutdown");
}

/* ---- alignment ------------------------------------------------------------ */

static void test_alignment_matrix(void)
{
    static const uint64_t masks[] = {0, 0x7ff, 0xfff, 0xffff};
    static const size_t offsets[] = {0, 0x10, 0x7f0, 0x800, 0x9a0, 0xfff, 0x1234, 0x8765};
    static const size_t sizes[] = {100, 4096, 10000};
    uint8_t *buf = t_pages(24);

    for (size_t m = 0; m < 4; m++) {
        struct ccdma_device dev;
        char name[96];
        int bad = 0, n = 0;

        bounce_dev(&dev, "align", masks[m]);
        for (size_t o = 0; o < 8; o++) {
            for (size_t z = 0; z < 3; z++) {
                uint8_t *orig = buf + offsets[o];
                ccdma_phys_t opa = t_pa(orig), bpa;
                struct layout l = expected_layout(masks[m], opa, sizes[z]);
                size_t used = t_pool_stats(shared_pool()).used;
                uint64_t start;
                ccdma_dma_t d;
                uint8_t got[16];

                for (size_t i = 0; i < sizes[z]; i++)
                    orig[i] = (uint8_t)(i ^ o);
                n++;
                if (ccdma_map_single(&dev, orig, sizes[z], CCDMA_TO_DEVICE, 0, &d)) {
                    bad++;
                    continue;
                }
                bpa = t_decode(d);
                start = bpa - l.off;
                if ((bpa & masks[m]) != (opa & masks[m]) || start % SLOT ||
                    (sizes[z] >= PAGE && start % PAGE) ||
                    t_pool_stats(shared_pool()).used - used != l.nslots ||
                    t_dev_read(&dev, d + sizes[z] - 16, got, 16) ||
                    memcmp(got, orig + sizes[z] - 16, 16))
                    bad++;
                ccdma_unmap_single(&dev, d, sizes[z], CCDMA_TO_DEVICE, 0);
            }
        }
        snprintf(name, sizeof(name),
                 "min_align_mask %#llx: %d maps keep the low bits, align, size the padding",
                 (unsigned long long)masks[m], n);
        CHECK_EQ(bad, 0, name);
    }
    t_pages_free(buf, 24);
}

/* Many live mappings with overlapping alignment never share a slot. */
static void test_no_shared_slots(void)
{
    struct ccdma_device dev;
    struct ccdma_swiotlb_stats s = t_pool_stats(shared_pool());
    uint8_t *buf = t_pages(64);
    ccdma_dma_t d[24];
    uint64_t first[24], count[24], total = 0;
    bool disjoint = true;

    bounce_dev(&dev, "overlap", 0xfff);
    for (int i = 0; i < 24; i++) {
        size_t size = 100 + (size_t)i * 377;
        uint8_t *orig = buf + (size_t)i * 9 * PAGE / 4 + (size_t)i * 0x3a0;
        struct layout l = expected_layout(0xfff, t_pa(orig), size);

        REQUIRE(ccdma_map_single(&dev, orig, size, CCDMA_BIDIRECTIONAL, 0, &d[i]) == 0);
        first[i] = (t_decode(d[i]) - l.off - s.start) / SLOT;
        count[i] = l.nslots;
        total += l.nslots;
    }
    for (int i = 0; i < 24; i++)
        for (int j = i + 1; j < 24; j++)
            if (first[i] < first[j] + count[j] && first[j] < first[i] + count[i])
                disjoint = false;
    CHECK(disjoint, "24 live mappings occupy disjoint slots");
    CHECK_EQ(t_pool_stats(shared_pool()).used, total, "used counts exactly their slots");
    for (int i = 0; i < 24; i++)
        ccdma_unmap_single(&dev, d[i], 100 + (size_t)i * 377, CCDMA_BIDIRECTIONAL, 0);
    CHECK_EQ(t_pool_stats(shared_pool()).used, 0, "all given back");
    t_pages_free(buf, 64);
}

static void test_max_size_and_padding(void)
{
    struct ccdma_device nvme, plain;
    uint8_t *buf = t_pages(70);
    ccdma_dma_t d;

    bounce_dev(&nvme, "nvme", 0xfff);
    bounce_dev(&plain, "plain", 0);
    CHECK_ERR(ccdma_map_single(&nvme, buf, 256 << 10, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "min_align_mask 4K-1: a 256 KiB map fails");
    CHECK_ERR(ccdma_map_single(&nvme, buf + 0x800, 252 << 10, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK,
              "a 252 KiB map works, even with an offset");
    ccdma_unmap_single(&nvme, d, 252 << 10, CCDMA_TO_DEVICE, 0);
    CHECK_ERR(ccdma_map_single(&plain, buf, 256 << 10, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK,
              "no min_align_mask: 256 KiB works");
    ccdma_unmap_single(&plain, d, 256 << 10, CCDMA_TO_DEVICE, 0);

    CHECK_ERR(ccdma_map_single(&nvme, buf + 0xa00, PAGE, CCDMA_FROM_DEVICE, 0, &d), CCDMA_OK,
              "map 4 KiB at offset 0xa00");
    CHECK_EQ(t_pool_stats(shared_pool()).used, 4, "two pad slots plus two data slots");
    CHECK_EQ(t_decode(d) & 0xfff, 0xa00, "the offset is kept");
    ccdma_unmap_single(&nvme, d, PAGE, CCDMA_FROM_DEVICE, 0);
    CHECK_EQ(t_pool_stats(shared_pool()).used, 0, "unmap frees the pad slots too");
    t_pages_free(buf, 70);
}

/* Partial syncs with a min-align offset copy exactly their bytes. */
static void test_partial_sync(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(3), *orig = buf + 0x9a0;
    ccdma_dma_t d;

    bounce_dev(&dev, "partial", 0xfff);
    memset(buf, 0xcc, 3 * PAGE);
    CHECK_ERR(ccdma_map_single(&dev, orig, 6000, CCDMA_FROM_DEVICE, 0, &d), CCDMA_OK, "map");
    t_dev_fill(&dev, d, 0x11, 6000);
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d, 100, CCDMA_FROM_DEVICE), CCDMA_OK, "sync the first 100 bytes");
    CHECK(t_all_bytes(orig, 0x11, 100) && t_all_bytes(orig + 100, 0xcc, 5900),
          "exactly those bytes arrive");
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d + 3000, 50, CCDMA_FROM_DEVICE), CCDMA_OK, "sync 50 bytes at 3000");
    CHECK(t_all_bytes(orig + 3000, 0x11, 50) && t_all_bytes(orig + 3050, 0xcc, 2950) &&
              t_all_bytes(orig + 100, 0xcc, 2900), "exactly those");
    t_dev_fill(&dev, d + 5990, 0x22, 10);
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d + 5990, 10, CCDMA_FROM_DEVICE), CCDMA_OK, "sync the last 10 bytes");
    CHECK(t_all_bytes(orig + 5990, 0x22, 10), "they arrive");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 6000, CCDMA_FROM_DEVICE, CCDMA_ATTR_SKIP_CPU_SYNC),
              CCDMA_OK, "unmap with SKIP_CPU_SYNC");
    CHECK(t_all_bytes(orig + 3050, 0xcc, 2940), "SKIP_CPU_SYNC skips the copy-back");
    CHECK(t_all_bytes(buf, 0xcc, 0x9a0) && t_all_bytes(orig + 6000, 0xcc, 3 * PAGE - 0x9a0 - 6000),
          "nothing outside the mapping moved");
    t_pages_free(buf, 3);
}

/* ---- pressure ---------------------------------------------------------------- */

static void test_full_pool_and_fragmentation(void)
{
    struct ccdma_device dev, nvme;
    struct ccdma_swiotlb_stats s = t_pool_stats(shared_pool());
    uint8_t *buf = t_pages(256), *odd = t_pages(1);
    static ccdma_dma_t d[512];
    ccdma_dma_t extra;
    uint64_t reports, probes;
    int n = 0;

    bounce_dev(&dev, "filler", 0);
    bounce_dev(&nvme, "nvme", 0xfff);
    REQUIRE(s.nslots == 512);
    while (n < 512 && ccdma_map_single(&dev, buf + (size_t)n * SLOT, SLOT, CCDMA_TO_DEVICE, 0, &d[n]) == 0)
        n++;
    CHECK_EQ(n, 512, "exactly as many one-slot maps as slots");
    reports = t_stats().reports;
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &extra), CCDMA_ENOSPC,
              "one more fails with ENOSPC");
    CHECK(t_stats().reports > reports, "with a report");
    reports = t_stats().reports;
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN, &extra), CCDMA_ENOSPC,
              "NO_WARN: still ENOSPC");
    CHECK_EQ(t_stats().reports, reports, "NO_WARN: no report");
    s = t_pool_stats(shared_pool());
    CHECK(s.used == 512 && s.high_water == 512 && s.full == 2, "used, high-water and failures agree");

    /* Unmap what sits in odd slots: only odd slots, whose address has bit
     * 11 set (the pool starts on a page), are free. */
    REQUIRE(s.start % PAGE == 0);
    for (int i = 0; i < 512; i++) {
        uint64_t idx = (t_decode(d[i]) - s.start) / SLOT;

        if (idx % 2 == 1) {
            ccdma_unmap_single(&dev, d[i], SLOT, CCDMA_TO_DEVICE, 0);
            d[i] = 0;
        }
    }
    CHECK_EQ(t_pool_stats(shared_pool()).used, 256, "half the pool free, fragmented");
    probes = t_pool_stats(shared_pool()).segment_probes;
    CHECK_ERR(ccdma_map_single(&nvme, odd, 100, CCDMA_TO_DEVICE, 0, &extra), CCDMA_ENOSPC,
              "min_align_mask wants bit 11 clear, only odd slots are free: ENOSPC");
    CHECK(t_pool_stats(shared_pool()).segment_probes - probes <= 4,
          "in one pass over the 4 segments, never a slot-by-slot lap");
    CHECK_ERR(ccdma_map_single(&dev, odd, 3000, CCDMA_TO_DEVICE, 0, &extra), CCDMA_ENOSPC,
              "no two adjacent free slots: a two-slot map fails");
    CHECK_ERR(ccdma_map_single(&nvme, odd + SLOT, 100, CCDMA_TO_DEVICE, 0, &extra), CCDMA_OK,
              "bit 11 set: an odd slot fits");
    CHECK_EQ(t_decode(extra) & 0xfff, t_pa(odd + SLOT) & 0xfff, "with the low bits kept");
    ccdma_unmap_single(&nvme, extra, 100, CCDMA_TO_DEVICE, 0);
    for (int i = 0; i < 512; i++)
        if (d[i])
            ccdma_unmap_single(&dev, d[i], SLOT, CCDMA_TO_DEVICE, 0);
    CHECK_EQ(t_pool_stats(shared_pool()).used, 0, "recovers completely after unmaps");
    CHECK_ERR(ccdma_map_single(&dev, buf, 256 << 10, CCDMA_TO_DEVICE, 0, &extra), CCDMA_OK,
              "a whole segment is free again");
    ccdma_unmap_single(&dev, extra, 256 << 10, CCDMA_TO_DEVICE, 0);
    t_pages_free(buf, 256);
    t_pages_free(odd, 1);
}

/* ---- restricted pools ------------------------------------------- */

static void test_restricted_pool(void)
{
    struct ccdma_device t0, t1;
    struct ccdma_swiotlb *pool = NULL;
    struct ccdma_swiotlb_stats s;
    uint8_t *mem = t_pages(64), *buf = t_pages(1);
    uint64_t rsi = t_rsi_state_sets();
    void *cpu[3];
    ccdma_dma_t h[3], d;
    static const size_t sizes[3] = {PAGE, 3 * PAGE, 16 * PAGE};

    CHECK_ERR(ccdma_swiotlb_restricted_create("bad", mem + 2048, 16 * PAGE, true, &pool),
              CCDMA_EINVAL, "a base off the share granule: EINVAL");
    CHECK_ERR(ccdma_swiotlb_restricted_create("bad", mem, 6000, true, &pool), CCDMA_EINVAL,
              "a size off the share granule: EINVAL");
    CHECK_EQ(t_rsi_state_sets(), rsi, "refusals converted nothing");
    CHECK(t_range_private(t_pa(mem), 64 * PAGE), "the memory is still private");

    CHECK_ERR(ccdma_swiotlb_restricted_create("rpool", mem, 64 * PAGE, true, &pool), CCDMA_OK, "create");
    s = t_pool_stats(pool);
    CHECK(s.restricted && s.shared && s.nslots == 128, "a shared restricted pool of 128 slots");
    CHECK(t_range_shared(t_pa(mem), 64 * PAGE), "converted once, at creation");

    if (T.cc) {
        ccdma_device_default(&t1, "t1", UINT64_MAX);
        t1.reach_private = true;
        t1.restricted_pool = pool;
        CHECK_ERR(ccdma_device_init(&t1), CCDMA_ESTATE, "a T=1 device cannot use a shared restricted pool");
    }
    ccdma_device_default(&t0, "pkvm-virtio", UINT64_MAX);
    t0.restricted_pool = pool;
    CHECK_ERR(ccdma_device_init(&t0), CCDMA_OK, "a T=0 device can");
    CHECK_ERR(ccdma_map_single(&t0, buf, 300, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "map");
    CHECK(ccdma_is_bounced(&t0, d) && t_decode(d) >= s.start && t_decode(d) < s.end,
          "bounced through its restricted pool, whatever its mask");
    CHECK_EQ(t_pool_stats(shared_pool()).maps, 0, "not through the default pool");

    rsi = t_rsi_state_sets();
    for (int i = 0; i < 3; i++)
        CHECK_ERR(ccdma_alloc_coherent(&t0, sizes[i], 0, 0, &cpu[i], &h[i]), CCDMA_OK,
                  "coherent allocation from the restricted pool");
    CHECK_EQ(t_rsi_state_sets(), rsi, "no conversion: the pool is already shared");
    CHECK(t_pa(cpu[1]) % (4 * PAGE) == 0 && t_pa(cpu[2]) % (16 * PAGE) == 0,
          "aligned to their page order (16 KiB, 64 KiB)");
    CHECK(t_pa(cpu[2]) >= s.start && t_pa(cpu[2]) < s.end && h[2] == t_encode(t_pa(cpu[2]), true),
          "inside the pool, shared encoding");
    CHECK(t_all_bytes(cpu[2], 0, 16 * PAGE), "zeroed");
    CHECK_EQ(t_pool_stats(pool).allocs, 3, "counted");
    for (int i = 0; i < 3; i++)
        CHECK_ERR(ccdma_free_coherent(&t0, sizes[i], cpu[i], h[i]), CCDMA_OK, "free");

    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_EBUSY, "destroy with a live mapping: EBUSY");
    ccdma_unmap_single(&t0, d, 300, CCDMA_TO_DEVICE, 0);
    CHECK_ERR(ccdma_device_release(&t0), CCDMA_OK, "the device lets go of the pool");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_OK, "destroy");
    CHECK(t_range_private(t_pa(mem), 64 * PAGE), "the memory is private again");
    t_pages_free(mem, 64);
    t_pages_free(buf, 1);
}

/* A pool smaller than a segment offers only its own slots, and odd sizes
 * add up. */
static void test_small_pools(void)
{
    static const size_t pages[3] = {1, 3, 70};
    uint8_t *buf = t_pages(4);

    for (int k = 0; k < 3; k++) {
        struct ccdma_swiotlb *pool;
        struct ccdma_device dev;
        uint8_t *mem = t_pages(pages[k]);
        uint32_t want = (uint32_t)(pages[k] * PAGE / SLOT);
        static ccdma_dma_t d[140];
        ccdma_dma_t extra;
        char name[96];
        uint32_t n = 0;

        REQUIRE(ccdma_swiotlb_restricted_create("small", mem, pages[k] * PAGE, true, &pool) == 0);
        ccdma_device_default(&dev, "small", UINT64_MAX);
        dev.restricted_pool = pool;
        REQUIRE(ccdma_device_init(&dev) == 0);
        snprintf(name, sizeof(name), "a %zu-page pool has %u slots", pages[k], want);
        CHECK_EQ(t_pool_stats(pool).nslots, want, name);
        if (pages[k] == 3) {
            CHECK_ERR(ccdma_map_single(&dev, buf, 6 * SLOT + 1, CCDMA_TO_DEVICE, 0, &extra),
                      CCDMA_ENOSPC, "seven slots in a six-slot pool: ENOSPC");
            CHECK_ERR(ccdma_map_single(&dev, buf, 6 * SLOT, CCDMA_TO_DEVICE, 0, &extra),
                      CCDMA_OK, "six slots fit");
            ccdma_unmap_single(&dev, extra, 6 * SLOT, CCDMA_TO_DEVICE, 0);
        }
        while (n < 140 && ccdma_map_single(&dev, buf + (n % 4) * 64, 64, CCDMA_TO_DEVICE,
                                           CCDMA_ATTR_NO_WARN, &d[n]) == 0)
            n++;
        snprintf(name, sizeof(name), "exactly %u one-slot maps fit", want);
        CHECK_EQ(n, want, name);
        while (n)
            ccdma_unmap_single(&dev, d[--n], 64, CCDMA_TO_DEVICE, 0);
        CHECK_EQ(t_pool_stats(pool).used, 0, "all given back");
        REQUIRE(ccdma_device_release(&dev) == 0);
        REQUIRE(ccdma_swiotlb_restricted_destroy(pool) == 0);
        t_pages_free(mem, pages[k]);
    }
    t_pages_free(buf, 4);
}

/* ---- statistics ---------------------------------------------------------------- */

static void test_stats(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(4);
    struct ccdma_swiotlb_stats s;
    ccdma_dma_t d[3];

    bounce_dev(&dev, "stats", 0);
    /* Map before anything reads the statistics: they must already count. */
    ccdma_map_single(&dev, buf, 100, CCDMA_TO_DEVICE, 0, &d[0]);
    ccdma_map_single(&dev, buf + PAGE, 5000, CCDMA_TO_DEVICE, 0, &d[1]);
    ccdma_map_single(&dev, buf + 100, 2100, CCDMA_TO_DEVICE, 0, &d[2]);
    s = t_pool_stats(shared_pool());
    CHECK_EQ(s.used, 1 + 3 + 2, "used equals the live slots at first read");
    CHECK_EQ(s.maps, 3, "three maps");
    CHECK_EQ(s.limit, s.end - 1, "without growth, the limit is the end of the pool");
    CHECK(!s.dynamic && s.regions == 1, "one region, not dynamic");
    ccdma_unmap_single(&dev, d[1], 5000, CCDMA_TO_DEVICE, 0);
    ccdma_swiotlb_reset_high_water(shared_pool());
    s = t_pool_stats(shared_pool());
    CHECK(s.high_water == 3 && s.used == 3, "reset restarts the high-water mark at the live count");
    ccdma_unmap_single(&dev, d[0], 100, CCDMA_TO_DEVICE, 0);
    ccdma_unmap_single(&dev, d[2], 2100, CCDMA_TO_DEVICE, 0);
    s = t_pool_stats(shared_pool());
    CHECK(s.used == 0 && s.high_water == 3, "unmaps lower used, not the high-water mark");
    CHECK_EQ(ccdma_poll(), 0, "a full non-dynamic pool never grows");
    t_pages_free(buf, 4);
}

/* ---- dynamic growth -------------------------------------------------------------------- */

static void test_dynamic(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct host_platform_faults f = {0};
    struct ccdma_swiotlb_stats s;
    struct ccdma_device dev;
    static ccdma_dma_t d[64];
    uint8_t *buf;
    int n = 0;

    c.swiotlb_bytes = 64 << 10;
    c.swiotlb_dynamic = true;
    t_setup_with(&p, &c);
    buf = t_pages(4);
    bounce_dev(&dev, "dyn", 0);
    s = t_pool_stats(shared_pool());
    CHECK(s.dynamic && s.nslots == 32, "a dynamic pool of 32 slots");
    CHECK_EQ(s.limit, 0xffffffffull, "its limit is where it may grow, not its end");
    while (n < 64 && ccdma_map_single(&dev, buf + (size_t)n * 64, 64, CCDMA_TO_DEVICE,
                                      CCDMA_ATTR_NO_WARN, &d[n]) == 0)
        n++;
    CHECK_EQ(n, 32, "full after 32 maps");
    CHECK_EQ(t_pool_stats(shared_pool()).regions, 1, "a full pool does not grow inside a map");
    CHECK_EQ(ccdma_poll(), 1, "poll grows it");
    s = t_pool_stats(shared_pool());
    CHECK(s.regions == 2 && s.nslots == 64 && s.grown == 1, "a second region of 32 slots");
    if (T.cc)
        CHECK(t_range_shared(s.start, SLOT) && t_range_shared(s.end - SLOT, SLOT),
              "converted in poll");
    while (n < 64 && ccdma_map_single(&dev, buf + (size_t)n * 64, 64, CCDMA_TO_DEVICE,
                                      CCDMA_ATTR_NO_WARN, &d[n]) == 0)
        n++;
    CHECK_EQ(n, 64, "32 more maps");
    while (n)
        ccdma_unmap_single(&dev, d[--n], 64, CCDMA_TO_DEVICE, 0);
    t_pages_free(buf, 4);

    if (T.cc) {
        /* The grown region's conversion back fails at shutdown. The
         * unshares at shutdown run: atomic shared pool, region 0, region 1. */
        struct host_platform_counters port = t_port();

        f.unshare_fail_after = 2;
        f.unshare_fail_count = 1;
        host_platform_set_faults(&f);
        CHECK_EQ(t_teardown(), 0, "shutdown");
        CHECK_EQ(t_port().quarantined_pages - port.quarantined_pages, 16,
                 "the grown region's 16 pages are quarantined");
        CHECK_EQ(t_port().bad_frees, 0, "and never freed");
        CHECK_EQ(t_stats().leaked_pages, 16, "counted as leaked");
        return;
    }
    CHECK_EQ(t_teardown(), 0, "shutdown");
}

/* Without dma-debug, swiotlb itself refuses what is not a live mapping of
 * the caller's device. */
static void test_swiotlb_checks_without_debug(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct ccdma_device dev, other;
    uint8_t *buf;
    ccdma_dma_t d;

    c.debug = false;
    t_setup_with(&p, &c);
    buf = t_pages(1);
    bounce_dev(&dev, "owner", 0);
    bounce_dev(&other, "other", 0);
    CHECK(!t_debug().enabled, "dma-debug is off");
    REQUIRE(ccdma_map_single(&dev, buf, 3000, CCDMA_FROM_DEVICE, 0, &d) == 0);
    CHECK_ERR(ccdma_unmap_single(&dev, d + 16, 3000, CCDMA_FROM_DEVICE, 0), CCDMA_EFAULT,
              "unmap inside a mapping: EFAULT");
    CHECK_ERR(ccdma_unmap_single(&other, d, 3000, CCDMA_FROM_DEVICE, 0), CCDMA_EFAULT,
              "unmap by another device: EFAULT");
    CHECK_ERR(ccdma_sync_for_cpu(&other, d, 16, CCDMA_FROM_DEVICE), CCDMA_EFAULT,
              "sync by another device: EFAULT");
    CHECK_ERR(ccdma_sync_for_cpu(&dev, d + 2990, 20, CCDMA_FROM_DEVICE), CCDMA_EINVAL,
              "sync past the end: EINVAL");
    if (T.cc)
        CHECK_ERR(ccdma_unmap_single(&dev, t_encode(t_decode(d), false), 3000, CCDMA_FROM_DEVICE, 0),
                  CCDMA_EFAULT, "the private alias of a shared bounce address: EFAULT");
    CHECK_EQ(t_pool_stats(shared_pool()).used, 2, "the mapping is intact");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 3000, CCDMA_FROM_DEVICE, 0), CCDMA_OK, "the real unmap");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 3000, CCDMA_FROM_DEVICE, 0), CCDMA_EFAULT,
              "double unmap: EFAULT");
    CHECK(!ccdma_is_bounced(&dev, d), "no longer a bounce mapping");
    CHECK_EQ(t_pool_stats(shared_pool()).used, 0, "nothing freed twice");
    t_pages_free(buf, 1);
    CHECK_EQ(t_teardown(), 0, "shutdown");
    CHECK_EQ(t_port().pages_in_use, 0, "every page back");
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma swiotlb");
    t_run(test_from_device_zero_filled, "FROM_DEVICE is zero-filled (rule 8)");
    t_run(test_to_device_given_to_the_device, "TO_DEVICE bytes are the device's, and stay its (rule 8)");
    t_run(test_copy_back_limited, "copy-back limited to the mapping (rule 8)");
    t_run(test_to_device_never_copied_back, "TO_DEVICE never copied back");
    t_run(test_bidirectional, "BIDIRECTIONAL");
    t_run(test_pool_states, "one state per pool (rule 5)");
    if (T.cc)
        t_run_raw(test_no_pool_of_the_needed_state, "no fallback across states (rule 6)");
    t_run(test_alignment_matrix, "alignment");
    t_run(test_no_shared_slots, "no shared slots");
    t_run(test_max_size_and_padding, "max size and padding");
    t_run(test_partial_sync, "partial sync");
    t_run(test_full_pool_and_fragmentation, "full and fragmented pool");
    t_run(test_restricted_pool, "restricted pool");
    t_run(test_small_pools, "small pools");
    t_run(test_stats, "statistics");
    t_run_raw(test_dynamic, "dynamic growth");
    t_run_raw(test_swiotlb_checks_without_debug, "swiotlb checks without dma-debug");
    return t_finish();
}
