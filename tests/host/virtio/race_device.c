/* SPDX-License-Identifier: MIT */
/* The racing device (see race_device.h). */
#define _GNU_SOURCE
#include "race_device.h"

#include "host_mmio.h"
#include "host_platform.h"

#include <ccdma/errors.h>

#include <sched.h>
#include <string.h>
#include <time.h>

/* Split ring layout from the virtio 1.2 spec (2.7), as in fake_virtio.c. */
#define DESC_BYTES 16u
#define D_NEXT 1u
#define D_WRITE 2u
#define USED_ENTRY(used, slot) ((used) + 4u + 8u * (size_t)(slot))

#define LD(T, p) __atomic_load_n((const T *)(const void *)(p), __ATOMIC_RELAXED)
#define ST(T, p, v) __atomic_store_n((T *)(void *)(p), (T)(v), __ATOMIC_RELAXED)

/* ---- Registers: the fake's own callbacks, under the device lock ------------------- */

static uint32_t race_read32(void *ctx, uint64_t off)
{
    struct race_dev *r = ctx;
    pthread_mutex_lock(&r->mu);
    uint32_t v = fake_mmio_ops()->read32(r->fake, off);
    pthread_mutex_unlock(&r->mu);
    return v;
}

static void race_write32(void *ctx, uint64_t off, uint32_t v)
{
    struct race_dev *r = ctx;
    pthread_mutex_lock(&r->mu);
    fake_mmio_ops()->write32(r->fake, off, v);
    pthread_mutex_unlock(&r->mu);
}

/* No relax callback: the device thread serves, not the driver's polls. */
static const struct host_mmio_ops race_ops = {
    .read32 = race_read32,
    .write32 = race_write32,
    .read8 = NULL,
    .relax = NULL,
};

/* ---- Helpers ---------------------------------------------------------------------------- */

static uint64_t rnd(struct race_dev *r)
{
    uint64_t x = r->rnd;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->rnd = x;
    return x;
}

static void spin(unsigned int n)
{
    for (volatile unsigned int i = 0; i < n; i++)
        ;
}

static uint8_t *host_ptr(uint64_t dma)
{
    return ccdma_plat_phys_to_virt(ccdma_plat_dma_to_phys(dma));
}

static bool round_open(struct race_dev *r)
{
    return __atomic_load_n(&r->round_gen, __ATOMIC_ACQUIRE) ==
           __atomic_load_n(&r->ack_gen, __ATOMIC_RELAXED);
}

/* ---- Serving and capturing the round ------------------------------------------------------- */

/* Walk one served chain in the descriptor table (the driver cannot have
 * reused it: it posts again only after race_round_end). */
static void capture_chain(struct race_dev *r, struct race_completion *c)
{
    uint16_t i = c->id;
    c->writable = 0;
    for (unsigned int n = 0; i < r->qnum && n < r->qnum; n++) {
        const uint8_t *d = r->desc + DESC_BYTES * i;
        uint64_t addr = LD(uint64_t, d);
        uint32_t len = LD(uint32_t, d + 8);
        uint16_t flags = LD(uint16_t, d + 12);
        if (r->nchain_desc < CCDMA_VIRTQ_MAX)
            r->chain_desc[r->nchain_desc++] = i;
        if (n > 0 && r->nbody_desc < CCDMA_VIRTQ_MAX)
            r->body_desc[r->nbody_desc++] = i;
        if (flags & D_WRITE)
            c->writable += len;
        if (!(flags & D_NEXT)) {
            /* blk: the status byte ends the chain. */
            uint8_t *st = len > 0 ? host_ptr(addr + len - 1) : NULL;
            if (r->fake->device_id == CCDMA_VIRTIO_ID_BLOCK && st != NULL &&
                r->nstatus < RACE_MAX_DONE) {
                r->status[r->nstatus] = st;
                r->status_true[r->nstatus++] = LD(uint8_t, st);
            }
            return;
        }
        i = LD(uint16_t, d + 14);
    }
}

/* Device lock held: serve what was kicked and record what was completed. */
static void serve(struct race_dev *r)
{
    struct fake_dev *f = r->fake;
    uint16_t before = f->used_idx;
    fake_process(f);
    if (f->used_idx == before || f->qnum == 0 || f->qnum > CCDMA_VIRTQ_MAX * 2u)
        return;
    r->qnum = (uint16_t)f->qnum;
    r->used = host_ptr(f->used);
    r->desc = host_ptr(f->desc);
    r->avail = host_ptr(f->avail);
    for (uint16_t i = before; i != f->used_idx; i++) {
        struct race_round *cur = &r->cur;
        if (cur->ndone == RACE_MAX_DONE)
            break;
        struct race_completion *c = &cur->done[cur->ndone++];
        c->slot = (uint16_t)(i % r->qnum);
        c->id = (uint16_t)LD(uint32_t, USED_ENTRY(r->used, c->slot));
        c->len = LD(uint32_t, USED_ENTRY(r->used, c->slot) + 4);
        capture_chain(r, c);
    }
    r->true_idx = f->used_idx;
}

