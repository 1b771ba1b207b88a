/* SPDX-License-Identifier: MIT */
/*
 * The racing-device test: the device is played by a second
 * thread (race_device.h) that serves requests and keeps rewriting used
 * entries, lengths, used.idx, descriptors and the blk status while the
 * driver processes completions.
 *
 *   test_virtio_race --mode cca|sev|plain [--rounds N] [--seed S]
 *                    [--plant-plain-store]
 *
 * Rounds alternate between virtio-blk requests (read, multi-segment read,
 * write, read into shared memory, flush) and batches of up to six
 * virtio-rng chains of one to three buffers posted at once and waited for
 * in random order. After each round, on the driver's side:
 *   - every completion the driver accepted is one the device really made,
 *     at most once (the test's hooks see the id and len values the driver
 *     read, and how many of them it accepted);
 *   - the length it keeps never exceeds the writable bytes the test posted,
 *     and is the device's length clamped to them;
 *   - the request ends with the true result and intact data, or with
 *     CCDMA_EIO (a raced status or short length) or a clean CCDMA_EBROKEN
 *     naming a protocol violation, after which the device is probed again;
 *   - the double-fetch detector (dfetch.h) stays silent.
 * At the end nothing is leaked, dma-debug saw no misuse and the device
 * counted no driver mistake. Built twice: with ASan+UBSan, and with
 * ThreadSanitizer (test_virtio_race_tsan), where --plant-plain-store makes
 * the device restore the status with a plain store, a real data race that
 * must be reported (proof that the TSan build is armed).
 */
#define _POSIX_C_SOURCE 200809L
#include <ccdma/blk.h>
#include <ccdma/virtio.h>

#include "dfetch.h"
#include "host_mmio.h"
#include "race_device.h"
#include "virtio_test_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SANITIZE_THREAD__)
#define RACE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACE_TSAN 1
#endif
#endif
#ifdef RACE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#define BLK_BASE ((uintptr_t)0x0a003e00u)
#define RNG_BASE ((uintptr_t)0x0a003c00u)
#define DISK_BYTES (1u << 20)
#define DISK_SECTORS (DISK_BYTES / 512u)
#define WRITE_FIRST (DISK_SECTORS / 2) /* sectors below are never written */
#define MAX_IO 8192u
#define BATCH_MAX 6
#define CHAIN_MAX 3
#define BUF_MAX 600u
#define BUDGET_NS 20000000000ull /* the device thread may be starved on 2 shared cores */

static bool g_cc;
static unsigned int g_failures;
static uint64_t g_rnd = 0x5eed2026;
static uint8_t g_disk[DISK_BYTES];
static struct fake_dev F_blk, F_rng;
static struct race_dev RB, RR;
static struct ccdma_blk B;
static struct ccdma_rng R;
static struct dfetch g_df;

static struct {
    uint64_t rounds, ok, eio, broken, reprobes, accepted, clamped;
    uint64_t why_n[8]; /* by allowed_why[] */
} S;

/* While the checks test themselves, failures are expected and counted. */
static bool g_selftest;
static unsigned int g_expected;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(g_selftest ? "# (expected) " : "not ok - ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (g_selftest)
        g_expected++;
    else if (++g_failures > 20)
        exit(1);
}

static uint64_t rnd(void)
{
    g_rnd ^= g_rnd << 13;
    g_rnd ^= g_rnd >> 7;
    g_rnd ^= g_rnd << 17;
    return g_rnd;
}

static uint8_t disk_byte(uint64_t off)
{
    return (uint8_t)(off * 7u + off / 512u + 0x5a);
}

/* ---- What the driver read and accepted (hooks, on the driver's thread) ------------ */

struct entry_read {
    uint32_t id, len;
    uint16_t slot;
};

static struct {
    const struct ccdma_virtq *vq; /* of the open decision */
    uint64_t completed_at_start;
    struct entry_read read[CCDMA_VIRTQ_MAX];
    unsigned int nread;
    struct { uint32_t id, len; } acc[CCDMA_VIRTQ_MAX];
    unsigned int nacc;
} T;

/* Close the open decision: the driver accepts entries in order and stops at
 * the first violation, so the accepted ones are the first `completed` it
 * read. */
