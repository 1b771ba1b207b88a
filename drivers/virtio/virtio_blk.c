/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk: capacity, read, write, flush, multi-segment requests.
 *
 * Every request is checked against the disk and the device limits before it
 * is posted, so a bad sector or size is an error, never a stray transfer.
 * A request with more segments, or a segment larger, than the device takes
 * (seg_max, size_max, the queue size, the DMA layer's largest mapping) is
 * split into several device requests over consecutive sectors.
 * The request header and status byte live in one coherent (shared) block
 * allocated at probe; requests are synchronous, so one block is enough.
 */
#include <ccdma/blk.h>

#include "virtio_internal.h"

#include <stdio.h>
#include <string.h>

#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u

#define VIRTIO_BLK_S_OK 0u
#define VIRTIO_BLK_S_IOERR 1u
#define VIRTIO_BLK_S_UNSUPP 2u
/* Written before each request: a device that completes without writing the
 * status leaves this, which reads as an error. */
#define STATUS_UNSET 0xffu

/* Config space words (5.2.4): capacity lo/hi, size_max, seg_max. */
#define CFG_WORDS 4u

struct blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

#define HDR_BYTES sizeof(struct blk_req_hdr)
#define STATUS_OFF HDR_BYTES
#define HDR_BLOCK_BYTES (HDR_BYTES + 1u)

static void blk_release(struct ccdma_blk *blk)
{
    /* The header block is kept for good while the device may still use it
     * (its reset never completed) and once a failed request left it mapped
     * (ccdma_virtio_request): memory under a leaked mapping is never
     * reused, even after a later reset succeeds. */
    if (blk->hdr != NULL && (blk->vdev.reset_failed || blk->vq.stats.leaked_maps != 0)) {
        blk->vq.stats.leaked_allocs++;
        printf("ccdma: virtio@0x%lx: virtio-blk: request header block kept for good, "
               "never freed (%s)\n", (unsigned long)blk->vdev.base,
               blk->vdev.reset_failed ? "reset never completed" : "a failed request left it mapped");
    } else if (blk->hdr != NULL) {
        (void)ccdma_free_coherent(&blk->vdev.dma, HDR_BLOCK_BYTES, blk->hdr, blk->hdr_dma);
    }
    blk->hdr = NULL;
    ccdma_virtq_teardown(&blk->vq);
}

/* Read and check the config space: limits the device gives are clamped to
 * what the driver can post, nonsense is refused. */
static int blk_config(struct ccdma_blk *blk)
{
    uint32_t w[CFG_WORDS];
    int err = ccdma_virtio_config_read(&blk->vdev, 0, w, CFG_WORDS);
    if (err)
        return err;
    uint64_t f = blk->vdev.features;
    blk->capacity = (uint64_t)w[0] | ((uint64_t)w[1] << 32);
    if (blk->capacity > UINT64_MAX / CCDMA_BLK_SECTOR_SIZE)
        return CCDMA_EPROTO; /* byte offsets must not overflow */

    blk->size_max = UINT32_MAX;
    if (f & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SIZE_MAX)) {
        if (w[2] < CCDMA_BLK_SECTOR_SIZE)
            return CCDMA_EPROTO;
        blk->size_max = w[2];
    }
    /* Header and status take a descriptor each. */
    blk->seg_max = (uint32_t)blk->vq.num - 2u;
    if (f & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SEG_MAX)) {
        if (w[3] == 0)
            return CCDMA_EPROTO;
        if (w[3] < blk->seg_max)
            blk->seg_max = w[3];
    }
    blk->read_only = (f & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_RO)) != 0;
    return 0;
}

int ccdma_blk_probe(struct ccdma_blk *blk, uintptr_t base, size_t size)
{
    struct ccdma_virtio_transport t;

    if (blk == NULL)
        return CCDMA_EINVAL;
    memset(blk, 0, sizeof(*blk));
    int err = ccdma_virtio_mmio_transport(base, size, &t);
    return err ? err : ccdma_blk_probe_transport(blk, &t);
}

