/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueue with private bookkeeping.
 *
 * The shadow, free list, chain topology and in-flight state live only in
 * struct ccdma_virtq (private memory). The shared rings are written from the
 * shadow and never read back; the used ring is read through the accessor
 * layer and every value from it is checked against the private state before
 * it is used, so a lying device can at worst get itself fenced off.
 */
#include "virtio_internal.h"

#include <stdio.h>
#include <string.h>

/* Largest power of two <= n (n >= 1). */
static uint16_t pow2_floor(uint32_t n)
{
    uint32_t p = 1;
    while (p <= n / 2)
        p *= 2;
    return (uint16_t)p;
}

static void free_rings(struct ccdma_virtq *vq)
{
    struct ccdma_device *dev = &vq->vdev->dma;
    if (vq->vdev->legacy) { /* one area: desc_dma is its start */
        if (vq->desc != NULL)
            (void)ccdma_free_coherent(dev, VRING_LEGACY_BYTES(vq->num), vq->desc, vq->desc_dma);
        vq->desc = vq->avail = vq->used = NULL;
        return;
    }
    if (vq->desc != NULL)
        (void)ccdma_free_coherent(dev, VRING_DESC_BYTES(vq->num), vq->desc, vq->desc_dma);
    if (vq->avail != NULL)
        (void)ccdma_free_coherent(dev, VRING_AVAIL_BYTES(vq->num), vq->avail, vq->avail_dma);
    if (vq->used != NULL)
        (void)ccdma_free_coherent(dev, VRING_USED_BYTES(vq->num), vq->used, vq->used_dma);
    vq->desc = vq->avail = vq->used = NULL;
}

int ccdma_virtq_setup(struct ccdma_virtq *vq, struct ccdma_virtio_dev *vdev,
                      uint16_t index)
{
    if (vq == NULL || vdev == NULL)
        return CCDMA_EINVAL;
    memset(vq, 0, sizeof(*vq));
    vq->vdev = vdev;
    vq->index = index;

    int max = vdev->ops->queue_max(vdev, index);
    if (max < 0)
        return max;
    /* Split rings are powers of two; a device may offer any number. */
    vq->num = pow2_floor((uint32_t)max < CCDMA_VIRTQ_MAX ? (uint32_t)max : CCDMA_VIRTQ_MAX);

    /* Three allocations, one per ring: each address comes straight from the
     * DMA layer, none is derived by the driver. A legacy device takes one
     * page-aligned area instead (the transport checks its layout). */
    struct ccdma_device *dev = &vdev->dma;
    int err;
    /* Coherent memory comes zeroed. */
    if (vdev->legacy) {
        err = ccdma_alloc_coherent(dev, VRING_LEGACY_BYTES(vq->num), 0, 0, &vq->desc,
                                   &vq->desc_dma);
        if (!err) {
            vq->avail = (uint8_t *)vq->desc + VRING_DESC_BYTES(vq->num);
            vq->avail_dma = vq->desc_dma + VRING_DESC_BYTES(vq->num);
            vq->used = (uint8_t *)vq->desc + VRING_LEGACY_USED_OFF(vq->num);
            vq->used_dma = vq->desc_dma + VRING_LEGACY_USED_OFF(vq->num);
        }
    } else {
        err = ccdma_alloc_coherent(dev, VRING_DESC_BYTES(vq->num), 0, 0, &vq->desc, &vq->desc_dma);
        if (!err)
            err = ccdma_alloc_coherent(dev, VRING_AVAIL_BYTES(vq->num), 0, 0, &vq->avail,
                                       &vq->avail_dma);
        if (!err)
            err = ccdma_alloc_coherent(dev, VRING_USED_BYTES(vq->num), 0, 0, &vq->used,
                                       &vq->used_dma);
    }
    if (err) {
        free_rings(vq);
        return err;
    }

    /* Free list threaded through the private shadow's next fields. */
    for (uint16_t i = 0; i < vq->num; i++)
        vq->shadow[i].next = (uint16_t)(i + 1);
    vq->free_head = 0;
    vq->num_free = vq->num;
    vq_sh_init(vq);
    err = vdev->ops->queue_enable(vdev, index, vq->num, vq->desc_dma, vq->avail_dma, vq->used_dma);
    if (err)
        free_rings(vq); /* never enabled: the device was given none of it */
    return err;
}

void ccdma_virtq_set_interrupts(struct ccdma_virtq *vq, bool on)
{
    if (vq == NULL || vq->vdev == NULL || vq->avail == NULL)
        return;
    vq->vdev->irq_mode = on;
    vq_sh_set_interrupts(vq, on);
    ccdma_plat_mb(); /* seen by the device before the next doorbell */
}

