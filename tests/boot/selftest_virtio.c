/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk and virtio-rng under a real QEMU device doing real DMA. The
 * harness attaches a disk image with known content (tests/boot/disk_pattern.h);
 * the firmware reads and verifies it, writes a known pattern to another
 * region and flushes, and the harness checks the image file after QEMU
 * exits. Every request says which path its buffers took: private buffers
 * bounce in a realm, buffers allocated shared go direct.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/blk.h>
#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "boot/devices.h"
#include "boot/runtime.h"
#include "tests/boot/disk_pattern.h"
#include "tests/boot/test_env.h"

#define CHUNK_SECTORS 128u /* 64 KiB per request */
#define CHUNK (CHUNK_SECTORS * DISK_SECTOR)

static const char *private_path(void)
{
    return rt.realm || boot_dma.force_bounce ? "bounced" : "direct";
}

static void fill_write(uint8_t *buf, uint64_t first, unsigned int sectors)
{
    uint64_t *w = (uint64_t *)buf;
    for (unsigned int s = 0; s < sectors; s++)
        for (unsigned int i = 0; i < DISK_SECTOR / 8; i++)
            w[s * (DISK_SECTOR / 8) + i] = disk_write_word(first + s, i);
}

/* Sectors of buf that differ from the expected pattern (0 = all good). */
static unsigned int bad_sectors(const uint8_t *buf, uint64_t first, unsigned int sectors,
                                uint64_t (*word)(uint64_t, uint64_t))
{
    const uint64_t *w = (const uint64_t *)buf;
    unsigned int bad = 0;
    for (unsigned int s = 0; s < sectors; s++)
        for (unsigned int i = 0; i < DISK_SECTOR / 8; i++)
            if (w[s * (DISK_SECTOR / 8) + i] != word(first + s, i)) {
                bad++;
                break;
            }
    return bad;
}

/* Buffers allocated shared go direct, unless every mapping is forced to
 * bounce (ccdma.force_bounce=1). */
static const char *shared_path(void) { return boot_dma.force_bounce ? "bounced" : "direct"; }

static bool path_is(struct ccdma_blk *blk, const char *want)
{
    return strcmp(ccdma_io_path_name(ccdma_blk_last_path(blk)), want) == 0;
}

static void blk_reads(struct ccdma_blk *blk, uint8_t *priv, uint8_t *shared)
{
    char name[96];
    int err = ccdma_blk_read(blk, 0, priv, CHUNK, 0);
    snprintf(name, sizeof(name), "read 64 KiB into a private buffer (path: %s)", private_path());
    st_check(err == 0 && bad_sectors(priv, 0, CHUNK_SECTORS, disk_read_word) == 0 &&
                 path_is(blk, private_path()),
             name, "err=%d bad=%u path=%s", err, bad_sectors(priv, 0, CHUNK_SECTORS,
                                                            disk_read_word),
             ccdma_io_path_name(ccdma_blk_last_path(blk)));

    err = ccdma_blk_read(blk, CHUNK_SECTORS, shared, CHUNK, CCDMA_BLK_SHARED);
    st_check(err == 0 && bad_sectors(shared, CHUNK_SECTORS, CHUNK_SECTORS, disk_read_word) == 0 &&
                 path_is(blk, shared_path()),
             "read 64 KiB into a shared buffer (path: direct unless forced to bounce)",
             "err=%d path=%s", err,
             ccdma_io_path_name(ccdma_blk_last_path(blk)));

    /* One request, three segments from the middle of the read region. */
    struct ccdma_blk_seg segs[3] = {
        {priv, 8 * DISK_SECTOR},
        {priv + 8 * DISK_SECTOR, 24 * DISK_SECTOR},
        {priv + 32 * DISK_SECTOR, 96 * DISK_SECTOR},
    };
    memset(priv, 0, CHUNK);
    err = ccdma_blk_readv(blk, 1000, segs, 3, 0);
    st_check(err == 0 && bad_sectors(priv, 1000, CHUNK_SECTORS, disk_read_word) == 0,
             "multi-segment read (3 segments, one request)", "err=%d", err);
}