int ccdma_blk_probe_transport(struct ccdma_blk *blk, const struct ccdma_virtio_transport *t)
{
    if (blk == NULL)
        return CCDMA_EINVAL;
    memset(blk, 0, sizeof(*blk));
    uint64_t ok = CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SIZE_MAX) |
                  CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SEG_MAX) |
                  CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_RO) |
                  CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_FLUSH);
    int err = ccdma_virtio_init_transport(&blk->vdev, t, CCDMA_VIRTIO_ID_BLOCK, ok, "virtio-blk");
    if (err)
        return err;
    err = ccdma_virtq_setup(&blk->vq, &blk->vdev, 0);
    if (!err && blk->vq.num < 4)
        err = CCDMA_ENODEV; /* cannot carry header + data + status */
    if (!err)
        err = blk_config(blk);
    if (!err)
        err = ccdma_alloc_coherent(&blk->vdev.dma, HDR_BLOCK_BYTES, 0, 0, &blk->hdr, &blk->hdr_dma);
    if (err) {
        (void)ccdma_virtio_reset(&blk->vdev);
        blk_release(blk);
        return err;
    }
    /* Shared (always, for a normal device in a realm) means it can be
     * mapped in place; otherwise it is an ordinary private buffer. */
    blk->hdr_shared = ccdma_coherent_is_shared(&blk->vdev.dma, blk->hdr_dma);
    return ccdma_virtio_ready(&blk->vdev);
}

void ccdma_blk_remove(struct ccdma_blk *blk)
{
    if (blk == NULL || blk->vdev.state == CCDMA_VIRTIO_UNUSED)
        return;
    /* The outcome stays in vdev.reset_failed: blk_release keeps what the
     * device may still use. */
    (void)ccdma_virtio_reset(&blk->vdev);
    blk_release(blk);
    blk->vdev.state = CCDMA_VIRTIO_UNUSED;
}

uint64_t ccdma_blk_capacity(const struct ccdma_blk *blk)
{
    return blk->capacity;
}

struct ccdma_device *ccdma_blk_dma_device(struct ccdma_blk *blk)
{
    return &blk->vdev.dma;
}

enum ccdma_io_path ccdma_blk_last_path(const struct ccdma_blk *blk)
{
    return blk->last_path;
}

/* The longest piece of one segment a device request carries: size_max and
 * the largest mapping, in whole sectors. */
static size_t blk_piece_max(const struct ccdma_blk *blk)
{
    size_t map_max = ccdma_max_mapping_size(&blk->vdev.dma);
    size_t m = blk->size_max < map_max ? blk->size_max : map_max;
    if (m > UINT32_MAX / 2)
        m = UINT32_MAX / 2; /* a request's used length must fit 32 bits */
    return m - m % CCDMA_BLK_SECTOR_SIZE;
}

/* Size and range checks over the whole call: everything the device could be
 * asked to do wrong is refused here (CCDMA_EINVAL). */
static int blk_check(const struct ccdma_blk *blk, uint64_t sector,
                         const struct ccdma_blk_seg *segs, unsigned int nsegs)
{
    if (segs == NULL || nsegs == 0 || nsegs > CCDMA_BLK_MAX_SEGS || blk_piece_max(blk) == 0)
        return CCDMA_EINVAL;
    uint64_t bytes = 0;
    for (unsigned int k = 0; k < nsegs; k++) {
        size_t len = segs[k].len;
        if (segs[k].buf == NULL || len == 0 || len % CCDMA_BLK_SECTOR_SIZE != 0 ||
            bytes > UINT64_MAX - len)
            return CCDMA_EINVAL;
        bytes += len;
    }
    uint64_t nsect = bytes / CCDMA_BLK_SECTOR_SIZE;
    if (sector > blk->capacity || nsect > blk->capacity - sector)
        return CCDMA_EINVAL;
    return 0;
}

/*
 * One request: header, data segments, status. Returns 0, CCDMA_EIO for a
 * device error or a short transfer, CCDMA_ENOTSUP for a refused type, or the
 * transport's error.
 */