static void track_close(void)
{
    if (T.vq != NULL) {
        uint64_t k = T.vq->stats.completed - T.completed_at_start;
        for (unsigned int i = 0; i < k && i < T.nread && T.nacc < CCDMA_VIRTQ_MAX; i++) {
            T.acc[T.nacc].id = T.read[i].id;
            T.acc[T.nacc++].len = T.read[i].len;
        }
        if (k > T.nread)
            failf("driver accepted %llu entries but read %u", (unsigned long long)k, T.nread);
    }
    T.vq = NULL;
    T.nread = 0;
}

static void on_decision(void *ctx, const struct ccdma_virtq *vq)
{
    (void)ctx;
    dfetch_decision(&g_df, vq);
    track_close();
    T.vq = vq;
    T.completed_at_start = vq->stats.completed;
}

static void on_read(void *ctx, const void *where, enum ccdma_virtq_field f, uint16_t slot,
                    uint32_t *value)
{
    (void)ctx;
    dfetch_read(&g_df, where, f, slot, value);
#ifdef RACE_TSAN
    /* The driver's read barrier after used.idx makes this load an acquire
     * of the device's release store; TSan does not model fences. */
    if (f == CCDMA_VQF_USED_IDX)
        __tsan_acquire((void *)(uintptr_t)where);
#endif
    if (f != CCDMA_VQF_USED_ID && f != CCDMA_VQF_USED_LEN)
        return;
    /* One entry per slot read; a field fetched again (which dfetch
     * reports) counts with its last value, the one the driver kept. */
    if (T.nread == 0 || T.read[T.nread - 1].slot != slot) {
        if (T.nread == CCDMA_VIRTQ_MAX)
            return;
        T.read[T.nread++] = (struct entry_read){.slot = slot};
    }
    if (f == CCDMA_VQF_USED_ID)
        T.read[T.nread - 1].id = *value;
    else
        T.read[T.nread - 1].len = *value;
}

/* Each completion the driver accepted (T.acc) is one the device made (rd),
 * once, and the length the driver keeps (its used_len) is the length it
 * read clamped to the writable bytes the test posted (posted(id)). */
static void check_accepted(const struct race_round *rd, const struct ccdma_virtq *vq,
                           uint32_t (*posted)(uint32_t id), const char *what)
{
    bool used[RACE_MAX_DONE] = {false};
    for (unsigned int a = 0; a < T.nacc; a++) {
        uint32_t id = T.acc[a].id;
        unsigned int k = 0;
        while (k < rd->ndone && (used[k] || rd->done[k].id != id))
            k++;
        if (k == rd->ndone) {
            failf("%s: driver accepted id %u that the device never completed (or twice)", what,
                  id);
            continue;
        }
        used[k] = true;
        uint32_t w = posted(id), want = T.acc[a].len < w ? T.acc[a].len : w;
        if (id >= vq->num || vq->used_len[id] != want)
            failf("%s: id %u kept length %u, read %u, posted %u writable", what, id,
                  id < vq->num ? vq->used_len[id] : 0, T.acc[a].len, w);
        S.accepted++;
        S.clamped += T.acc[a].len > w;
    }
    T.nacc = 0;
}

/* End the round on both sides, then check it. */
static void end_round(struct race_dev *r, const struct ccdma_virtq *vq,
                      uint32_t (*posted)(uint32_t id), const char *what)
{
    race_round_end(r);
    track_close();
    check_accepted(&r->last, vq, posted, what);
    S.rounds++;
}

/* The checks can fail: a forged id, a second acceptance of one completion
 * and a length kept past what was posted are each reported. */
static uint32_t posted_100(uint32_t id)
{
    (void)id;
    return 100;
}

