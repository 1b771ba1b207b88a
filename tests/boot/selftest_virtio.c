/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk and virtio-rng under a real QEMU device doing real DMA. The
 * harness attaches disk images with known content (tests/boot/disk_pattern.h);
 * on every disk the firmware identifies as a test disk by its signature it
 * reads and verifies the known content, writes a known pattern to the write
 * region and flushes, and the harness checks each image file after QEMU
 * exits. A disk without the signature, or a read-only one, is only read. Every request says which path its buffers took: private buffers
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

/* The disk under test: its name prefix in check names ("" for the first,
 * so the first disk's checks keep their names) and its write pattern. */
static char disk_tag[16];
static uint32_t disk_salt;

static const char *named(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s%s", disk_tag, name);
    return buf;
}

static uint64_t salted(uint64_t sector, uint64_t word)
{
    return disk_salted_word(disk_salt, sector, word);
}

static void fill_write(uint8_t *buf, uint64_t first, unsigned int sectors)
{
    uint64_t *w = (uint64_t *)buf;
    for (unsigned int s = 0; s < sectors; s++)
        for (unsigned int i = 0; i < DISK_SECTOR / 8; i++)
            w[s * (DISK_SECTOR / 8) + i] = salted(first + s, i);
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
    char name[96], n2[112];
    int err = ccdma_blk_read(blk, 0, priv, CHUNK, 0);
    snprintf(name, sizeof(name), "read 64 KiB into a private buffer (path: %s)", private_path());
    st_check(err == 0 && bad_sectors(priv, 0, CHUNK_SECTORS, disk_read_word) == 0 &&
                 path_is(blk, private_path()),
             named(n2, sizeof(n2), name), "err=%d bad=%u path=%s", err,
             bad_sectors(priv, 0, CHUNK_SECTORS, disk_read_word),
             ccdma_io_path_name(ccdma_blk_last_path(blk)));

    err = ccdma_blk_read(blk, CHUNK_SECTORS, shared, CHUNK, CCDMA_BLK_SHARED);
    st_check(err == 0 && bad_sectors(shared, CHUNK_SECTORS, CHUNK_SECTORS, disk_read_word) == 0 &&
                 path_is(blk, shared_path()),
             named(n2, sizeof(n2),
                   "read 64 KiB into a shared buffer (path: direct unless forced to bounce)"),
             "err=%d path=%s", err, ccdma_io_path_name(ccdma_blk_last_path(blk)));

    /* One call, three segments from the middle of the read region: one
     * request, or several when the device takes fewer segments. */
    struct ccdma_blk_seg segs[3] = {
        {priv, 8 * DISK_SECTOR},
        {priv + 8 * DISK_SECTOR, 24 * DISK_SECTOR},
        {priv + 32 * DISK_SECTOR, 96 * DISK_SECTOR},
    };
    uint64_t splits = blk->stats.split;
    memset(priv, 0, CHUNK);
    err = ccdma_blk_readv(blk, 1000, segs, 3, 0);
    snprintf(name, sizeof(name), "multi-segment read (3 segments, %s)",
             blk->seg_max >= 3 ? "one request" : "split: the device takes fewer");
    st_check(err == 0 && bad_sectors(priv, 1000, CHUNK_SECTORS, disk_read_word) == 0 &&
                 (blk->seg_max >= 3) == (blk->stats.split == splits),
             named(n2, sizeof(n2), name), "err=%d seg_max=%u split=%llu", err,
             (unsigned int)blk->seg_max, (unsigned long long)(blk->stats.split - splits));
}

static void blk_writes(struct ccdma_blk *blk, uint8_t *priv, uint8_t *shared)
{
    const unsigned int half = DISK_WRITE_SECTORS / 2;
    char name[96], n2[112];
    int err = 0;

    /* First half from private buffers, one chunk per request. */
    for (unsigned int s = 0; s < half && !err; s += CHUNK_SECTORS) {
        fill_write(priv, DISK_WRITE_FIRST + s, CHUNK_SECTORS);
        err = ccdma_blk_write(blk, DISK_WRITE_FIRST + s, priv, CHUNK, 0);
    }
    snprintf(name, sizeof(name), "write %u KiB from private buffers (path: %s)",
             half * DISK_SECTOR / 1024, private_path());
    st_check(err == 0 && path_is(blk, private_path()), named(n2, sizeof(n2), name),
             "err=%d path=%s", err, ccdma_io_path_name(ccdma_blk_last_path(blk)));

    /* Second half from shared memory, two segments per request. */
    for (unsigned int s = half; s < DISK_WRITE_SECTORS && !err; s += CHUNK_SECTORS) {
        fill_write(shared, DISK_WRITE_FIRST + s, CHUNK_SECTORS);
        struct ccdma_blk_seg segs[2] = {{shared, CHUNK / 2}, {shared + CHUNK / 2, CHUNK / 2}};
        err = ccdma_blk_writev(blk, DISK_WRITE_FIRST + s, segs, 2, CCDMA_BLK_SHARED);
    }
    st_check(err == 0 && path_is(blk, shared_path()),
             named(n2, sizeof(n2), "multi-segment writes from shared buffers (path: direct "
                                   "unless forced to bounce)"),
             "err=%d", err);

    err = ccdma_blk_flush(blk);
    st_check(err == 0, named(n2, sizeof(n2), "flush"), "err=%d (%s)", err, ccdma_strerror(err));

    unsigned int bad = 0;
    for (unsigned int s = 0; s < DISK_WRITE_SECTORS && !err; s += CHUNK_SECTORS) {
        err = ccdma_blk_read(blk, DISK_WRITE_FIRST + s, priv, CHUNK, 0);
        bad += bad_sectors(priv, DISK_WRITE_FIRST + s, CHUNK_SECTORS, salted);
    }
    st_check(err == 0 && bad == 0, named(n2, sizeof(n2), "read back what was written"),
             "err=%d bad=%u", err, bad);
}

