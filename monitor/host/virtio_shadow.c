/* SPDX-License-Identifier: MIT */
/*
 * Register shadow and doorbell check for one virtio-mmio transport (see
 * virtio_shadow.h). The walk is bounded by the queue size everywhere: each
 * chain has at most num descriptors (virtio 1.2, 2.7.5.3.1), the chains
 * made available since the last doorbell are in flight together and so
 * hold at most num table descriptors between them, and an indirect table
 * has at most num elements. A longer walk means a loop or reuse: a bad ring.
 */
#include "virtio_shadow.h"

#include <string.h>

#include <ccdma/virtio_spec.h>

/* The unit in which the realm shares memory. */
#define VSHADOW_GRANULE 4096u
/* QEMU ignores a QueueSel at or above its queue limit. */
#define QEMU_VIRTIO_QUEUE_MAX 1024u
/* ... and a QueueNum of 0 or above VIRTQUEUE_MAX_SIZE (virtio_queue_set_num):
 * mirroring exactly what QEMU accepts keeps the shadow's ring geometry the
 * one the device really uses. */
#define QEMU_VIRTQUEUE_MAX_SIZE 1024u

#define DESC_ALIGN 16u
#define AVAIL_ALIGN 2u
#define USED_ALIGN 4u
#define AVAIL_IDX_OFF 2u
#define AVAIL_RING_OFF 4u

void vshadow_reset(struct vshadow *s)
{
    memset(s, 0, sizeof(*s));
}

static void set_half(uint64_t *reg, uint32_t val, bool high)
{
    *reg = high ? (*reg & 0xffffffffull) | (uint64_t)val << 32
                : (*reg & ~0xffffffffull) | val;
}

bool vshadow_write(struct vshadow *s, uint32_t off, uint32_t val, unsigned int *queue)
{
    struct vshadow_queue *q =
        s->queue_sel < VSHADOW_MAX_QUEUES ? &s->q[s->queue_sel] : NULL;

    switch (off) {
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        *queue = val & 0xffffu;
        return true;
    case VIRTIO_MMIO_STATUS:
        if (val == 0)
            vshadow_reset(s);
        return false;
    case VIRTIO_MMIO_QUEUE_SEL:
        if (val < QEMU_VIRTIO_QUEUE_MAX)
            s->queue_sel = val;
        return false;
    default:
        break;
    }
    if (q == NULL)
        return false; /* a queue the monitor does not track */
    switch (off) {
    case VIRTIO_MMIO_QUEUE_NUM:
        if (val != 0 && val <= QEMU_VIRTQUEUE_MAX_SIZE)
            q->num = val;
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: set_half(&q->desc, val, false); break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_half(&q->desc, val, true); break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: set_half(&q->driver, val, false); break;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: set_half(&q->driver, val, true); break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: set_half(&q->device, val, false); break;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: set_half(&q->device, val, true); break;
    case VIRTIO_MMIO_QUEUE_READY:
        if (val & 1) {
            q->live = true;
            q->live_desc = q->desc;
            q->live_driver = q->driver;
            q->live_device = q->device;
        }
        break;
    default:
        break;
    }
    return false;
}

/* ---- The walk ------------------------------------------------------------------ */

struct walk {
    const struct vshadow_mem *mem;
    struct vshadow_violation *v;
    uint32_t num;
    uint64_t desc_table;
    uint32_t table_budget; /* table descriptors left for this doorbell */
};

static enum vshadow_result bad(struct walk *w, long desc, long element, const char *why)
{
    w->v->desc = desc;
    w->v->element = element;
    w->v->addr = w->v->len = w->v->bad = 0;
    w->v->what = why;
    return VSHADOW_BAD_RING;
}

/* [addr, addr+len) may be handed to a device: every granule it touches is
 * shared. An empty range touches nothing. */
static enum vshadow_result check_range(struct walk *w, uint64_t addr, uint64_t len,
                                       long desc, long element, const char *what)
{
    w->v->desc = desc;
    w->v->element = element;
    w->v->addr = w->v->bad = addr;
    w->v->len = len;
    w->v->what = what;
    if (len == 0)
        return VSHADOW_OK;
    if (addr + len < addr)
        return VSHADOW_PRIVATE; /* wraps: no set of pages can hold it */
    for (uint64_t g = addr & ~(uint64_t)(VSHADOW_GRANULE - 1); g < addr + len;
         g += VSHADOW_GRANULE) {
        if (!w->mem->shared(w->mem->ctx, g)) {
            w->v->bad = g < addr ? addr : g;
            return VSHADOW_PRIVATE;
        }
        if (g + VSHADOW_GRANULE < g)
            break; /* the last granule of the address space */
    }
    return VSHADOW_OK;
}

static void read_desc(struct walk *w, uint64_t table, uint32_t i, struct vring_desc *d)
{
    w->mem->read(w->mem->ctx, table + (uint64_t)i * sizeof(*d), d, sizeof(*d));
}

/* The elements of an indirect table, which the check found shared. */
static enum vshadow_result walk_indirect(struct walk *w, uint32_t head_desc,
                                         const struct vring_desc *ind)
{
    uint32_t n = ind->len / sizeof(struct vring_desc);
    uint32_t i = 0;
    enum vshadow_result r;

    if (ind->len % sizeof(struct vring_desc) != 0 || n == 0 || n > w->num)
        return bad(w, head_desc, -1, "indirect table length");
    if (ind->addr % DESC_ALIGN != 0)
        return bad(w, head_desc, -1, "indirect table alignment");
    for (uint32_t steps = 0;; steps++) {
        struct vring_desc d;

        if (steps == n)
            return bad(w, head_desc, i, "indirect chain loops");
        read_desc(w, ind->addr, i, &d);
        if (d.flags & VIRTQ_DESC_F_INDIRECT)
            return bad(w, head_desc, i, "nested indirect table");
        r = check_range(w, d.addr, d.len, head_desc, i, "buffer");
        if (r != VSHADOW_OK)
            return r;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return VSHADOW_OK;
        if (d.next >= n)
            return bad(w, head_desc, i, "indirect next index out of range");
        i = d.next;
    }
}

