/* SPDX-License-Identifier: MIT */
/*
 * Inside the guest: map+unmap through bounce and direct against memcpy and
 * the direction's physical limit, as the host benchmark does
 * (bench/host/map_bench.c says what one operation counts and what the
 * limit is). The bounce device is forced to bounce, so that the plain boot
 * measures the same copies as the realm; the direct one maps shared memory
 * in place. Under -icount, ticks are instructions / 16: the figures are
 * exact and identical from run to run, and TCG models no caches, so they
 * measure instructions, not memory bandwidth.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/dma.h>
#include <ccdma/errors.h>

#include "bench/firmware/bench_fw.h"
#include "boot/devices.h"

#define MIN_SIZE 64u
#define MAX_SIZE (256u << 10)

static struct ccdma_device bounce_dev, direct_dev;

static const char *dir_name(enum ccdma_dir d)
{
    return d == CCDMA_TO_DEVICE ? "to_device" : d == CCDMA_FROM_DEVICE ? "from_device"
                                                                         : "bidirectional";
}

/* Ticks for iters map+unmap pairs, or 0 after an error (or the wrong path). */
static uint64_t time_map(struct ccdma_device *dev, void *buf, size_t size, enum ccdma_dir dir,
                         unsigned int attrs, bool want_bounce, unsigned int iters)
{
    ccdma_dma_t a;
    int err = ccdma_map_single(dev, buf, size, dir, attrs, &a);
    if (!err && ccdma_is_bounced(dev, a) != want_bounce)
        err = CCDMA_EINVAL;
    if (!err)
        err = ccdma_unmap_single(dev, a, size, dir, attrs);
    if (err) {
        printf("bench: error mem %s %zu %s: %s\n", dir_name(dir), size,
               want_bounce ? "bounce" : "direct", ccdma_strerror(err));
        return 0;
    }
    uint64_t t0 = bench_ticks();
    for (unsigned int i = 0; i < iters && !err; i++) {
        err = ccdma_map_single(dev, buf, size, dir, attrs, &a);
        if (!err)
            err = ccdma_unmap_single(dev, a, size, dir, attrs);
    }
    uint64_t t = bench_ticks() - t0;
    return err ? 0 : t;
}

static uint64_t time_memcpy(void *dst, const void *src, size_t size, unsigned int iters)
{
    uint64_t t0 = bench_ticks();
    for (unsigned int i = 0; i < iters; i++) {
        memcpy(dst, src, size);
        __asm__ volatile("" : : "r"(dst) : "memory"); /* keep the copy */
    }
    return bench_ticks() - t0;
}

/* The least a bounce of this direction copies; slot stands for the bounce
 * slot, user for the caller's buffer. */
static uint64_t time_limit(uint8_t *slot, uint8_t *user, size_t size, enum ccdma_dir dir,
                           unsigned int iters)
{
    uint64_t t0 = bench_ticks();
    for (unsigned int i = 0; i < iters; i++) {
        if (dir == CCDMA_FROM_DEVICE)
            memset(slot, 0, size);
        else
            memcpy(slot, user, size);
        if (dir != CCDMA_TO_DEVICE)
            memcpy(user, slot, size);
        __asm__ volatile("" : : "r"(slot), "r"(user) : "memory");
    }
    return bench_ticks() - t0;
}

void bench_fw_mem(void)
{
    static const enum ccdma_dir dirs[] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE,
                                          CCDMA_BIDIRECTIONAL};
    const size_t pages = MAX_SIZE / CCDMA_PAGE_SIZE;
    /* Enough iterations that one CNTVCT tick (16 instructions) is noise,
     * few enough that the small sizes do not dominate the run. */
    const size_t budget = bench_fw.quick ? (256u << 10) : (1u << 20);
    const unsigned int min_iters = bench_fw.quick ? 8 : 16, max_iters = bench_fw.quick ? 64 : 256;
    uint8_t *priv = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    uint8_t *dst = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    uint8_t *user = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    void *shared = NULL;
    ccdma_dma_t handle = 0;

    boot_dma_device(&bounce_dev, "bench-bounce");
    bounce_dev.force_bounce = true;
    boot_dma_device(&direct_dev, "bench-direct");
    int err = ccdma_device_init(&bounce_dev);
    if (!err)
        err = ccdma_device_init(&direct_dev);
    if (!err)
        err = ccdma_alloc_coherent(&direct_dev, MAX_SIZE, 0, 0, &shared, &handle);
    if (err || !priv || !dst || !user) {
        printf("bench: error mem setup: %s\n", err ? ccdma_strerror(err) : "no pages");
        bench_fw.errors++;
        goto out;
    }
    /* Every buffer touched once before anything is timed: in a realm the
     * host may back a page only at its first access, and that fault is no
     * cost of a copy. */
    memset(priv, 0x5a, MAX_SIZE);
    memset(dst, 0, MAX_SIZE);
    memset(user, 0, MAX_SIZE);
    for (size_t size = MIN_SIZE; size <= MAX_SIZE; size *= 2) {
        size_t n = budget / size;
        unsigned int iters = n < min_iters ? min_iters : n > max_iters ? max_iters : (unsigned)n;
        for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
            uint64_t tb = time_map(&bounce_dev, priv, size, dirs[d], 0, true, iters);
            uint64_t td = time_map(&direct_dev, shared, size, dirs[d], CCDMA_ATTR_CC_SHARED,
                                   false, iters);
            uint64_t tm = time_memcpy(dst, priv, size, iters);
            uint64_t tl = time_limit(dst, user, size, dirs[d], iters);
            if (!tb || !td)
                bench_fw.errors++;
            printf("bench: mem %s %zu iters=%u bounce_ticks=%llu direct_ticks=%llu "
                   "memcpy_ticks=%llu limit_ticks=%llu\n", dir_name(dirs[d]), size, iters,
                   (unsigned long long)tb, (unsigned long long)td, (unsigned long long)tm,
                   (unsigned long long)tl);
        }
    }
out:
    if (shared)
        ccdma_free_coherent(&direct_dev, MAX_SIZE, shared, handle);
    if (user)
        ccdma_plat_pages_free(user, pages);
    if (dst)
        ccdma_plat_pages_free(dst, pages);
    if (priv)
        ccdma_plat_pages_free(priv, pages);
}