static bool selftest_checks(void)
{
    static struct ccdma_virtq vq;
    struct race_round rd = {.ndone = 2};
    rd.done[0] = (struct race_completion){.id = 1, .slot = 0, .len = 50, .writable = 100};
    rd.done[1] = (struct race_completion){.id = 2, .slot = 1, .len = 100, .writable = 100};
    vq.num = 8;
    vq.used_len[1] = 50;  /* as read */
    vq.used_len[2] = 120; /* kept past the 100 posted */
    T.nacc = 0;
    T.acc[T.nacc].id = 1, T.acc[T.nacc++].len = 50;  /* fine */
    T.acc[T.nacc].id = 5, T.acc[T.nacc++].len = 10;  /* never completed */
    T.acc[T.nacc].id = 2, T.acc[T.nacc++].len = 120; /* length */
    T.acc[T.nacc].id = 1, T.acc[T.nacc++].len = 50;  /* twice */
    g_selftest = true;
    g_expected = 0;
    check_accepted(&rd, &vq, posted_100, "self-test");
    g_selftest = false;
    S.accepted = S.clamped = 0;
    return g_expected == 3;
}

static const char *const allowed_why[] = {
    "used id out of range", "used id is not a chain head", "used id not in flight",
    "duplicate completion", "used idx moved past the chains in flight",
};

static void count_broken(const char *why, const char *what)
{
    S.broken++;
    for (size_t i = 0; i < sizeof(allowed_why) / sizeof(allowed_why[0]); i++) {
        if (why != NULL && strcmp(why, allowed_why[i]) == 0) {
            S.why_n[i]++;
            return;
        }
    }
    failf("%s: broken for an unexpected reason: %s", what, why ? why : "(none)");
}

/* ---- virtio-blk rounds ------------------------------------------------------------------- */

static uint8_t *g_priv;      /* private pages, MAX_IO * 3 */
static uint8_t *g_shared;    /* shared (coherent) memory of the blk device, MAX_IO */
static ccdma_dma_t g_shared_dma;
static uint32_t g_blk_writable;

static uint32_t blk_posted(uint32_t id)
{
    (void)id;
    return g_blk_writable;
}

static void blk_probe(void)
{
    int rc = ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW);
    if (rc != 0) {
        failf("ccdma_blk_probe = %s", ccdma_strerror(rc));
        exit(1);
    }
    B.vdev.budget_ns = BUDGET_NS;
    /* The status byte is raced only where the driver reads it in place. */
    race_set_kinds(&RB, (RB.kinds & ~RACE_STATUS) | (B.hdr_shared ? RACE_STATUS : 0));
}

static void blk_reprobe(void)
{
    S.reprobes++;
    if (g_shared != NULL)
        (void)ccdma_free_coherent(&B.vdev.dma, MAX_IO, g_shared, g_shared_dma);
    g_shared = NULL;
    ccdma_blk_remove(&B);
    dfetch_forget_rings(&g_df);
    blk_probe();
    if (ccdma_alloc_coherent(&B.vdev.dma, MAX_IO, 0, 0, (void **)&g_shared, &g_shared_dma))
        failf("coherent alloc");
}

static bool same_as_disk(const uint8_t *buf, uint64_t sector, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != g_disk[sector * 512 + i])
            return false;
    return true;
}

static void blk_round(void)
{
    unsigned int op = (unsigned int)(rnd() % 5);
    size_t len = 512u * (1 + rnd() % (MAX_IO / 512));
    uint64_t sector = rnd() % (WRITE_FIRST - MAX_IO / 512);
    uint8_t *buf = g_priv;
    int rc;
    struct ccdma_blk_seg segs[3];
    static const char *const names[] = {"read", "readv", "write", "read shared", "flush"};

    memset(g_priv, 0xee, MAX_IO * 3);
    switch (op) {
    case 0:
        g_blk_writable = (uint32_t)len + 1;
        rc = ccdma_blk_read(&B, sector, buf, len, 0);
        break;
    case 1:
        for (unsigned int k = 0; k < 3; k++)
            segs[k] = (struct ccdma_blk_seg){g_priv + k * MAX_IO + 512 * k, 512u * (1 + k)};
        len = 512u * 6;
        g_blk_writable = (uint32_t)len + 1;
        rc = ccdma_blk_readv(&B, sector, segs, 3, 0);
        break;
    case 2:
        sector = WRITE_FIRST + rnd() % (DISK_SECTORS - WRITE_FIRST - MAX_IO / 512);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rnd();
        g_blk_writable = 1;
        rc = ccdma_blk_write(&B, sector, buf, len, 0);
        break;
    case 3:
        buf = g_shared;
        g_blk_writable = (uint32_t)len + 1;
        rc = ccdma_blk_read(&B, sector, buf, len, CCDMA_BLK_SHARED);
        break;
    default:
        g_blk_writable = 1;
        rc = ccdma_blk_flush(&B);
        break;
    }
    end_round(&RB, &B.vq, blk_posted, names[op]);

    if (rc == 0) {
        S.ok++;
        bool good = true;
        if (op == 1) {
            for (unsigned int k = 0, at = 0; k < 3; at += (unsigned int)segs[k].len, k++)
                good = good && same_as_disk(segs[k].buf, sector + at / 512, segs[k].len);
        } else if (op != 4) {
            /* A write is checked on the disk the device wrote. */
            good = same_as_disk(buf, sector, len);
        }
        if (!good)
            failf("%s of sector %llu: completed, but the data differ", names[op],
                  (unsigned long long)sector);
    } else if (rc == CCDMA_EIO) {
        S.eio++; /* a raced status byte or a short length: a clean error */
    } else if (rc == CCDMA_EBROKEN) {
        count_broken(B.vdev.broken_why, names[op]);
        blk_reprobe();
    } else {
        failf("%s: %s", names[op], ccdma_strerror(rc));
        if (B.vdev.state == CCDMA_VIRTIO_BROKEN)
            blk_reprobe();
    }
}

