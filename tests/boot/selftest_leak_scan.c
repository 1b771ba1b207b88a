/* SPDX-License-Identifier: MIT */
/*
 * Leak scan: no private byte may reach shared memory unless it was mapped
 * toward the device, and those only in the bounce pool that carried them
 * (given to the device, they may stay there after unmap: docs/dma.md,
 * "What a bounce copies").
 *
 * Private buffers are filled with canaries, a mixed workload runs over them
 * (every direction, single and scatter-gather, bounce and direct paths,
 * syncs, error paths, a full pool, virtio-blk and virtio-rng requests), and
 * then every byte of shared memory is scanned for a canary. In a realm,
 * "shared memory" is taken from the RMM itself: every granule whose RIPAS is
 * EMPTY (IPA_STATE_GET runs over all RAM). In plain mode nothing is private,
 * so the scan covers what would be shared: the bounce pool and the rings.
 * Canaries come in two kinds: secret (never mapped toward a device: found
 * anywhere, a leak) and shown (filled in just before a mapping toward the
 * device: a leak outside the bounce pool). A planted secret canary proves
 * the scan can fail.
 */
#include <string.h>

#include <ccdma/blk.h>
#include <ccdma/dma.h>
#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "arch/arm64/mem_share.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/rsi.h"
#include "boot/devices.h"
#include "boot/runtime.h"
#include "tests/boot/disk_pattern.h"
#include "tests/boot/test_env.h"

#define CANARY_TAG 0x43414e4152590000ull /* "CANARY" in the top 48 bits */
#define CANARY_MASK 0xffffffffffff0000ull
#define CANARY_SHOWN 0x8u /* in the tag: filled in for a mapping toward the device */
#define N_BUFS 6
#define BUF_PAGES 4
#define BUF_BYTES (BUF_PAGES * CCDMA_PAGE_SIZE)
/* The leak scan's own region of a test disk (tests/boot/disk_pattern.h). */
#define SCRATCH_SECTOR DISK_SCRATCH_FIRST
_Static_assert(BUF_BYTES == DISK_SCRATCH_SECTORS * DISK_SECTOR,
               "the scratch writes cover exactly the documented region");

static uint8_t *bufs[N_BUFS];

static void fill_tagged(uint8_t *buf, size_t bytes, unsigned int tag)
{
    uint64_t *w = (uint64_t *)buf;
    for (size_t i = 0; i < bytes / 8; i++)
        w[i] = CANARY_TAG | ((uint64_t)tag << 12) | (i & 0xfff);
}

static void fill_canary(uint8_t *buf, unsigned int tag)
{
    fill_tagged(buf, BUF_BYTES, tag);
}

/* Bytes about to be mapped toward the device. */
static void fill_shown(uint8_t *buf, size_t bytes, unsigned int tag)
{
    fill_tagged(buf, bytes, tag | CANARY_SHOWN);
}

/* The default shared bounce pool, where shown canaries may stay. */
static bool in_bounce_pool(uint64_t pa)
{
    struct ccdma_swiotlb_stats s;
    return ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s) == 0 && pa >= s.start &&
           pa < s.end;
}

static unsigned int scan_words(uintptr_t start, size_t bytes)
{
    const volatile uint64_t *w = (const volatile uint64_t *)start;
    bool pool = in_bounce_pool(start) && in_bounce_pool(start + bytes - 1);
    unsigned int found = 0;
    for (size_t i = 0; i < bytes / 8; i++) {
        uint64_t v = w[i];
        if ((v & CANARY_MASK) == CANARY_TAG && !(pool && ((v >> 12) & CANARY_SHOWN)))
            found++;
    }
    return found;
}

