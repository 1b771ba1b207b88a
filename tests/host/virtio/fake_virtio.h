/* SPDX-License-Identifier: MIT */
/*
 * An in-process virtio-mmio device for host tests (version 2, or the legacy
 * version 1 when its version is set to 1 before attach): virtio-blk
 * over an in-memory disk, or virtio-rng. It serves the split ring the way a
 * device does, reaching driver memory only through DMA addresses
 * (ccdma_plat_dma_to_phys + ccdma_plat_phys_to_virt), and it can turn
 * hostile on request.
 *
 * It also polices the driver: in CC mode any ring or buffer address without
 * the shared encoding, or covering a page that is not shared, is refused
 * and counted (cc_violations), the strict check ccdma's host (monitor/host)
 * applies at the doorbell; protocol mistakes by the
 * driver (bad status sequence, features never offered, bad queue size or
 * alignment, broken chains) are counted in drv_errors.
 *
 * The ring layout is written out from the spec here on purpose, not taken
 * from the driver's headers, so a layout bug cannot hide on both sides.
 */
#ifndef CCDMA_TEST_FAKE_VIRTIO_H
#define CCDMA_TEST_FAKE_VIRTIO_H

#include <ccdma/platform.h>

#define FAKE_WINDOW 0x200u
#define FAKE_MAX_CHAIN 128u

enum fake_evil {
    EVIL_NONE = 0,
    EVIL_ID_RANGE,  /* used id = queue size + 3 */
    EVIL_ID_BODY,   /* used id = the chain's second descriptor */
    EVIL_ID_FREE,   /* used id of a descriptor that was never lent */
    EVIL_DUPLICATE, /* each completion is pushed twice */
    EVIL_REPLAY,    /* the next chain is completed with the previous chain's id */
    EVIL_LEN_HUGE,  /* used len 0xfffffff0 */
    EVIL_LEN_SHORT, /* used len 1 */
    EVIL_IDX_JUMP,  /* used idx advanced by queue size + 2 */
    EVIL_IDX_BACK,  /* used idx moved backwards */
    EVIL_NEVER,     /* takes requests, never completes them */
    EVIL_STATUS,    /* blk status byte = evil_status */
    EVIL_NO_STATUS, /* blk status byte not written */
    EVIL_REORDER,   /* hold completions until two are pending, push them reversed */
    EVIL_LEN_NO_STATUS, /* used len without the status byte, as kvmtool counts */
};

struct fake_dev {
    /* Identity and offer (set before attach; tests may change them). */
    uint32_t magic, version, device_id, vendor_id;
    uint64_t offered;       /* DeviceFeatures */
    uint64_t required;      /* FEATURES_OK refused unless all are accepted */
    bool refuse_features;   /* refuse FEATURES_OK whatever is accepted */
    bool ignore_reset;      /* status never reads 0 after a reset */
    bool deaf_reset;        /* a status write of 0 is dropped: the device keeps
                             * its queue and every chain it took, and can write
                             * them later (fake_late_dma) */
    uint32_t queue_num_max;
    uint32_t queue_ready_stuck; /* QueueReady reads this value (hostile) */

    /* Config space as 32-bit words, generation counter and its tricks. */
    uint32_t cfg[16];
    uint32_t gen;
    unsigned int gen_flaps;   /* the next N generation reads each change it */
    bool gen_always;          /* every generation read changes it */
    bool tear_pending;        /* after the next capacity-low read, switch to tear_to */
    uint64_t tear_to;

    /* Misbehaviour on the ring, after evil_after honest completions. */
    enum fake_evil evil;
    unsigned int evil_after;
    uint8_t evil_status;

    /* Backends. */
    uint8_t *disk;
    uint64_t disk_bytes;
    uint64_t rng_state;

    /* Device state. */
    uint32_t status, dfsel, drvfsel, qsel;
    uint64_t drv_features;
    uint32_t qnum, qready;
    uint32_t page_size, align, pfn; /* legacy (version 1) queue registers */
    uint64_t desc, avail, used;
    uint16_t last_avail, used_idx;
    bool kicked;
    struct { uint16_t id; uint32_t len; } held[2];
    unsigned int nheld;
    uint16_t prev_id;
    bool have_prev;

    /* What happened. */
    unsigned int requests, completions, flushes, notifies, resets, status_writes;
    unsigned int cc_violations; /* addresses without the shared encoding */
    unsigned int bad_addrs;     /* addresses that translate to no memory */
    unsigned int drv_errors;    /* driver protocol mistakes */
    unsigned int cfg_reads;
    /* Data descriptors of the last request, as physical address ranges. */
    unsigned int last_ndata;
    ccdma_phys_t last_data_pa[FAKE_MAX_CHAIN];
    uint32_t last_data_len[FAKE_MAX_CHAIN];
    uint64_t last_data_dma[FAKE_MAX_CHAIN]; /* ... and as the driver posted them */
};

/* A modern virtio-blk over disk[0, bytes) (bytes a multiple of 512),
 * offering VERSION_1 | SEG_MAX | FLUSH and, to be declined, INDIRECT_DESC |
 * EVENT_IDX; plus ACCESS_PLATFORM (offered and required) when cc. */
void fake_blk_init(struct fake_dev *d, uint8_t *disk, uint64_t bytes, bool cc);
/* A modern virtio-rng with the same transport features. */
void fake_rng_init(struct fake_dev *d, uint64_t seed, bool cc);
/* The byte stream the rng produces from a seed (for checking). */
uint8_t fake_rng_next(uint64_t *state);

/* Route [base, base+FAKE_WINDOW) to d. */
int fake_attach(struct fake_dev *d, uintptr_t base);
void fake_detach(uintptr_t base);

/* Serve pending requests now (as relax would). */
void fake_process(struct fake_dev *d);

/* A device still holding the data buffers of the last request writes byte
 * into all of them, through their DMA addresses as a device would (so in CC
 * mode only shared memory is reachable). Returns the bytes written. */
size_t fake_late_dma(struct fake_dev *d, uint8_t byte);

/* The register callbacks fake_attach installs (ctx: the fake_dev), for a
 * wrapper that serves the device from its own thread (race_device.h). */
struct host_mmio_ops;
const struct host_mmio_ops *fake_mmio_ops(void);

#endif /* CCDMA_TEST_FAKE_VIRTIO_H */
