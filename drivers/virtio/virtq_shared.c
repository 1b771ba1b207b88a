/* SPDX-License-Identifier: MIT */
/*
 * The one accessor layer for ring memory shared with the device.
 *
 * Writes go to the descriptor table and avail ring, which the driver never
 * reads back (the truth is the private shadow). Reads are of fields the
 * device writes: each is one relaxed atomic load of an aligned field, so it
 * cannot be torn or silently repeated by the compiler (a plain LDR/LDRH on
 * AArch64), is well defined while another agent writes it (the racing
 * device test runs under ThreadSanitizer), and its value is kept by the
 * caller for the whole decision. Ordering comes from the platform's DMA
 * barriers. Nothing else in the driver touches this memory, which makes
 * this file the audit list and, in host builds, the hook for fuzzing and
 * double-fetch detection.
 */
#include "virtio_internal.h"

#if defined(CCDMA_VIRTQ_HOOKS) && CCDMA_VIRTQ_HOOKS
static ccdma_virtq_read_hook read_hook;
static void *read_hook_ctx;
static ccdma_virtq_decision_hook decision_hook;
static void *decision_hook_ctx;

void ccdma_virtq_set_read_hook(ccdma_virtq_read_hook hook, void *ctx)
{
    read_hook = hook;
    read_hook_ctx = ctx;
}

void ccdma_virtq_set_decision_hook(ccdma_virtq_decision_hook hook, void *ctx)
{
    decision_hook = hook;
    decision_hook_ctx = ctx;
}

void vq_sh_decision(struct ccdma_virtq *vq)
{
    if (decision_hook != NULL)
        decision_hook(decision_hook_ctx, vq);
}

static uint32_t seen(const void *where, enum ccdma_virtq_field f, uint16_t slot,
                     uint32_t v)
{
    if (read_hook != NULL)
        read_hook(read_hook_ctx, where, f, slot, &v);
    return v;
}
#define SEEN(where, f, slot, v) seen((where), (f), (slot), (v))
#else
#define SEEN(where, f, slot, v) (v)
#endif

#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

static struct vring_avail *avail_ring(struct ccdma_virtq *vq)
{
    return (struct vring_avail *)vq->avail;
}

static struct vring_used *used_ring(struct ccdma_virtq *vq)
{
    return (struct vring_used *)vq->used;
}

void vq_sh_init(struct ccdma_virtq *vq)
{
    /* Polled until someone routes the device's interrupt: ask the device
     * not to raise it meanwhile. */
    STORE(&avail_ring(vq)->flags, (uint16_t)VIRTQ_AVAIL_F_NO_INTERRUPT);
    STORE(&avail_ring(vq)->idx, (uint16_t)0);
}

void vq_sh_set_interrupts(struct ccdma_virtq *vq, bool on)
{
    STORE(&avail_ring(vq)->flags, (uint16_t)(on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT));
}

void vq_sh_write_desc(struct ccdma_virtq *vq, uint16_t i,
                      const struct ccdma_virtq_shadow *d)
{
    struct vring_desc *out = &((struct vring_desc *)vq->desc)[i];
    STORE(&out->addr, d->addr);
    STORE(&out->len, d->len);
    STORE(&out->flags, d->flags);
    STORE(&out->next, d->next);
}

void vq_sh_write_avail(struct ccdma_virtq *vq, uint16_t slot, uint16_t head)
{
    STORE(&avail_ring(vq)->ring[slot], head);
}

void vq_sh_publish_avail(struct ccdma_virtq *vq, uint16_t idx)
{
    /* Descriptors and the ring entry must be visible before the index that
     * hands them over. */
    ccdma_plat_dma_wmb();
    STORE(&avail_ring(vq)->idx, idx);
}

uint16_t vq_sh_used_idx(struct ccdma_virtq *vq)
{
    uint16_t *p = &used_ring(vq)->idx;
    uint16_t idx = (uint16_t)SEEN(p, CCDMA_VQF_USED_IDX, 0, LOAD(p));
    /* The entries this index covers must not be read before it. */
    ccdma_plat_dma_rmb();
    return idx;
}

void vq_sh_used_elem(struct ccdma_virtq *vq, uint16_t slot, uint32_t *id,
                     uint32_t *len)
{
    struct vring_used_elem *e = &used_ring(vq)->ring[slot];
    *id = SEEN(&e->id, CCDMA_VQF_USED_ID, slot, LOAD(&e->id));
    *len = SEEN(&e->len, CCDMA_VQF_USED_LEN, slot, LOAD(&e->len));
}

uint8_t vq_sh_dev_u8(const void *p)
{
    return (uint8_t)SEEN(p, CCDMA_VQF_DEV_U8, 0, LOAD((const uint8_t *)p));
}