void ccdma_virtq_teardown(struct ccdma_virtq *vq)
{
    if (vq == NULL || vq->vdev == NULL)
        return;
    struct ccdma_virtio_dev *vdev = vq->vdev;
    if (vdev->reset_failed) {
        /* The device never confirmed a reset, so it may still read the
         * avail ring and write the used ring. Freed, those pages would be
         * handed out again (or, in plain mode, written by the device after
         * reuse): keep them for good. */
        unsigned int kept = vdev->legacy ? vq->desc != NULL
                                          : (vq->desc != NULL) + (vq->avail != NULL) +
                                                (vq->used != NULL);
        vq->stats.leaked_allocs += kept;
        if (kept != 0)
            printf("ccdma: virtio@0x%lx: %s: reset never completed: queue %u's rings "
                   "(%u allocations) kept for good, never freed\n",
                   (unsigned long)vdev->base, vdev->dma.name ? vdev->dma.name : "virtio",
                   vq->index, kept);
        vq->desc = vq->avail = vq->used = NULL;
    } else {
        free_rings(vq);
    }
    vq->vdev = NULL;
}

int ccdma_virtq_add(struct ccdma_virtq *vq, const struct ccdma_virtq_buf *bufs,
                    unsigned int n, uint16_t *head)
{
    if (vq->vdev->state == CCDMA_VIRTIO_BROKEN)
        return CCDMA_EBROKEN;
    if (bufs == NULL || head == NULL || n == 0)
        return CCDMA_EINVAL;
    uint64_t wlen = 0;
    for (unsigned int k = 0; k < n; k++) {
        /* virtio wants device-readable buffers before writable ones. */
        if (bufs[k].len == 0 || (k > 0 && bufs[k - 1].device_writes && !bufs[k].device_writes))
            return CCDMA_EINVAL;
        if (bufs[k].device_writes)
            wlen += bufs[k].len;
    }
    if (n > vq->num_free)
        return CCDMA_ENOSPC;

    uint16_t h = vq->free_head, i = h;
    for (unsigned int k = 0; k < n; k++) {
        struct ccdma_virtq_shadow *d = &vq->shadow[i];
        uint16_t next = d->next; /* free-list successor becomes the chain's */
        d->addr = bufs[k].addr;
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
                              (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        d->next = k + 1 < n ? next : 0;
        vq->st[i] = k == 0 ? VQ_HEAD_INFLIGHT : VQ_BODY;
        vq_sh_write_desc(vq, i, d);
        i = next;
    }
    vq->free_head = i;
    vq->num_free = (uint16_t)(vq->num_free - n);
    vq->wlen[h] = wlen > UINT32_MAX ? UINT32_MAX : (uint32_t)wlen;
    vq->used_len[h] = 0;
    vq->inflight++;

    vq_sh_write_avail(vq, (uint16_t)(vq->avail_idx & (vq->num - 1)), h);
    vq->avail_idx++;
    vq_sh_publish_avail(vq, vq->avail_idx);
    vq->stats.posted++;
    *head = h;
    return 0;
}

void ccdma_virtq_kick(struct ccdma_virtq *vq)
{
    /* The avail index must be visible before the doorbell. */
    ccdma_plat_mb();
    vq->vdev->ops->notify(vq->vdev, vq->index);
}

static int violation(struct ccdma_virtq *vq, const char *why)
{
    ccdma_virtio_break(vq->vdev, CCDMA_EBROKEN, why);
    return CCDMA_EBROKEN;
}

int ccdma_virtq_poll(struct ccdma_virtq *vq)
{
    if (vq->vdev->state == CCDMA_VIRTIO_BROKEN)
        return CCDMA_EBROKEN;
    vq->stats.polls++;
    vq_sh_decision(vq);
    uint16_t idx = vq_sh_used_idx(vq);
    uint16_t pending = (uint16_t)(idx - vq->last_used);
    /* Each used entry retires one distinct lent chain. */
    if (pending > vq->inflight)
        return violation(vq, "used idx moved past the chains in flight");

    for (uint16_t k = 0; k < pending; k++) {
        uint32_t id, len;
        vq_sh_used_elem(vq, (uint16_t)(vq->last_used & (vq->num - 1)), &id, &len);
        if (id >= vq->num)
            return violation(vq, "used id out of range");
        id &= (uint32_t)(vq->num - 1); /* no speculative use past the check */
        switch (vq->st[id]) {
        case VQ_HEAD_INFLIGHT:
            break;
        case VQ_HEAD_DONE:
            return violation(vq, "duplicate completion");
        case VQ_BODY:
            return violation(vq, "used id is not a chain head");
        default:
            return violation(vq, "used id not in flight");
        }
        if (len > vq->wlen[id]) {
            len = vq->wlen[id]; /* clamp: devices over-report used lengths */
            vq->stats.len_clamped++;
        }
        vq->st[id] = VQ_HEAD_DONE;
        vq->used_len[id] = len;
        vq->inflight--;
        vq->last_used++;
        vq->stats.completed++;
    }
    return pending;
}

/* Return a completed chain to the free list, following the private shadow. */
static void reclaim(struct ccdma_virtq *vq, uint16_t head)
{
    uint16_t i = head, n = 1;
    vq->st[i] = VQ_FREE;
    while (vq->shadow[i].flags & VIRTQ_DESC_F_NEXT) {
        i = vq->shadow[i].next;
        vq->st[i] = VQ_FREE;
        n++;
    }
    vq->shadow[i].next = vq->free_head;
    vq->free_head = head;
    vq->num_free = (uint16_t)(vq->num_free + n);
}

int ccdma_virtq_wait(struct ccdma_virtq *vq, uint16_t head, uint32_t *len)
{
    /* Fail closed: once fenced off, not even a completion seen before the
     * violation is handed out. */
    if (vq->vdev->state == CCDMA_VIRTIO_BROKEN)
        return CCDMA_EBROKEN;
    if (head >= vq->num || (vq->st[head] != VQ_HEAD_INFLIGHT && vq->st[head] != VQ_HEAD_DONE))
        return CCDMA_EINVAL;
    uint64_t deadline = virtio_deadline(vq->vdev);
    while (vq->st[head] != VQ_HEAD_DONE) {
        /* Cleared before the check: an interrupt after it is not lost. */
        if (vq->vdev->irq_mode)
            __atomic_store_n(&vq->vdev->irq_pending, 0, __ATOMIC_RELAXED);
        int r = ccdma_virtq_poll(vq);
        if (r < 0)
            return r;
        if (vq->st[head] == VQ_HEAD_DONE)
            break;
        if (ccdma_plat_time_ns() >= deadline) {
            /* Its descriptors stay lent, so the queue cannot go on. */
            ccdma_virtio_break(vq->vdev, CCDMA_ETIMEDOUT, "request timed out");
            return CCDMA_ETIMEDOUT;
        }
        if (vq->vdev->irq_mode)
            ccdma_plat_wait_irq(&vq->vdev->irq_pending, deadline);
        else
            ccdma_plat_relax();
    }
    if (len != NULL)
        *len = vq->used_len[head];
    reclaim(vq, head);
    return 0;
}

/* ---- One request over the streaming DMA API ----------------------------------------- */

const char *ccdma_io_path_name(enum ccdma_io_path p)
{
    switch (p) {
    case CCDMA_PATH_DIRECT: return "direct";
    case CCDMA_PATH_BOUNCED: return "bounced";
    case CCDMA_PATH_MIXED: return "mixed";
    default: return "none";
    }
}

static unsigned int buf_attrs(const struct ccdma_virtio_buf *b)
{
    return b->shared ? CCDMA_ATTR_CC_SHARED : 0u;
}

static enum ccdma_dir buf_dir(const struct ccdma_virtio_buf *b)
{
    return b->device_writes ? CCDMA_FROM_DEVICE : CCDMA_TO_DEVICE;
}

/* Leave the n mapped buffers of a failed request to a device that was not
 * quiesced: never unmapped, by anyone (remove does not know them), so a
 * bounce slot is never reused and dma-debug keeps showing them live. */
static void leak_bufs(struct ccdma_virtq *vq, struct ccdma_virtio_buf *bufs, unsigned int n,
                      int err)
{
    struct ccdma_virtio_dev *vdev = vq->vdev;
    for (unsigned int k = 0; k < n; k++)
        bufs[k].leaked = true;
    vq->stats.leaked_maps += n;
    printf("ccdma: virtio@0x%lx: %s: request failed (%s: %s) and the reset never "
           "completed: %u buffer mapping(s) left in place for good, the device may still "
           "use them\n",
           (unsigned long)vdev->base, vdev->dma.name ? vdev->dma.name : "virtio",
           ccdma_strerror(err), vdev->broken_why ? vdev->broken_why : "?", n);
}

/* Unmap the first n buffers. After a failure the device's writes are not
 * copied back: they are whatever the host left, not data. After a success
 * only the used bytes are (the writable buffers in order, virtio 1.2,
 * 2.7.8.2): past what the device claims to have written, a bounced buffer
 * keeps what the caller had. */
static int unmap_bufs(struct ccdma_virtq *vq, struct ccdma_virtio_buf *bufs,
                      const struct ccdma_virtq_buf *vb, unsigned int n, bool ok, uint32_t used)
{
    struct ccdma_device *dev = &vq->vdev->dma;
    int first = 0;
    for (unsigned int k = 0; k < n; k++) {
        int r = 0;
        /* Readable buffers have nothing to copy back; a written one that
         * the device filled whole is copied back by the unmap itself, and
         * only a part of one needs a sync of that part first. */
        unsigned int attrs = buf_attrs(&bufs[k]) | CCDMA_ATTR_SKIP_CPU_SYNC;
        if (ok && bufs[k].device_writes) {
            size_t copy = used < bufs[k].len ? used : bufs[k].len;
            used -= (uint32_t)copy;
            if (bufs[k].status)
                copy = bufs[k].len;
            if (copy == bufs[k].len)
                attrs &= ~CCDMA_ATTR_SKIP_CPU_SYNC;
            else if (copy != 0)
                r = ccdma_sync_for_cpu(dev, vb[k].addr, copy, buf_dir(&bufs[k]));
        }
        int u = ccdma_unmap_single(dev, vb[k].addr, bufs[k].len, buf_dir(&bufs[k]), attrs);
        if (!r)
            r = u;
        if (r && !first)
            first = r;
    }
    return first;
}

int ccdma_virtio_request(struct ccdma_virtq *vq, struct ccdma_virtio_buf *bufs,
                         unsigned int n, uint32_t *used_len,
                         enum ccdma_io_path *path)
{
    if (vq == NULL || vq->vdev == NULL || bufs == NULL || n == 0 || n > vq->num)
        return CCDMA_EINVAL;
    if (vq->vdev->state != CCDMA_VIRTIO_READY)
        return vq->vdev->state == CCDMA_VIRTIO_BROKEN ? CCDMA_EBROKEN : CCDMA_EINVAL;
    for (unsigned int k = 0; k < n; k++)
        if (bufs[k].va == NULL || bufs[k].len == 0 || bufs[k].len > UINT32_MAX)
            return CCDMA_EINVAL;

    struct ccdma_virtq_buf vb[CCDMA_VIRTQ_MAX];
    unsigned int mapped = 0, bounced = 0;
    int err = 0;
    for (unsigned int k = 0; k < n; k++)
        bufs[k].leaked = false;
    for (; mapped < n; mapped++) {
        struct ccdma_virtio_buf *b = &bufs[mapped];
        err = ccdma_map_single(&vq->vdev->dma, b->va, b->len, buf_dir(b), buf_attrs(b),
                               &vb[mapped].addr);
        if (err)
            break;
        vb[mapped].len = (uint32_t)b->len;
        vb[mapped].device_writes = b->device_writes;
        b->bounced = ccdma_is_bounced(&vq->vdev->dma, vb[mapped].addr);
        bounced += b->bounced;
    }

    uint16_t head = 0;
    uint32_t len = 0;
    bool posted = false;
    if (!err) {
        err = ccdma_virtq_add(vq, vb, n, &head);
        posted = err == 0;
    }
    if (posted) {
        ccdma_virtq_kick(vq);
        err = ccdma_virtq_wait(vq, head, &len);
    }
    /* A failed wait broke the device, and breaking resets it. Only a reset
     * that completed takes the chain back from the device; otherwise it
     * may still DMA into these buffers. (A failed wait that left the
     * device READY cannot happen; if it did, the chain would still be
     * lent, so it is treated the same way.) */
    if (err && posted &&
        (vq->vdev->reset_failed || vq->vdev->state != CCDMA_VIRTIO_BROKEN)) {
        leak_bufs(vq, bufs, n, err);
        return err;
    }
    int uerr = unmap_bufs(vq, bufs, vb, mapped, err == 0, len);
    if (!err)
        err = uerr;
    if (err)
        return err;
    if (used_len != NULL)
        *used_len = len;
    if (path != NULL)
        *path = bounced == 0 ? CCDMA_PATH_DIRECT : bounced == n ? CCDMA_PATH_BOUNCED : CCDMA_PATH_MIXED;
    return 0;
}