static void blk_writes(struct ccdma_blk *blk, uint8_t *priv, uint8_t *shared)
{
    const unsigned int half = DISK_WRITE_SECTORS / 2;
    int err = 0;

    /* First half from private buffers, one chunk per request. */
    for (unsigned int s = 0; s < half && !err; s += CHUNK_SECTORS) {
        fill_write(priv, DISK_WRITE_FIRST + s, CHUNK_SECTORS);
        err = ccdma_blk_write(blk, DISK_WRITE_FIRST + s, priv, CHUNK, 0);
    }
    char name[96];
    snprintf(name, sizeof(name), "write %u KiB from private buffers (path: %s)",
             half * DISK_SECTOR / 1024, private_path());
    st_check(err == 0 && path_is(blk, private_path()), name, "err=%d path=%s", err,
             ccdma_io_path_name(ccdma_blk_last_path(blk)));

    /* Second half from shared memory, two segments per request. */
    for (unsigned int s = half; s < DISK_WRITE_SECTORS && !err; s += CHUNK_SECTORS) {
        fill_write(shared, DISK_WRITE_FIRST + s, CHUNK_SECTORS);
        struct ccdma_blk_seg segs[2] = {{shared, CHUNK / 2}, {shared + CHUNK / 2, CHUNK / 2}};
        err = ccdma_blk_writev(blk, DISK_WRITE_FIRST + s, segs, 2, CCDMA_BLK_SHARED);
    }
    st_check(err == 0 && path_is(blk, shared_path()),
             "multi-segment writes from shared buffers (path: direct unless forced to bounce)",
             "err=%d", err);

    err = ccdma_blk_flush(blk);
    st_check(err == 0, "flush", "err=%d (%s)", err, ccdma_strerror(err));

    unsigned int bad = 0;
    for (unsigned int s = 0; s < DISK_WRITE_SECTORS && !err; s += CHUNK_SECTORS) {
        err = ccdma_blk_read(blk, DISK_WRITE_FIRST + s, priv, CHUNK, 0);
        bad += bad_sectors(priv, DISK_WRITE_FIRST + s, CHUNK_SECTORS, disk_write_word);
    }
    st_check(err == 0 && bad == 0, "read back what was written", "err=%d bad=%u", err, bad);
}

static void blk_bad_requests(struct ccdma_blk *blk, uint8_t *priv)
{
    uint64_t cap = ccdma_blk_capacity(blk);
    int e1 = ccdma_blk_read(blk, cap - 1, priv, 2 * DISK_SECTOR, 0);
    int e2 = ccdma_blk_read(blk, 0, priv, 100, 0);
    int e3 = ccdma_blk_write(blk, UINT64_MAX - 1, priv, DISK_SECTOR, 0);
    st_check(e1 != 0 && e2 != 0 && e3 != 0 && blk->vdev.state == CCDMA_VIRTIO_READY,
             "past the end, a partial sector, a wrapping sector: errors, device still ready",
             "e1=%d e2=%d e3=%d state=%d", e1, e2, e3, (int)blk->vdev.state);
}