static enum vshadow_result walk_chain(struct walk *w, uint32_t head)
{
    uint32_t i = head;
    enum vshadow_result r;

    for (uint32_t steps = 0;; steps++) {
        struct vring_desc d;

        if (steps == w->num)
            return bad(w, i, -1, "descriptor chain loops");
        if (w->table_budget-- == 0)
            return bad(w, i, -1, "chains share descriptors");
        read_desc(w, w->desc_table, i, &d);
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (d.flags & VIRTQ_DESC_F_NEXT)
                return bad(w, i, -1, "INDIRECT with NEXT");
            r = check_range(w, d.addr, d.len, i, -1, "indirect table");
            return r != VSHADOW_OK ? r : walk_indirect(w, i, &d);
        }
        r = check_range(w, d.addr, d.len, i, -1, "buffer");
        if (r != VSHADOW_OK)
            return r;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return VSHADOW_OK;
        if (d.next >= w->num)
            return bad(w, i, -1, "next index out of range");
        i = d.next;
    }
}

static enum vshadow_result check_areas(struct walk *w, const struct vshadow_queue *q)
{
    uint64_t num = q->num;
    enum vshadow_result r;

    if (num == 0 || num > VSHADOW_QUEUE_SIZE_MAX || (num & (num - 1)) != 0)
        return bad(w, -1, -1, "queue size (not a power of two up to 32768)");
    if (q->live_desc % DESC_ALIGN || q->live_driver % AVAIL_ALIGN ||
        q->live_device % USED_ALIGN)
        return bad(w, -1, -1, "ring alignment");
    if ((r = check_range(w, q->live_desc, VRING_DESC_BYTES(num), -1, -1,
                         "descriptor table")) != VSHADOW_OK ||
        (r = check_range(w, q->live_driver, VRING_AVAIL_BYTES(num), -1, -1,
                         "available ring")) != VSHADOW_OK ||
        (r = check_range(w, q->live_device, VRING_USED_BYTES(num), -1, -1,
                         "used ring")) != VSHADOW_OK)
        return r;
    return VSHADOW_OK;
}

/* The check of one queue from q->last_avail; *chains (may be NULL) gets
 * the number of chains made available since then. */
static enum vshadow_result check_queue(struct vshadow *s, unsigned int queue,
                                       const struct vshadow_mem *mem,
                                       struct vshadow_violation *v, uint16_t *chains)
{
    struct walk w = {.mem = mem, .v = v};
    struct vshadow_queue *q;
    enum vshadow_result r;
    uint16_t avail_idx, pending;

    memset(v, 0, sizeof(*v));
    v->queue = queue;
    v->desc = v->element = -1;
    if (queue >= VSHADOW_MAX_QUEUES)
        return bad(&w, -1, -1, "queue index beyond the monitor's tracking");
    q = &s->q[queue];
    if (!q->live)
        return VSHADOW_IDLE;
    if ((r = check_areas(&w, q)) != VSHADOW_OK)
        return r;
    w.num = q->num;
    w.desc_table = q->live_desc;
    w.table_budget = q->num;

    mem->read(mem->ctx, q->live_driver + AVAIL_IDX_OFF, &avail_idx, sizeof(avail_idx));
    pending = (uint16_t)(avail_idx - q->last_avail);
    if (pending > q->num)
        return bad(&w, -1, -1, "available index ran more than a queue ahead");
    if (chains != NULL)
        *chains = pending;
    for (uint16_t k = 0; k < pending; k++) {
        uint16_t slot = (uint16_t)((q->last_avail + k) % q->num);
        uint16_t head;

        mem->read(mem->ctx, q->live_driver + AVAIL_RING_OFF + 2ull * slot, &head,
                  sizeof(head));
        if (head >= q->num)
            return bad(&w, head, -1, "head index out of range");
        if ((r = walk_chain(&w, head)) != VSHADOW_OK)
            return r;
    }
    q->last_avail = avail_idx;
    return VSHADOW_OK;
}

enum vshadow_result vshadow_check_notify(struct vshadow *s, unsigned int queue,
                                         const struct vshadow_mem *mem,
                                         struct vshadow_violation *v)
{
    return check_queue(s, queue, mem, v, NULL);
}

enum vshadow_result vshadow_check_live(struct vshadow *s, const struct vshadow_mem *mem,
                                       struct vshadow_violation *v,
                                       struct vshadow_sweep *sw)
{
    struct vshadow_sweep local = {0, 0};

    memset(v, 0, sizeof(*v));
    v->desc = v->element = -1;
    for (unsigned int i = 0; i < VSHADOW_MAX_QUEUES; i++) {
        enum vshadow_result r;
        uint16_t chains = 0;

        /* A queue that is not live is one the device ignores (after a
         * reset, QEMU forgets it too): nothing to check. */
        if (!s->q[i].live)
            continue;
        local.queues++;
        r = check_queue(s, i, mem, v, &chains);
        local.chains += chains;
        if (r != VSHADOW_OK) {
            if (sw != NULL)
                *sw = local;
            return r;
        }
    }
    if (sw != NULL)
        *sw = local;
    return VSHADOW_OK;
}