/* ---- config space: a capacity that flips while the driver reads it ----------------------------- */

/* Every read the driver returns is one of the two capacities the device
 * published, never the halves of both; a read the flips outlast is a
 * clean CCDMA_EPROTO. Then the true capacity is back. */
static void config_rounds(unsigned int rounds, unsigned int kinds)
{
    pthread_mutex_lock(&RB.mu); /* the device thread's lock: it flips cfg under it */
    uint32_t true_cfg[2] = {F_blk.cfg[0], F_blk.cfg[1]};
    pthread_mutex_unlock(&RB.mu);
    unsigned int good = 0, proto = 0;

    /* At least rounds * 4 reads, and on until the device has flipped as
     * many times: on two loaded cores it may start late. */
    race_set_kinds(&RB, RACE_CONFIG);
    for (unsigned int i = 0; g_failures == 0 && (i < rounds * 4 || (i < rounds * 400 &&
                             __atomic_load_n(&RB.stats.config, __ATOMIC_RELAXED) < rounds * 4));
         i++) {
        uint32_t w[2] = {0, 0};
        int rc = ccdma_virtio_config_read(&B.vdev, 0, w, 2);
        uint64_t cap = w[0] | (uint64_t)w[1] << 32;
        if (rc == CCDMA_EPROTO)
            proto++;
        else if (rc == 0 && (cap == RACE_CAP_A || cap == RACE_CAP_B || cap == (uint64_t)true_cfg[0]))
            good++;
        else
            failf("config read %u: %s, capacity %#llx: a torn read", i, ccdma_strerror(rc),
                  (unsigned long long)cap);
    }
    /* The old kinds first: the round's end then orders the last flip
     * before what follows, and no new one starts. */
    race_set_kinds(&RB, kinds);
    race_round_end(&RB);
    pthread_mutex_lock(&RB.mu);
    F_blk.cfg[0] = true_cfg[0];
    F_blk.cfg[1] = true_cfg[1];
    pthread_mutex_unlock(&RB.mu);
    printf("# config: %llu capacity flips; %u reads consistent, %u refused (EPROTO)\n",
           (unsigned long long)RB.stats.config, good, proto);
    if (RB.stats.config < rounds)
        failf("the device flipped the config space only %llu times",
              (unsigned long long)RB.stats.config);
}

/* ---- virtio-rng rounds: batches of chains --------------------------------------------------- */

static uint8_t *g_rng_priv;   /* private pages for rng buffers */
static uint8_t *g_rng_shared; /* coherent memory of the rng device */
static ccdma_dma_t g_rng_shared_dma;
static uint64_t g_rng_state;  /* the device's stream, predicted */
static uint32_t g_rng_wlen[CCDMA_VIRTQ_MAX];

static uint32_t rng_posted(uint32_t id)
{
    return id < CCDMA_VIRTQ_MAX ? g_rng_wlen[id] : 0;
}