/* A disk that is not ours: reads only, and a read-only one refuses writes
 * before anything reaches it. */
static void blk_not_written(struct ccdma_blk *blk, uint8_t *priv, const struct test_disk *d)
{
    char n2[112];
    uint64_t cap = ccdma_blk_capacity(blk);
    int e1 = ccdma_blk_read(blk, 0, priv, DISK_SECTOR, 0);
    int e2 = ccdma_blk_read(blk, cap - 1, priv, DISK_SECTOR, 0);
    st_check(e1 == 0 && e2 == 0, named(n2, sizeof(n2), "first and last sectors read"),
             "e1=%d e2=%d", e1, e2);
    if (blk->read_only) {
        uint64_t posted = blk->vq.stats.completed;
        int e3 = ccdma_blk_write(blk, 0, priv, DISK_SECTOR, 0);
        st_check(e3 == CCDMA_EROFS && blk->vq.stats.completed == posted,
                 named(n2, sizeof(n2), "read-only: a write is refused (read-only device), "
                                       "nothing posted"),
                 "err=%d (%s)", e3, ccdma_strerror(e3));
    }
    st_skip(named(n2, sizeof(n2), "not written: write round trip"), d->why);
}

static void blk_bad_requests(struct ccdma_blk *blk, uint8_t *priv)
{
    char n2[112];
    uint64_t cap = ccdma_blk_capacity(blk);
    int e1 = ccdma_blk_read(blk, cap - 1, priv, 2 * DISK_SECTOR, 0);
    int e2 = ccdma_blk_read(blk, 0, priv, 100, 0);
    int e3 = ccdma_blk_write(blk, UINT64_MAX - 1, priv, DISK_SECTOR, 0);
    st_check(e1 != 0 && e2 != 0 && e3 != 0 && blk->vdev.state == CCDMA_VIRTIO_READY,
             named(n2, sizeof(n2), "past the end, a partial sector, a wrapping sector: errors, "
                                   "device still ready"),
             "e1=%d e2=%d e3=%d state=%d", e1, e2, e3, (int)blk->vdev.state);
}

static void blk_one(struct ccdma_blk *blk, uint8_t *priv, uint8_t *shared)
{
    struct test_disk d;

    test_disk_identify(blk, &d);
    disk_salt = d.salt;
    st_note("blk %s%llu sectors, %s", disk_tag[0] ? disk_tag : "disk0: ",
            (unsigned long long)ccdma_blk_capacity(blk),
            d.writable ? "a test disk: the listed regions are written" : d.why);
    if (d.ours)
        blk_reads(blk, priv, shared);
    if (d.writable)
        blk_writes(blk, priv, shared);
    else
        blk_not_written(blk, priv, &d);
    blk_bad_requests(blk, priv);
    st_note("blk: %llu reads, %llu writes, %llu flushes, %llu calls split; segments %llu "
            "direct, %llu bounced",
            (unsigned long long)blk->stats.reads, (unsigned long long)blk->stats.writes,
            (unsigned long long)blk->stats.flushes, (unsigned long long)blk->stats.split,
            (unsigned long long)blk->stats.segs_direct,
            (unsigned long long)blk->stats.segs_bounced);
}

SELFTEST(40, virtio_blk)
{
    struct ccdma_blk *blk = &boot_virtio.blk;
    void *shared;
    ccdma_dma_t handle;

    if (!boot_virtio.has_blk) {
        if (boot_virtio.blk_why != NULL)
            st_skip("disk round trip", boot_virtio.blk_why);
        else if (boot_virtio.blk_err == CCDMA_ENODEV || boot_dma.init_err)
            st_skip("disk round trip", "no usable virtio-blk in this boot");
        else /* its rings need shared memory: the host may refuse it */
            test_conversion(boot_virtio.blk_err, true,
                            "virtio-blk probe refused cleanly (its rings could not be shared)");
        return;
    }
    uint8_t *priv = ccdma_plat_pages_alloc(CHUNK / CCDMA_PAGE_SIZE, UINT64_MAX);
    int err = test_alloc_shared(ccdma_blk_dma_device(blk), CHUNK, &shared, &handle);
    if (!st_check(priv && err == 0, "buffers (private pages, shared coherent memory)",
                  "priv=%p err=%d", (void *)priv, err))
        return;
    /* Every disk: each gets the same checks, on its own pattern. */
    for (unsigned int i = 0; i < boot_virtio.n_blk; i++) {
        void *sh = shared;
        ccdma_dma_t h = handle;
        if (i > 0 && test_alloc_shared(ccdma_blk_dma_device(boot_blk(i)), CHUNK, &sh, &h) != 0)
            sh = NULL;
        snprintf(disk_tag, sizeof(disk_tag), i ? "disk%u: " : "", i);
        if (sh != NULL)
            blk_one(boot_blk(i), priv, sh);
        else
            st_check(false, "shared buffer for another disk", "none for disk %u", i);
        if (i > 0 && sh != NULL)
            ccdma_free_coherent(ccdma_blk_dma_device(boot_blk(i)), CHUNK, sh, h);
    }
    disk_tag[0] = '\0';
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
        if (boot_virtio.rng_why != NULL)
            st_skip("entropy", boot_virtio.rng_why);
        else if (boot_virtio.rng_err == CCDMA_ENODEV || boot_dma.init_err)
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