/* ---- Racing ---------------------------------------------------------------------------------- */

static bool slot_of_round(const struct race_dev *r, uint16_t slot)
{
    for (unsigned int k = 0; k < r->cur.ndone; k++)
        if (r->cur.done[k].slot == slot)
            return true;
    return false;
}

static bool desc_of_round(const struct race_dev *r, uint16_t i)
{
    for (unsigned int k = 0; k < r->nchain_desc; k++)
        if (r->chain_desc[k] == i)
            return true;
    return false;
}

/* An id a driver that reads it once must refuse: out of range, a chain's
 * body, or a descriptor that was not lent this round. Never another head
 * of the round, which a correct driver would (rightly) accept. */
static uint32_t bad_id(struct race_dev *r)
{
    switch (rnd(r) % 3) {
    case 0:
        if (r->nbody_desc > 0)
            return r->body_desc[rnd(r) % r->nbody_desc];
        break;
    case 1:
        for (unsigned int tries = 0; tries < 8; tries++) {
            uint16_t i = (uint16_t)(rnd(r) % r->qnum);
            if (!desc_of_round(r, i))
                return i;
        }
        break;
    default:
        break;
    }
    return r->qnum + (uint32_t)(rnd(r) % 4096);
}

static uint32_t bad_len(struct race_dev *r, const struct race_completion *c)
{
    switch (rnd(r) % 4) {
    case 0: return 0xfffffff0u;
    case 1: return c->writable + 1 + (uint32_t)(rnd(r) % 4096);
    case 2: return 0;
    default: return c->len > 1 ? c->len / 2 : 1;
    }
}

/* Show a bad 32-bit value, then put the truth back. */
static void flip32(struct race_dev *r, uint8_t *p, uint32_t bad, uint32_t good)
{
    ST(uint32_t, p, bad);
    spin(r->bad_spin);
    ST(uint32_t, p, good);
}

static void race_once(struct race_dev *r, unsigned int kinds)
{
    struct race_round *cur = &r->cur;
    const struct race_completion *c = &cur->done[rnd(r) % cur->ndone];
    uint8_t *e = USED_ENTRY(r->used, c->slot);
    unsigned int k = (unsigned int)(rnd(r) % 7);
    if (!(kinds & (1u << k)))
        return;
    switch (1u << k) {
    case RACE_USED_ID:
        flip32(r, e, bad_id(r), c->id);
        r->stats.used_id++;
        break;
    case RACE_USED_LEN:
        flip32(r, e + 4, bad_len(r, c), c->len);
        r->stats.used_len++;
        break;
    case RACE_USED_IDX: {
        /* Ahead: more than was posted. Behind: a correct driver takes it
         * as "not yet", or as a jump past what is in flight once it has
         * harvested more; either way a clean outcome. */
        uint8_t *idx = r->used + 2;
        uint64_t d = 1 + rnd(r) % (r->qnum + 4u);
        ST(uint16_t, idx, rnd(r) & 1 ? r->true_idx + d : r->true_idx - d);
        spin(r->bad_spin);
        __atomic_store_n((uint16_t *)(void *)idx, r->true_idx, __ATOMIC_RELEASE);
        r->stats.used_idx++;
        break;
    }
    case RACE_OTHER_SLOTS: {
        uint16_t s = (uint16_t)(rnd(r) % r->qnum);
        if (slot_of_round(r, s))
            return;
        ST(uint32_t, USED_ENTRY(r->used, s), bad_id(r));
        ST(uint32_t, USED_ENTRY(r->used, s) + 4, (uint32_t)rnd(r));
        r->stats.other_slots++;
        break;
    }
    case RACE_DESC: {
        uint8_t *d = r->desc + DESC_BYTES * (rnd(r) % r->qnum);
        ST(uint64_t, d, rnd(r));
        ST(uint32_t, d + 8, (uint32_t)rnd(r));
        ST(uint16_t, d + 12, (uint16_t)rnd(r));
        ST(uint16_t, d + 14, (uint16_t)rnd(r));
        r->stats.desc++;
        break;
    }
    case RACE_AVAIL: {
        uint8_t *a = r->avail + 2u * (rnd(r) % (r->qnum + 3u)); /* flags, idx, ring, used_event */
        ST(uint16_t, a, (uint16_t)rnd(r));
        r->stats.avail++;
        break;
    }
    case RACE_STATUS: {
        if (r->nstatus == 0)
            return;
        unsigned int s = (unsigned int)(rnd(r) % r->nstatus);
        ST(uint8_t, r->status[s], rnd(r) & 1 ? 1u : 0x7fu);
        spin(r->bad_spin);
        if (kinds & RACE_PLANT_PLAIN_STORE) {
            *r->status[s] = r->status_true[s]; /* planted: not atomic */
            r->stats.plain_stores++;
        } else {
            ST(uint8_t, r->status[s], r->status_true[s]);
        }
        r->stats.status++;
        break;
    }
    default:
        return;
    }
    cur->races++;
    spin(r->good_spin);
}