static void rng_probe(void)
{
    int rc = ccdma_rng_probe(&R, RNG_BASE, FAKE_WINDOW);
    if (rc != 0) {
        failf("ccdma_rng_probe = %s", ccdma_strerror(rc));
        exit(1);
    }
    R.vdev.budget_ns = BUDGET_NS;
    if (ccdma_alloc_coherent(&R.vdev.dma, BATCH_MAX * CHAIN_MAX * BUF_MAX, 0, 0,
                             (void **)&g_rng_shared, &g_rng_shared_dma))
        failf("coherent alloc");
}

static void rng_release(void)
{
    if (g_rng_shared != NULL)
        (void)ccdma_free_coherent(&R.vdev.dma, BATCH_MAX * CHAIN_MAX * BUF_MAX, g_rng_shared,
                                  g_rng_shared_dma);
    g_rng_shared = NULL;
    ccdma_rng_remove(&R);
    dfetch_forget_rings(&g_df);
}

struct chain {
    struct ccdma_virtio_buf b[CHAIN_MAX];
    struct ccdma_virtq_buf vb[CHAIN_MAX];
    unsigned int n;
    uint16_t head;
    uint32_t wlen, len;
    int rc;
};

static void rng_round(void)
{
    struct chain c[BATCH_MAX];
    unsigned int nc = 1 + (unsigned int)(rnd() % BATCH_MAX), order[BATCH_MAX];
    int rc = 0;

    memset(c, 0, sizeof(c));
    memset(g_rng_wlen, 0, sizeof(g_rng_wlen));
    for (unsigned int j = 0; j < nc; j++) {
        struct chain *ch = &c[j];
        ch->n = 1 + (unsigned int)(rnd() % CHAIN_MAX);
        for (unsigned int k = 0; k < ch->n; k++) {
            bool shared = rnd() & 1;
            uint8_t *base = shared ? g_rng_shared : g_rng_priv;
            size_t len = 1 + rnd() % BUF_MAX;
            ch->b[k] = (struct ccdma_virtio_buf){.va = base + (j * CHAIN_MAX + k) * BUF_MAX,
                                                 .len = len, .device_writes = true,
                                                 .shared = shared};
            memset(ch->b[k].va, 0xee, len);
            rc = ccdma_map_single(&R.vdev.dma, ch->b[k].va, len, CCDMA_FROM_DEVICE,
                                  shared ? CCDMA_ATTR_CC_SHARED : 0, &ch->vb[k].addr);
            if (rc) {
                failf("map: %s", ccdma_strerror(rc));
                exit(1);
            }
            ch->vb[k].len = (uint32_t)len;
            ch->vb[k].device_writes = true;
            ch->wlen += (uint32_t)len;
        }
        rc = ccdma_virtq_add(&R.vq, ch->vb, ch->n, &ch->head);
        if (rc) {
            failf("add: %s", ccdma_strerror(rc));
            exit(1);
        }
        g_rng_wlen[ch->head] = ch->wlen;
        order[j] = j;
    }
    ccdma_virtq_kick(&R.vq);
    for (unsigned int j = nc; j > 1; j--) {
        unsigned int k = (unsigned int)(rnd() % j), t = order[j - 1];
        order[j - 1] = order[k];
        order[k] = t;
    }
    for (unsigned int j = 0; j < nc; j++) {
        struct chain *ch = &c[order[j]];
        ch->rc = ccdma_virtq_wait(&R.vq, ch->head, &ch->len);
        if (ch->rc == 0 && ch->len > ch->wlen)
            failf("rng chain: length %u > %u posted", ch->len, ch->wlen);
        if (ch->rc != 0 && ch->rc != CCDMA_EBROKEN)
            failf("rng wait: %s", ccdma_strerror(ch->rc));
    }
    end_round(&RR, &R.vq, rng_posted, "rng batch");

    /* Unmap like ccdma_virtio_request: no copy-back after a failure. The
     * device served every chain, in order: predict each one's bytes. */
    bool broken = false;
    for (unsigned int j = 0; j < nc; j++) {
        struct chain *ch = &c[j];
        unsigned int attrs = ch->rc == 0 ? 0u : CCDMA_ATTR_SKIP_CPU_SYNC;
        for (unsigned int k = 0; k < ch->n; k++) {
            attrs |= ch->b[k].shared ? CCDMA_ATTR_CC_SHARED : 0u;
            rc = ccdma_unmap_single(&R.vdev.dma, ch->vb[k].addr, ch->b[k].len,
                                    CCDMA_FROM_DEVICE, attrs);
            if (rc)
                failf("unmap: %s", ccdma_strerror(rc));
        }
        uint32_t seen = 0;
        for (unsigned int k = 0; k < ch->n; k++) {
            const uint8_t *p = ch->b[k].va;
            for (size_t i = 0; i < ch->b[k].len; i++, seen++) {
                uint8_t want = fake_rng_next(&g_rng_state);
                if (ch->rc == 0 && seen < ch->len && p[i] != want) {
                    failf("rng chain %u: byte %u is %#x, the device wrote %#x", j, seen, p[i],
                          want);
                    ch->rc = -1;
                }
            }
        }
        if (ch->rc == 0)
            S.ok++;
        broken |= ch->rc == CCDMA_EBROKEN;
    }
    if (broken) {
        count_broken(R.vdev.broken_why, "rng batch");
        S.reprobes++;
        rng_release();
        rng_probe();
    }
}

