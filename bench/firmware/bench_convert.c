/* SPDX-License-Identifier: MIT */
/*
 * Convert or bounce: what getting one buffer of each size to a device that
 * reaches only shared memory costs a realm, three ways (TO_DEVICE):
 *   bounce   the data is private: map+unmap through the shared bounce pool
 *            (one copy in);
 *   shared   the data is already in shared memory: map+unmap in place;
 *   convert  convert a buffer on the fly: ccdma_alloc_coherent() shares
 *            fresh pages, the data is copied in (a conversion keeps no
 *            contents in a realm, so the copy a bounce makes is still
 *            needed), map+unmap in place, ccdma_free_coherent() makes the
 *            pages private again: two RSI_IPA_STATE_SET calls and two
 *            conversions of every granule per buffer.
 * The device's own access is the same in all three and is not counted.
 * Under -icount the RMM's work is virtual time too: with the EL2 monitor
 * that is the emulated RMM's (its granule wipes and stage-2 updates); under
 * TF-A and TF-RMM it is TF-RMM's, the world switches through EL3 and the
 * host's RMI calls for each RIPAS change (docs/benchmarks.md).
 * A plain boot converts nothing and skips it.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/dma.h>
#include <ccdma/errors.h>

#include "bench/firmware/bench_fw.h"
#include "boot/devices.h"

#define MIN_SIZE (4u << 10)
#define MAX_SIZE (256u << 10)

static struct ccdma_device dev;

static int bounce_once(void *buf, size_t size)
{
    ccdma_dma_t a;
    int err = ccdma_map_single(&dev, buf, size, CCDMA_TO_DEVICE, 0, &a);

    if (!err && !ccdma_is_bounced(&dev, a))
        err = CCDMA_EINVAL;
    if (!err)
        err = ccdma_unmap_single(&dev, a, size, CCDMA_TO_DEVICE, 0);
    return err;
}

static int shared_once(void *shared, size_t size)
{
    ccdma_dma_t a;
    int err = ccdma_map_single(&dev, shared, size, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED, &a);

    if (!err && ccdma_is_bounced(&dev, a))
        err = CCDMA_EINVAL;
    if (!err)
        err = ccdma_unmap_single(&dev, a, size, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED);
    return err;
}

static int convert_once(const void *data, size_t size)
{
    ccdma_dma_t handle;
    void *buf;
    int err = ccdma_alloc_coherent(&dev, size, 0, 0, &buf, &handle);

    if (err)
        return err;
    memcpy(buf, data, size);
    err = shared_once(buf, size);
    int e2 = ccdma_free_coherent(&dev, size, buf, handle);
    return err ? err : e2;
}

void bench_fw_convert(void)
{
    const unsigned int reps = bench_fw.quick ? 2 : 8;
    uint8_t *priv;
    void *shared = NULL;
    ccdma_dma_t handle = 0;

    if (!ccdma_plat_cc_active()) {
        printf("bench: convert skipped: nothing converts outside a realm\n");
        return;
    }
    boot_dma_device(&dev, "bench-convert");
    dev.force_bounce = false; /* the shared path is one of the three */
    priv = ccdma_plat_pages_alloc(MAX_SIZE / CCDMA_PAGE_SIZE, UINT64_MAX);
    int err = ccdma_device_init(&dev);
    if (!err)
        err = ccdma_alloc_coherent(&dev, MAX_SIZE, 0, 0, &shared, &handle);
    if (err || !priv) {
        printf("bench: error convert setup: %s\n", err ? ccdma_strerror(err) : "no pages");
        bench_fw.errors++;
        goto out;
    }
    memset(priv, 0x5a, MAX_SIZE);
    for (size_t size = MIN_SIZE; size <= MAX_SIZE; size *= 2) {
        uint64_t t[3] = {0};
        struct bench_counters c0, c1, d;

        /* Once each first, untimed: the first use of a size may touch
         * metadata later ones do not. */
        err = bounce_once(priv, size);
        err = err ? err : shared_once(shared, size);
        err = err ? err : convert_once(priv, size);
        for (unsigned int i = 0; i < reps && !err; i++) {
            uint64_t t0 = bench_ticks();
            err = bounce_once(priv, size);
            uint64_t t1 = bench_ticks();
            err = err ? err : shared_once(shared, size);
            uint64_t t2 = bench_ticks();
            bench_counters(&c0);
            err = err ? err : convert_once(priv, size);
            bench_counters(&c1);
            uint64_t t3 = bench_ticks();
            t[0] += t1 - t0;
            t[1] += t2 - t1;
            t[2] += t3 - t2;
        }
        if (err) {
            printf("bench: error convert %zu: %s\n", size, ccdma_strerror(err));
            bench_fw.errors++;
            break;
        }
        bench_counters_delta(&c0, &c1, &d);
        printf("bench: convert %zu reps=%u bounce_ticks=%llu shared_ticks=%llu "
               "convert_ticks=%llu convert_rsi_calls=%llu convert_granules=%llu\n",
               size, reps, (unsigned long long)t[0], (unsigned long long)t[1],
               (unsigned long long)t[2], (unsigned long long)d.rsi_calls,
               (unsigned long long)(d.granules_shared + d.granules_private));
    }
out:
    if (shared)
        ccdma_free_coherent(&dev, MAX_SIZE, shared, handle);
    if (priv)
        ccdma_plat_pages_free(priv, MAX_SIZE / CCDMA_PAGE_SIZE);
}