static int blk_do(struct ccdma_blk *blk, uint32_t type, uint64_t sector,
                  const struct ccdma_blk_seg *segs, unsigned int nsegs,
                  uint64_t bytes, unsigned int flags)
{
    struct ccdma_virtio_buf b[CCDMA_VIRTQ_MAX];
    uint8_t *status = (uint8_t *)blk->hdr + STATUS_OFF;
    if (blk->vdev.state == CCDMA_VIRTIO_BROKEN)
        return CCDMA_EBROKEN;

    struct blk_req_hdr h = {.type = type, .reserved = 0, .sector = sector};
    memcpy(blk->hdr, &h, sizeof(h));
    *status = STATUS_UNSET;

    b[0] = (struct ccdma_virtio_buf){.va = blk->hdr, .len = HDR_BYTES, .shared = blk->hdr_shared};
    for (unsigned int k = 0; k < nsegs; k++)
        b[1 + k] = (struct ccdma_virtio_buf){.va = segs[k].buf, .len = segs[k].len,
                                             .device_writes = type == VIRTIO_BLK_T_IN,
                                             .shared = (flags & CCDMA_BLK_SHARED) != 0};
    b[1 + nsegs] = (struct ccdma_virtio_buf){.va = status, .len = 1, .device_writes = true,
                                             .shared = blk->hdr_shared, .status = true};

    uint32_t used = 0;
    int err = ccdma_virtio_request(&blk->vq, b, nsegs + 2, &used, NULL);
    if (err)
        return err;
    /* One read of the device-written status, after unmap made it ours. */
    uint8_t st = vq_sh_dev_u8(status);
    if (st == VIRTIO_BLK_S_UNSUPP)
        return CCDMA_ENOTSUP;
    if (st != VIRTIO_BLK_S_OK)
        return CCDMA_EIO;
    /* The status byte decides, as in Linux's virtio_blk. The used length
     * only bounds what is trusted (virtio 1.2, 2.7.8.2): a read that
     * claims fewer data bytes than asked filled less than the caller will
     * use. Whether it counts the status byte too is the device's own
     * accounting: QEMU does, kvmtool does not. */
    if (type == VIRTIO_BLK_T_IN && used < bytes)
        return CCDMA_EIO;
    if (type == VIRTIO_BLK_T_IN && used == bytes)
        blk->stats.used_without_status++;

    unsigned int bounced = 0;
    for (unsigned int k = 0; k < nsegs; k++)
        bounced += b[1 + k].bounced;
    blk->stats.segs_bounced += bounced;
    blk->stats.segs_direct += nsegs - bounced;
    if (nsegs > 0)
        blk->last_path = bounced == 0 ? CCDMA_PATH_DIRECT
                         : bounced == nsegs ? CCDMA_PATH_BOUNCED : CCDMA_PATH_MIXED;
    return 0;
}

/* The call as device requests of at most seg_max pieces, each piece at
 * most blk_piece_max bytes, in order; the first error ends it (earlier
 * requests have been done). */
static int blk_split(struct ccdma_blk *blk, uint32_t type, uint64_t sector,
                     const struct ccdma_blk_seg *segs, unsigned int nsegs, unsigned int flags)
{
    struct ccdma_blk_seg piece[CCDMA_BLK_MAX_SEGS];
    size_t piece_max = blk_piece_max(blk), done = 0; /* bytes of segs[k] already sent */
    unsigned int k = 0, requests = 0;

    while (k < nsegs) {
        unsigned int n = 0;
        uint64_t bytes = 0;
        while (k < nsegs && n < blk->seg_max) {
            size_t len = segs[k].len - done;
            if (len > piece_max)
                len = piece_max;
            if (bytes + len >= UINT32_MAX)
                break; /* the used length (data + status) must fit 32 bits */
            piece[n++] = (struct ccdma_blk_seg){(uint8_t *)segs[k].buf + done, len};
            bytes += len;
            done += len;
            if (done == segs[k].len) {
                k++;
                done = 0;
            }
        }
        int err = blk_do(blk, type, sector, piece, n, bytes, flags);
        if (err)
            return err;
        sector += bytes / CCDMA_BLK_SECTOR_SIZE;
        requests++;
    }
    if (requests > 1)
        blk->stats.split++;
    return 0;
}