SELFTEST(40, virtio_blk)
{
    struct ccdma_blk *blk = &boot_virtio.blk;
    void *shared;
    ccdma_dma_t handle;

    if (!boot_virtio.has_blk) {
        if (boot_virtio.blk_err == CCDMA_ENODEV || boot_dma.init_err)
            st_skip("disk round trip", "no usable virtio-blk in this boot");
        else /* its rings need shared memory: the host may refuse it */
            test_conversion(boot_virtio.blk_err, true,
                            "virtio-blk probe refused cleanly (its rings could not be shared)");
        return;
    }
    if (!st_check(ccdma_blk_capacity(blk) == DISK_SECTORS, "capacity matches the test image",
                  "%llu sectors", (unsigned long long)ccdma_blk_capacity(blk)))
        return;
    uint8_t *priv = ccdma_plat_pages_alloc(CHUNK / CCDMA_PAGE_SIZE, UINT64_MAX);
    int err = test_alloc_shared(ccdma_blk_dma_device(blk), CHUNK, &shared, &handle);
    if (!st_check(priv && err == 0, "buffers (private pages, shared coherent memory)",
                  "priv=%p err=%d", (void *)priv, err))
        return;
    blk_reads(blk, priv, shared);
    blk_writes(blk, priv, shared);
    blk_bad_requests(blk, priv);
    st_note("blk: %llu reads, %llu writes, %llu flushes; segments %llu direct, %llu bounced",
            (unsigned long long)blk->stats.reads, (unsigned long long)blk->stats.writes,
            (unsigned long long)blk->stats.flushes, (unsigned long long)blk->stats.segs_direct,
            (unsigned long long)blk->stats.segs_bounced);
    /* By interrupt, a wait sleeps until the device raises its interrupt
     * (or the timer's tick): the device raised some. How many polls that
     * saves depends on timing, so it is only reported. */
    if (blk->vdev.irq_mode)
        st_check(blk->vdev.irqs > 0,
                 "requests completed by interrupt",
                 "%llu interrupts for %llu completions, %llu polls",
                 (unsigned long long)blk->vdev.irqs, (unsigned long long)blk->vq.stats.completed,
                 (unsigned long long)blk->vq.stats.polls);
    st_note("blk: completion by %s: %llu interrupts (%llu not its own), %llu used.idx polls for "
            "%llu completions", blk->vdev.irq_mode ? "interrupt" : "polling",
            (unsigned long long)blk->vdev.irqs, (unsigned long long)blk->vdev.irqs_foreign,
            (unsigned long long)blk->vq.stats.polls, (unsigned long long)blk->vq.stats.completed);
    ccdma_free_coherent(ccdma_blk_dma_device(blk), CHUNK, shared, handle);
    ccdma_plat_pages_free(priv, CHUNK / CCDMA_PAGE_SIZE);
}

SELFTEST(41, virtio_rng)
{
    struct ccdma_rng *rng = &boot_virtio.rng;
    static uint8_t a[64], b[64];
    void *shared;
    ccdma_dma_t handle;

    if (!boot_virtio.has_rng) {
        if (boot_virtio.rng_err == CCDMA_ENODEV || boot_dma.init_err)
            st_skip("entropy", "no usable virtio-rng in this boot");
        else
            test_conversion(boot_virtio.rng_err, true,
                            "virtio-rng probe refused cleanly (its rings could not be shared)");
        return;
    }
    int n1 = ccdma_rng_read(rng, a, sizeof(a), false);
    const char *p1 = ccdma_io_path_name(rng->last_path);
    int n2 = ccdma_rng_read(rng, b, sizeof(b), false);
    bool differ = n1 > 0 && n2 > 0 && memcmp(a, b, (size_t)(n1 < n2 ? n1 : n2)) != 0;
    char name[80];
    snprintf(name, sizeof(name), "private buffer filled (path: %s), two reads differ",
             private_path());
    st_check(differ && !strcmp(p1, private_path()), name, "n1=%d n2=%d path=%s", n1, n2, p1);
    int err = test_alloc_shared(&rng->vdev.dma, sizeof(a), &shared, &handle);
    int n3 = err ? err : ccdma_rng_read(rng, shared, sizeof(a), true);
    st_check(n3 > 0 && !strcmp(ccdma_io_path_name(rng->last_path), shared_path()),
             "shared buffer filled (path: direct unless forced to bounce)", "n=%d", n3);
    if (!err)
        ccdma_free_coherent(&rng->vdev.dma, sizeof(a), shared, handle);
}

/* Before the DMA layers' leak check: the rings are live allocations. */
SELFTEST(98, virtio_teardown)
{
    if (!boot_virtio.has_blk && !boot_virtio.has_rng) {
        st_skip("devices reset and rings freed", "no devices");
        return;
    }
    boot_virtio_remove();
    st_check(!boot_virtio.has_blk && !boot_virtio.has_rng, "devices reset and rings freed",
             "still present");
}
