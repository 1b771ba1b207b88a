/* SPDX-License-Identifier: MIT */
/*
 * A double-fetch detector on the virtqueue accessor layer (host builds,
 * CCDMA_VIRTQ_HOOKS). The driver must read each device-writable shared
 * field once per decision and keep the value: a second read is a window in
 * which the host can change the answer (a TOCTOU).
 *
 * Two rules, checked on every read the accessor layer reports:
 *   - decision window: between two decision-hook calls (one harvest of the
 *     used ring, plus the blk status read after it) no address is read twice;
 *   - completion window: each used entry's id and len are read once per
 *     completion, in ring order: a later read of a consumed entry (before
 *     the ring wraps) is a double fetch too, even in another decision.
 * The first violation is kept as text; all are counted. Not thread-safe:
 * the hooks run on the driver's thread.
 */
#ifndef CCDMA_TEST_DFETCH_H
#define CCDMA_TEST_DFETCH_H

#include <ccdma/virtio.h>

#define DFETCH_WINDOW 160 /* reads in one decision: 1 + 2 * CCDMA_VIRTQ_MAX, + status */
#define DFETCH_RINGS 4

struct dfetch_read {
    const void *where;
    enum ccdma_virtq_field field;
    uint16_t slot;
};

struct dfetch_ring {
    const void *used; /* the used ring; NULL: unused entry */
    uint16_t num;
    uint32_t next;    /* completions whose entry was fully read */
    bool id_read, len_read;
};

struct dfetch {
    const struct ccdma_virtq *vq; /* of the open decision; NULL before the first */
    struct dfetch_read seen[DFETCH_WINDOW];
    unsigned int nseen;
    struct dfetch_ring rings[DFETCH_RINGS];
    uint64_t decisions, reads, entries, reports;
    char first[256];
};

void dfetch_init(struct dfetch *d);
/* Install (d) or remove (NULL) both accessor hooks with dfetch as the only
 * reader. A test that needs its own read hook calls dfetch_read from it. */
void dfetch_install(struct dfetch *d);
void dfetch_decision(void *ctx, const struct ccdma_virtq *vq);
void dfetch_read(void *ctx, const void *where, enum ccdma_virtq_field field,
                 uint16_t slot, uint32_t *value);
/* Forget every ring (after queues are torn down: new rings may reuse the
 * addresses and start again at entry 0). */
void dfetch_forget_rings(struct dfetch *d);

#endif /* CCDMA_TEST_DFETCH_H */