/* ---- Runner ------------------------------------------------------------------------------ */

static void print_stats(const char *name, const struct race_dev *r)
{
    const struct race_stats *s = &r->stats;
    printf("# %s device: %llu rounds, %llu raced; flips: used id %llu, used len %llu, used idx "
           "%llu, status %llu; garbage: other used slots %llu, descriptors %llu, avail %llu "
           "(plain stores %llu)\n",
           name, (unsigned long long)s->rounds, (unsigned long long)s->rounds_raced,
           (unsigned long long)s->used_id, (unsigned long long)s->used_len,
           (unsigned long long)s->used_idx, (unsigned long long)s->status,
           (unsigned long long)s->other_slots, (unsigned long long)s->desc,
           (unsigned long long)s->avail, (unsigned long long)s->plain_stores);
}

/* The race must really have run: the device kept racing after it
 * completed in a fair share of rounds (not asserted per round: on two
 * loaded cores the driver may finish first). */
static void audit_race(const char *name, const struct race_dev *r)
{
    if (r->stats.rounds_raced * 20 < r->stats.rounds)
        failf("%s device raced in only %llu of %llu rounds", name,
              (unsigned long long)r->stats.rounds_raced, (unsigned long long)r->stats.rounds);
}

static void audit_fake(const char *name, const struct fake_dev *d)
{
    if (d->cc_violations || d->bad_addrs || d->drv_errors)
        failf("%s device saw %u private addresses, %u unreachable ones, %u driver mistakes",
              name, d->cc_violations, d->bad_addrs, d->drv_errors);
}