/* Realm: every EMPTY granule the RMM reports, through its (shared) mapping. */
static unsigned int scan_shared_realm(size_t *scanned)
{
    unsigned int found = 0;
    for (unsigned int r = 0; r < rt.plat.n_mem; r++) {
        uint64_t base = rt.plat.mem[r].base, top = base + rt.plat.mem[r].size;
        while (base < top) {
            uint64_t run_top = 0;
            unsigned int ripas = 0;
            if (rsi_ipa_state_get(base, top, &run_top, &ripas) != 0)
                return found + 1000000; /* the RMM misbehaved: fail loudly */
            for (uint64_t pa = base; ripas == RSI_RIPAS_EMPTY && pa < run_top;
                 pa += CCDMA_PAGE_SIZE) {
                /* Quarantined pages are unmapped on purpose: their state is
                 * unknown, and nobody will read them again. */
                if (mem_share_is_quarantined(pa, CCDMA_PAGE_SIZE) ||
                    !mmu_translate(pa, NULL, NULL, NULL))
                    continue;
                found += scan_words(pa, CCDMA_PAGE_SIZE);
                *scanned += CCDMA_PAGE_SIZE;
            }
            base = run_top;
        }
    }
    return found;
}

/* Plain: the memory a host would see in a realm: bounce pool and rings. */
static unsigned int scan_shared_plain(size_t *scanned)
{
    struct ccdma_swiotlb_stats s;
    unsigned int found = 0;

    if (ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s) == 0) {
        found += scan_words((uintptr_t)s.start, (size_t)(s.end - s.start));
        *scanned += (size_t)(s.end - s.start);
    }
    if (boot_virtio.has_blk) {
        found += scan_words((uintptr_t)boot_virtio.blk.vq.desc, 16u * boot_virtio.blk.vq.num);
        *scanned += 16u * boot_virtio.blk.vq.num;
    }
    return found;
}

static unsigned int scan_shared(size_t *scanned)
{
    *scanned = 0;
    return rt.realm ? scan_shared_realm(scanned) : scan_shared_plain(scanned);
}

static void workload_dma(struct ccdma_device *dev)
{
    static const enum ccdma_dir dirs[] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE,
                                          CCDMA_BIDIRECTIONAL};
    ccdma_dma_t dma;

    for (unsigned int d = 0; d < 3; d++) {
        if (dirs[d] != CCDMA_FROM_DEVICE)
            fill_shown(bufs[d], BUF_BYTES, d);
        if (ccdma_map_single(dev, bufs[d], BUF_BYTES, dirs[d], 0, &dma) != 0)
            continue;
        ccdma_sync_for_cpu(dev, dma, BUF_BYTES, dirs[d]);
        ccdma_sync_for_device(dev, dma, BUF_BYTES, dirs[d]);
        ccdma_unmap_single(dev, dma, BUF_BYTES, dirs[d], 0);
    }
    struct ccdma_sg sg[3] = {
        {bufs[3], 512, 0, 0}, {bufs[3] + 4096, 3000, 0, 0}, {bufs[4], BUF_BYTES, 0, 0}};
    fill_shown(bufs[3], 512, 3);
    fill_shown(bufs[3] + 4096, 3000, 3);
    fill_shown(bufs[4], BUF_BYTES, 4);
    if (ccdma_map_sg(dev, sg, 3, CCDMA_BIDIRECTIONAL, 0) == 3)
        ccdma_unmap_sg(dev, sg, 3, CCDMA_BIDIRECTIONAL, 0);

    /* Errors: bad arguments, then a pool filled with canary data. */
    ccdma_map_single(dev, bufs[5], BUF_BYTES, (enum ccdma_dir)9, 0, &dma);
    /* Just over the bounce maximum: refused when bouncing, direct otherwise. */
    size_t big = ccdma_max_mapping_size(dev);
    if (big < (1u << 20)) {
        /* One page over the maximum, in whole canary blocks. */
        size_t pages = (big / CCDMA_PAGE_SIZE + 1 + BUF_PAGES - 1) / BUF_PAGES * BUF_PAGES;
        uint8_t *b = ccdma_plat_pages_alloc(pages, UINT64_MAX);
        if (b) {
            for (size_t off = 0; off < pages * CCDMA_PAGE_SIZE; off += BUF_BYTES)
                fill_shown(b + off, BUF_BYTES, 7);
            if (ccdma_map_single(dev, b, pages * CCDMA_PAGE_SIZE, CCDMA_TO_DEVICE,
                                 CCDMA_ATTR_NO_WARN, &dma) == 0)
                ccdma_unmap_single(dev, dma, pages * CCDMA_PAGE_SIZE, CCDMA_TO_DEVICE, 0);
            ccdma_plat_pages_free(b, pages);
        }
    }
    static ccdma_dma_t held[1024];
    unsigned int n = 0;
    for (unsigned int i = 0; i < N_BUFS; i++)
        fill_shown(bufs[i], BUF_BYTES, i);
    while (n < 1024 && ccdma_map_single(dev, bufs[n % N_BUFS], BUF_BYTES, CCDMA_TO_DEVICE,
                                        CCDMA_ATTR_NO_WARN, &held[n]) == 0)
        n++;
    while (n)
        ccdma_unmap_single(dev, held[n - 1], BUF_BYTES, CCDMA_TO_DEVICE, 0), n--;
}