/* ---- The device thread ------------------------------------------------------------------------ */

static void end_round(struct race_dev *r)
{
    r->stats.rounds++;
    if (r->cur.races > 0)
        r->stats.rounds_raced++;
    r->last = r->cur;
    memset(&r->cur, 0, sizeof(r->cur));
    r->nchain_desc = r->nbody_desc = r->nstatus = 0;
    __atomic_store_n(&r->ack_gen, __atomic_load_n(&r->round_gen, __ATOMIC_RELAXED),
                     __ATOMIC_RELEASE);
}

/* One capacity flip, under the lock the register accesses take, so the
 * driver sees it between two of its reads, never inside one. */
static void race_config(struct race_dev *r)
{
    uint64_t cap = __atomic_load_n(&r->stats.config, __ATOMIC_RELAXED) & 1 ? RACE_CAP_A
                                                                           : RACE_CAP_B;
    pthread_mutex_lock(&r->mu);
    r->fake->cfg[0] = (uint32_t)cap;
    r->fake->cfg[1] = (uint32_t)(cap >> 32);
    r->fake->gen++;
    pthread_mutex_unlock(&r->mu);
    __atomic_fetch_add(&r->stats.config, 1, __ATOMIC_RELAXED); /* the test watches it */
    spin(r->bad_spin);
}

static void *device_main(void *arg)
{
    struct race_dev *r = arg;
    unsigned int idle = 0;
    while (!__atomic_load_n(&r->quit, __ATOMIC_ACQUIRE)) {
        if (!round_open(r)) {
            end_round(r);
            continue;
        }
        pthread_mutex_lock(&r->mu);
        serve(r);
        pthread_mutex_unlock(&r->mu);
        unsigned int kinds = __atomic_load_n(&r->kinds, __ATOMIC_RELAXED);
        if (kinds & RACE_CONFIG) {
            for (unsigned int n = 0; n < 64 && round_open(r); n++)
                race_config(r);
            continue;
        }
        if (r->cur.ndone == 0 || r->used == NULL || (kinds & RACE_ALL) == 0) {
            /* Nothing to race yet: stay responsive without burning a core. */
            if (++idle < 1000) {
                sched_yield();
            } else {
                struct timespec ts = {0, 20000};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        idle = 0;
        /* A burst, then look for a kick or the end of the round again. */
        for (unsigned int n = 0; n < 64 && round_open(r); n++)
            race_once(r, kinds);
    }
    return NULL;
}

int race_start(struct race_dev *r, struct fake_dev *fake, uintptr_t base,
               unsigned int kinds, uint64_t seed)
{
    memset(r, 0, sizeof(*r));
    r->fake = fake;
    r->base = base;
    r->kinds = kinds;
    r->rnd = seed | 1;
    r->bad_spin = 40;
    r->good_spin = 400;
    if (pthread_mutex_init(&r->mu, NULL) != 0)
        return CCDMA_ENOSPC;
    int err = host_mmio_register(base, FAKE_WINDOW, &race_ops, r);
    if (err) {
        pthread_mutex_destroy(&r->mu);
        return err;
    }
    if (pthread_create(&r->thread, NULL, device_main, r) != 0) {
        (void)host_mmio_unregister(base);
        pthread_mutex_destroy(&r->mu);
        return CCDMA_ENOSPC;
    }
    return 0;
}

void race_set_kinds(struct race_dev *r, unsigned int kinds)
{
    __atomic_store_n(&r->kinds, kinds, __ATOMIC_RELAXED);
}

void race_round_end(struct race_dev *r)
{
    unsigned int g = __atomic_add_fetch(&r->round_gen, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&r->ack_gen, __ATOMIC_ACQUIRE) != g)
        sched_yield();
}

void race_stop(struct race_dev *r)
{
    race_round_end(r);
    __atomic_store_n(&r->quit, 1, __ATOMIC_RELEASE);
    pthread_join(r->thread, NULL);
    (void)host_mmio_unregister(r->base);
    pthread_mutex_destroy(&r->mu);
}