int main(int argc, char **argv)
{
    const char *mode = "cca";
    unsigned int rounds = 400, kinds = RACE_ALL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            mode = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = (unsigned int)strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            g_rnd = strtoull(argv[++i], NULL, 0) | 1;
        else if (strcmp(argv[i], "--plant-plain-store") == 0)
            kinds |= RACE_PLANT_PLAIN_STORE;
        else
            mode = "?";
    }
    if (virtio_test_env_init(mode, &g_cc) != 0) {
        fprintf(stderr, "usage: %s [--mode cca|sev|plain] [--rounds N] [--seed S] "
                        "[--plant-plain-store]\n", argv[0]);
        return 2;
    }
    uint64_t seed = g_rnd;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    printf("# racing device, %s mode, %u rounds per device, seed %#llx%s%s\n", mode, rounds,
           (unsigned long long)seed, kinds & RACE_PLANT_PLAIN_STORE ? ", planted plain store" : "",
#ifdef RACE_TSAN
           ", ThreadSanitizer"
#else
           ""
#endif
    );
    if (!selftest_checks())
        failf("the invariant checks missed planted violations (%u of 3 reported)", g_expected);
    struct ccdma_config cfg = {.debug = true};
    int rc = ccdma_init(&cfg);
    if (rc != 0) {
        failf("ccdma_init = %s", ccdma_strerror(rc));
        return 1;
    }
    dfetch_init(&g_df);
    ccdma_virtq_set_read_hook(on_read, NULL);
    ccdma_virtq_set_decision_hook(on_decision, NULL);
    g_priv = ccdma_plat_pages_alloc(3 * MAX_IO / CCDMA_PAGE_SIZE, UINT64_MAX);
    g_rng_priv = ccdma_plat_pages_alloc((BATCH_MAX * CHAIN_MAX * BUF_MAX + CCDMA_PAGE_SIZE - 1) /
                                            CCDMA_PAGE_SIZE, UINT64_MAX);
    if (g_priv == NULL || g_rng_priv == NULL) {
        failf("private pages");
        return 1;
    }

    /* virtio-blk against its racing device. */
    for (uint64_t o = 0; o < DISK_BYTES; o++)
        g_disk[o] = disk_byte(o);
    fake_blk_init(&F_blk, g_disk, DISK_BYTES, g_cc);
    if (race_start(&RB, &F_blk, BLK_BASE, kinds, rnd()) != 0) {
        failf("race_start");
        return 1;
    }
    blk_probe();
    if (ccdma_alloc_coherent(&B.vdev.dma, MAX_IO, 0, 0, (void **)&g_shared, &g_shared_dma))
        failf("coherent alloc");
    for (unsigned int i = 0; i < rounds && g_failures == 0; i++)
        blk_round();
    race_round_end(&RB);
    config_rounds(rounds, kinds);
    (void)ccdma_free_coherent(&B.vdev.dma, MAX_IO, g_shared, g_shared_dma);
    ccdma_blk_remove(&B);
    dfetch_forget_rings(&g_df);
    race_stop(&RB);
    print_stats("blk", &RB);

    /* virtio-rng batches against theirs. */
    g_rng_state = 0x12345;
    fake_rng_init(&F_rng, g_rng_state, g_cc);
    if (race_start(&RR, &F_rng, RNG_BASE, kinds & ~RACE_STATUS, rnd()) != 0) {
        failf("race_start");
        return 1;
    }
    rng_probe();
    for (unsigned int i = 0; i < rounds && g_failures == 0; i++)
        rng_round();
    race_round_end(&RR);
    rng_release();
    race_stop(&RR);
    print_stats("rng", &RR);

    ccdma_virtq_set_read_hook(NULL, NULL);
    ccdma_virtq_set_decision_hook(NULL, NULL);
    ccdma_plat_pages_free(g_priv, 3 * MAX_IO / CCDMA_PAGE_SIZE);
    ccdma_plat_pages_free(g_rng_priv, (BATCH_MAX * CHAIN_MAX * BUF_MAX + CCDMA_PAGE_SIZE - 1) /
                                          CCDMA_PAGE_SIZE);

    audit_race("blk", &RB);
    audit_race("rng", &RR);
    audit_fake("blk", &F_blk);
    audit_fake("rng", &F_rng);
    if (g_df.reports != 0)
        failf("double-fetch detector: %llu reports, first: %s",
              (unsigned long long)g_df.reports, g_df.first);
    if (g_df.entries == 0 || g_df.decisions == 0)
        failf("double-fetch detector saw no used entries");
    char why[160];
    if (virtio_test_env_audit(why, sizeof(why)) != 0)
        failf("%s", why);
    if (S.ok == 0)
        failf("no request completed: the race swamped the driver");
    virtio_test_env_fini();

    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("# %llu rounds: %llu completions ok, %llu clean EIO, %llu EBROKEN (%llu re-probes); "
           "%llu accepted entries checked, %llu lengths clamped; dfetch: %llu decisions, "
           "%llu reads, %llu entries\n",
           (unsigned long long)S.rounds, (unsigned long long)S.ok, (unsigned long long)S.eio,
           (unsigned long long)S.broken, (unsigned long long)S.reprobes,
           (unsigned long long)S.accepted, (unsigned long long)S.clamped,
           (unsigned long long)g_df.decisions, (unsigned long long)g_df.reads,
           (unsigned long long)g_df.entries);
    for (size_t i = 0; i < sizeof(allowed_why) / sizeof(allowed_why[0]); i++)
        if (S.why_n[i])
            printf("#   broken: %s: %llu\n", allowed_why[i], (unsigned long long)S.why_n[i]);
    printf("# %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("%s - racing device, %s mode\n", g_failures ? "not ok" : "ok", mode);
    return g_failures != 0;
}