/* Requests over the first disk; writes only to a test disk's scratch
 * region, which ends as it began. */
static void workload_virtio(void)
{
    struct ccdma_blk *blk = &boot_virtio.blk;
    if (boot_virtio.has_blk) {
        struct test_disk d;
        test_disk_identify(blk, &d);
        if (d.writable && ccdma_blk_read(blk, SCRATCH_SECTOR, bufs[2], BUF_BYTES, 0) == 0) {
            ccdma_blk_write(blk, SCRATCH_SECTOR, bufs[0], BUF_BYTES, 0);
            ccdma_blk_write(blk, SCRATCH_SECTOR, bufs[2], BUF_BYTES, 0); /* put it back */
        }
        ccdma_blk_read(blk, 0, bufs[1], BUF_BYTES, 0);
        ccdma_blk_read(blk, blk->capacity, bufs[3], BUF_BYTES, 0); /* refused */
    }
    if (boot_virtio.has_rng)
        ccdma_rng_read(&boot_virtio.rng, bufs[4], 256, false);
}

SELFTEST(97, leak_scan)
{
    struct ccdma_device dev;
    size_t scanned;

    if (boot_dma.init_err) {
        st_skip("no private canary in shared memory", "DMA layers were not brought up");
        return;
    }
    for (unsigned int i = 0; i < N_BUFS; i++) {
        bufs[i] = ccdma_plat_pages_alloc(BUF_PAGES, UINT64_MAX);
        if (!st_check(bufs[i] != NULL, "canary buffers", "allocator empty"))
            return;
        fill_canary(bufs[i], i);
    }
    boot_dma_device(&dev, "selftest-leak");
    ccdma_device_init(&dev);
    workload_dma(&dev);
    dev.force_bounce = true;
    for (unsigned int i = 0; i < N_BUFS; i++)
        fill_canary(bufs[i], i); /* secrets again: the first pass showed them all */
    workload_dma(&dev);
    workload_virtio();
    for (unsigned int i = 0; i < N_BUFS; i++)
        fill_canary(bufs[i], i); /* the workload overwrote some */

    unsigned int found = scan_shared(&scanned);
    st_check(found == 0 && scanned > 0,
             "no private canary anywhere in shared memory after the workload",
             "%u canary words found in %zu bytes scanned", found, scanned);
    st_note("leak scan: %zu KiB of shared memory scanned (%s)", scanned >> 10,
            rt.realm ? "every RIPAS EMPTY granule" : "bounce pool and rings");

    /* The control: a canary planted in shared memory must be found. */
    void *cpu;
    ccdma_dma_t h;
    if (ccdma_alloc_coherent(&dev, CCDMA_PAGE_SIZE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h) == 0) {
        volatile uint64_t *plant = cpu;
        /* In plain mode the atomic pool is not scanned: plant in the bounce
         * pool through a mapping instead. */
        ccdma_dma_t dma = 0;
        if (!rt.realm && ccdma_map_single(&dev, bufs[0], 64, CCDMA_TO_DEVICE, 0, &dma) == 0)
            plant = (volatile uint64_t *)test_device_view(dma, 64);
        if (plant)
            *plant = CANARY_TAG | 0x777;
        found = scan_shared(&scanned);
        st_check(plant && found >= 1, "the scan finds a canary planted in shared memory",
                 "found %u", found);
        if (plant)
            *plant = 0;
        test_device_view_end();
        if (dma)
            ccdma_unmap_single(&dev, dma, 64, CCDMA_TO_DEVICE, 0);
        ccdma_free_coherent(&dev, CCDMA_PAGE_SIZE, cpu, h);
    }
    for (unsigned int i = 0; i < N_BUFS; i++)
        ccdma_plat_pages_free(bufs[i], BUF_PAGES);
}