/* Wait for the device to be free, then hold it: an atomic test-and-set,
 * never a lock held across a request, which may wait for an interrupt. */
static void blk_claim(struct ccdma_blk *blk)
{
    while (__atomic_exchange_n(&blk->busy, true, __ATOMIC_ACQUIRE))
        ccdma_plat_relax();
}

static void blk_unclaim(struct ccdma_blk *blk)
{
    __atomic_store_n(&blk->busy, false, __ATOMIC_RELEASE);
}

static int blk_rw_claimed(struct ccdma_blk *blk, uint32_t type, uint64_t sector,
                          const struct ccdma_blk_seg *segs, unsigned int nsegs,
                          unsigned int flags)
{
    int err = blk_check(blk, sector, segs, nsegs);
    /* The device said it would refuse: nothing is posted (virtio 1.2,
     * 5.2.6.2: a driver must not write to a VIRTIO_BLK_F_RO device). */
    if (!err && type == VIRTIO_BLK_T_OUT && blk->read_only)
        err = CCDMA_EROFS;
    if (!err)
        err = blk_split(blk, type, sector, segs, nsegs, flags);
    if (err)
        blk->stats.errors++;
    else if (type == VIRTIO_BLK_T_IN)
        blk->stats.reads++;
    else
        blk->stats.writes++;
    return err;
}

static int blk_rw(struct ccdma_blk *blk, uint32_t type, uint64_t sector,
                  const struct ccdma_blk_seg *segs, unsigned int nsegs,
                  unsigned int flags)
{
    int err;

    if (blk == NULL || (flags & ~CCDMA_BLK_SHARED) != 0)
        return CCDMA_EINVAL;
    blk_claim(blk);
    err = blk_rw_claimed(blk, type, sector, segs, nsegs, flags);
    blk_unclaim(blk);
    return err;
}

int ccdma_blk_readv(struct ccdma_blk *blk, uint64_t sector,
                    const struct ccdma_blk_seg *segs, unsigned int nsegs,
                    unsigned int flags)
{
    return blk_rw(blk, VIRTIO_BLK_T_IN, sector, segs, nsegs, flags);
}

int ccdma_blk_writev(struct ccdma_blk *blk, uint64_t sector,
                     const struct ccdma_blk_seg *segs, unsigned int nsegs,
                     unsigned int flags)
{
    return blk_rw(blk, VIRTIO_BLK_T_OUT, sector, segs, nsegs, flags);
}

int ccdma_blk_read(struct ccdma_blk *blk, uint64_t sector, void *buf,
                   size_t len, unsigned int flags)
{
    struct ccdma_blk_seg s = {.buf = buf, .len = len};
    return blk_rw(blk, VIRTIO_BLK_T_IN, sector, &s, 1, flags);
}

int ccdma_blk_write(struct ccdma_blk *blk, uint64_t sector, const void *buf,
                    size_t len, unsigned int flags)
{
    /* The mapping is toward the device: nothing is ever written to buf. */
    struct ccdma_blk_seg s = {.buf = (void *)(uintptr_t)buf, .len = len};
    return blk_rw(blk, VIRTIO_BLK_T_OUT, sector, &s, 1, flags);
}

int ccdma_blk_flush(struct ccdma_blk *blk)
{
    if (blk == NULL)
        return CCDMA_EINVAL;
    /* Without VIRTIO_BLK_F_FLUSH there is no flush command: like Linux,
     * take the device to have no volatile write cache. */
    if ((blk->vdev.features & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_FLUSH)) == 0)
        return blk->vdev.state == CCDMA_VIRTIO_BROKEN ? CCDMA_EBROKEN : 0;
    blk_claim(blk);
    int err = blk_do(blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0, 0);
    if (err)
        blk->stats.errors++;
    else
        blk->stats.flushes++;
    blk_unclaim(blk);
    return err;
}
