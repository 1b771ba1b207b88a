/* SPDX-License-Identifier: MIT */
/*
 * The host's view of one virtio-mmio (version 2) transport, kept from the
 * realm's register writes, and the doorbell check: on QueueNotify, every
 * ring area and every buffer of the newly available descriptor chains must
 * lie in pages the realm has shared, named by their unprotected IPA.
 *
 * Portable C: the monitor feeds it trapped writes and reads realm memory
 * for it; host tests feed it made-up rings. Everything it reads from ring
 * memory is realm-controlled and is bounds-checked before use.
 *
 * The shadow mirrors QEMU 7.2's transport: QueueNum applies at once,
 * QueueDesc/Driver/Device take effect when QueueReady is written 1, and a
 * queue stays live (QEMU keeps serving it) until Status 0. QEMU 7.2's
 * virtio-mmio has no QueueReset (it is virtio-pci only): a write there
 * changes nothing, so it must not make the shadow forget a live queue.
 */
#ifndef CCDMA_MONITOR_VIRTIO_SHADOW_H
#define CCDMA_MONITOR_VIRTIO_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Queues tracked per transport; a doorbell for a higher one cannot be
 * checked, so strict mode refuses it. */
#define VSHADOW_MAX_QUEUES 8
/* Largest ring QEMU accepts (VIRTQUEUE_MAX_SIZE); the spec allows 32768. */
#define VSHADOW_QUEUE_SIZE_MAX 1024u

struct vshadow_queue {
    uint32_t num;                  /* QueueNum, as last written */
    uint64_t desc, driver, device; /* as written, not yet live */
    bool live;                     /* QueueReady latched the addresses below */
    uint64_t live_desc, live_driver, live_device;
    uint16_t last_avail;           /* avail.idx up to which chains were checked */
};

struct vshadow {
    uint32_t queue_sel;
    struct vshadow_queue q[VSHADOW_MAX_QUEUES];
};

/* How the check reaches realm memory. */
struct vshadow_mem {
    void *ctx;
    /* True when a device may access the granule holding addr: a shared
     * page, named by its unprotected IPA. */
    bool (*shared)(void *ctx, uint64_t addr);
    /* Copy len bytes at addr (already found shared) into dst. */
    void (*read)(void *ctx, uint64_t addr, void *dst, size_t len);
};

enum vshadow_result {
    VSHADOW_OK = 0,    /* every area and buffer is shared */
    VSHADOW_IDLE,      /* the queue is not live: the device ignores the doorbell */
    VSHADOW_PRIVATE,   /* an address a device would use is not shared */
    VSHADOW_BAD_RING,  /* the ring cannot be walked (loop, index out of range...) */
};

/* What failed, for the report. */
struct vshadow_violation {
    unsigned int queue;
    long desc;          /* descriptor index in the table, -1 for a ring area */
    long element;       /* element of an indirect table, -1 when none */
    uint64_t addr, len; /* the area a device would use */
    uint64_t bad;       /* its first address that is not shared */
    const char *what;   /* the area, or why the ring is bad */
};

void vshadow_reset(struct vshadow *s);

/* A 32-bit write to register offset off, about to reach the device.
 * Returns true for QueueNotify, with the queue index in *queue; the caller
 * checks before it forwards the write. */
bool vshadow_write(struct vshadow *s, uint32_t off, uint32_t val, unsigned int *queue);

/* The doorbell check for queue; on VSHADOW_OK the chains seen are
 * remembered, so the next check starts after them. */
enum vshadow_result vshadow_check_notify(struct vshadow *s, unsigned int queue,
                                         const struct vshadow_mem *mem,
                                         struct vshadow_violation *v);

/* What the end-of-run check saw. */
struct vshadow_sweep {
    unsigned int queues; /* live queues checked */
    unsigned int chains; /* chains made available since their last check */
};

/*
 * The end-of-run check: every live queue, from the avail index its last
 * check reached, exactly as a doorbell for it would be checked. A device
 * need not wait for a doorbell (QEMU's virtio-rng pops avail entries from
 * its main loop), so chains published without one are otherwise never
 * checked. Stops at the first queue that fails (v says where); sw (may be
 * NULL) counts what was checked up to there.
 */
enum vshadow_result vshadow_check_live(struct vshadow *s, const struct vshadow_mem *mem,
                                       struct vshadow_violation *v,
                                       struct vshadow_sweep *sw);

#endif /* CCDMA_MONITOR_VIRTIO_SHADOW_H */
