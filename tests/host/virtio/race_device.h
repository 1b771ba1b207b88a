/* SPDX-License-Identifier: MIT */
/*
 * The racing device: a fake virtio device (fake_virtio.h) served from its
 * own thread, which keeps rewriting the shared ring while the driver
 * processes completions.
 *
 * Each round the device serves what the driver kicked, honestly, then -
 * until the test ends the round - races the driver on every shared field
 * it reads or could read back:
 *   - used id of each published entry: briefly an id a correct driver must
 *     reject (out of range, a chain body, a descriptor not lent), then the
 *     true id again;
 *   - used len: briefly larger than the writable bytes posted, or short;
 *   - used idx: briefly ahead of everything posted, or behind what the
 *     driver may already have harvested;
 *   - every other used slot (consumed, or not yet published): garbage;
 *   - descriptors and the avail ring (driver-written, never read back):
 *     garbage, left in place;
 *   - the blk status byte, when it is used in place: briefly an error;
 *   - on request (RACE_CONFIG), blk's capacity in config space, between
 *     RACE_CAP_A and RACE_CAP_B, each flip a new generation.
 * The bad values are ones a driver that reads each field once can only
 * reject (or, for len, clamp), so a correct driver ends every request with
 * the true result or a clean CCDMA_EBROKEN; what a double fetch would mix
 * up is caught by the test's invariants, ASan/UBSan or ThreadSanitizer.
 *
 * Memory model. Ring fields are atomics on both sides. The device's data
 * and status writes are ordered before its release store of used.idx; the
 * driver's acquire is its read barrier after loading used.idx, which
 * ThreadSanitizer cannot see (it does not model fences), so the test's
 * read hook states it with __tsan_acquire. Driver writes reach the device
 * through the doorbell (register accesses take the device's lock), and
 * race_round_end() orders the device's last racing store before the
 * driver's next request.
 */
#ifndef CCDMA_TEST_RACE_DEVICE_H
#define CCDMA_TEST_RACE_DEVICE_H

#include <ccdma/virtio.h>

#include "fake_virtio.h"

#include <pthread.h>

enum race_kind {
    RACE_USED_ID = 1u << 0,
    RACE_USED_LEN = 1u << 1,
    RACE_USED_IDX = 1u << 2,
    RACE_OTHER_SLOTS = 1u << 3,
    RACE_DESC = 1u << 4,
    RACE_STATUS = 1u << 5, /* only when the status byte is shared in place */
    RACE_AVAIL = 1u << 6,  /* the avail ring, which the driver never reads */
    RACE_ALL = (1u << 7) - 1,
    /* Config space, on its own (not in RACE_ALL: a re-probe must read the
     * true capacity): blk's capacity flips between two values whose halves
     * differ, the generation counter moving with each flip, as the driver
     * reads it. */
    RACE_CONFIG = 1u << 7,
    /* Test of the test: once per round, restore the status byte with a
     * plain store, a real data race that ThreadSanitizer must report. */
    RACE_PLANT_PLAIN_STORE = 1u << 8,
};

#define RACE_MAX_DONE CCDMA_VIRTQ_MAX
/* The two capacities RACE_CONFIG flips between: a read that mixes the
 * halves of both is neither. */
#define RACE_CAP_A 0x0000000100000010ull
#define RACE_CAP_B 0x0000000200000020ull

/* One completion the device really made. */
struct race_completion {
    uint16_t id, slot;
    uint32_t len;      /* the length it published */
    uint32_t writable; /* device-writable bytes of the chain */
};

/* What the device did in one round (stable once race_round_end returns). */
struct race_round {
    struct race_completion done[RACE_MAX_DONE];
    unsigned int ndone;
    uint64_t races; /* bad values shown and taken back, garbage written */
};

struct race_stats {
    uint64_t rounds, rounds_raced;
    uint64_t used_id, used_len, used_idx, other_slots, desc, avail, status, plain_stores;
    uint64_t config; /* capacity flips */
};

struct race_dev {
    struct fake_dev *fake;
    uintptr_t base;
    unsigned int kinds;
    unsigned int bad_spin, good_spin; /* busy-wait iterations per flip */
    pthread_t thread;
    pthread_mutex_t mu; /* the fake's state: registers (driver) and service (device) */
    unsigned int quit, round_gen, ack_gen; /* atomics: test -> device -> test */

    /* Device thread only (the test reads `last` and `stats` after
     * race_round_end or race_stop). */
    uint64_t rnd;
    struct race_round cur, last;
    uint16_t qnum, true_idx;
    uint8_t *used, *desc, *avail;
    uint16_t chain_desc[CCDMA_VIRTQ_MAX];
    uint16_t body_desc[CCDMA_VIRTQ_MAX];
    unsigned int nchain_desc, nbody_desc;
    uint8_t *status[RACE_MAX_DONE];
    uint8_t status_true[RACE_MAX_DONE];
    unsigned int nstatus;
    struct race_stats stats;
};

/* Claim the fake's register window at base and start the device thread. */
int race_start(struct race_dev *r, struct fake_dev *fake, uintptr_t base,
               unsigned int kinds, uint64_t seed);
/* Change what is raced from the next round on (call between rounds). */
void race_set_kinds(struct race_dev *r, unsigned int kinds);
/* End the round: the device stops touching this round's shared memory,
 * and r->last describes it. Call before the next request, and before the
 * rings are freed. */
void race_round_end(struct race_dev *r);
/* Stop the thread and release the window. */
void race_stop(struct race_dev *r);

#endif /* CCDMA_TEST_RACE_DEVICE_H */
