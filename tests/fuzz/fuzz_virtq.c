/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the virtio driver's completion path (drivers/virtio) against
 * a hostile device, in a realm-like (CCA encoding) host platform.
 *
 * The input first describes the device (virtio-rng or virtio-blk, queue
 * size, features, version, config space and its generation counter), then
 * a sequence of driver operations: rng reads, blk reads/writes/flushes,
 * chains posted and waited for directly, polls. The device's answers come
 * from the input through the driver's own shared-memory accessor layer
 * (ccdma_virtq_set_read_hook): used.idx, each used id and len, the blk
 * status byte. A small device model here scans what the driver posts (as a
 * device does, from the shared rings) and scribbles a known pattern over
 * every posted buffer, readable ones included.
 *
 * Checked, from the device's side and an independent model of the ring:
 *  - the driver posts only free descriptors, acyclic chains, readable
 *    before writable, only shared-encoded, really shared memory, and blk
 *    requests inside the disk and the negotiated limits;
 *  - it reads used.idx once per poll and each used entry once, in order,
 *    and nothing after a violation or once fenced off;
 *  - it accepts exactly the valid entries (in-flight heads, batch within
 *    the chains in flight), clamps lengths, and breaks on the first bad one;
 *  - request results: lengths, data (the device's bytes, only within the
 *    mapped length), untouched private buffers on failure and for writes,
 *    blk status handling;
 *  - probe: negotiated features within offer and policy, queue size, blk
 *    limits;
 *  - a device that ignores its reset (armed after probe): the request that
 *    timed out stays mapped, remove keeps the rings and blk's header, all
 *    still live in dma-debug, and the harness then hands them back;
 *  - a config space whose generation never settles fails the probe;
 *  - afterwards: no DMA mapping, bounce slot, page or dma-debug error
 *    left, no stray MMIO access.
 */
#include <ccdma/blk.h>
#include <ccdma/virtio.h>

#include "fuzz_util.h"
#include "host_mmio.h"
#include "host_platform.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEV_BASE ((uintptr_t)0x0a000000u)
#define DEV_WINDOW 0x200u
#define QMAX CCDMA_VIRTQ_MAX
#define MAX_OPS 24
#define CANARY 0xc5
#define RNG_BUF (2 * CCDMA_PAGE_SIZE)
#define BLK_SEGS 4
#define BLK_SEG_BUF (2 * CCDMA_PAGE_SIZE)
#define HBUF 4096u

/* virtio-mmio v2 registers and ring flags, from the spec (4.2.2, 2.7). */
enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR = 0x00c,
    R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020,
    R_DRV_FEAT_SEL = 0x024, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
    R_STATUS = 0x070, R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_AVAIL_LO = 0x090,
    R_AVAIL_HI = 0x094, R_USED_LO = 0x0a0, R_USED_HI = 0x0a4, R_GEN = 0x0fc,
    R_CONFIG = 0x100,
};
#define S_FAILED 128u
#define S_FEATURES_OK 8u
#define S_DRIVER_OK 4u
#define D_NEXT 1u
#define D_WRITE 2u
#define BLK_T_IN 0u
#define BLK_T_OUT 1u
#define BLK_T_FLUSH 4u

static struct fz in;

/* ---- the device ---------------------------------------------------------------- */

static struct {
    /* what the input made it */
    uint32_t version, device_id, qmax;
    uint64_t offered;
    bool drop_features_ok, ready_stuck;
    uint32_t cfg[8];
    unsigned int gen_flaps;
    uint32_t gen;
    /* state the driver programmed */
    uint32_t status, dfsel, drvfsel, qnum, qready;
    uint64_t drv_features, desc, avail, used;
    bool saw_failed;
    /* what it saw */
    uint16_t seen_avail;
    unsigned int chains, notifies, idx_reads;
    int last_head;
    uint16_t posted[QMAX];      /* head of chain c at posted[c % QMAX] */
    /* A driver request in progress may be several chains (a split blk
     * call): each completed one is reclaimed by the driver before the next
     * is posted, and so by the model. */
    bool in_request;
    unsigned int reclaim_next;  /* first chain of the request not reclaimed */
    /* ignores resets once armed (after probe): the status keeps reading
     * what it was, the queue stays live */
    bool deaf, deaf_armed;
    unsigned int flaps_at_probe;
} D;

/* The ring as the device sees it: what was posted, what it reported used. */
enum { M_FREE = 0, M_HEAD, M_BODY, M_DONE };
static struct {
    uint8_t st[QMAX];
    uint32_t wlen[QMAX], used_len[QMAX];
    uint16_t next[QMAX], flags[QMAX];
    uint64_t addr[QMAX];        /* each descriptor's buffer as posted */
    uint32_t len[QMAX];
    bool req[QMAX];             /* part of a driver request (not a harness chain) */
    unsigned int chain_no[QMAX]; /* for the data pattern */
    uint16_t last, inflight;
    uint64_t completed, clamped;
    bool broken;
    /* the poll in progress */
    uint16_t left;
    bool have_id;
    uint32_t id;
    /* blk status reads */
    unsigned int u8_reads;
    uint8_t status;
} M;

/* The driver under test and the harness's buffers. */
static struct ccdma_rng rng;
static struct ccdma_blk blk;
static struct ccdma_virtio_dev *vdev;
static struct ccdma_virtq *vq;
static uint8_t *priv;           /* private buffers: rng, then blk segments */
static void *hbuf, *sbuf;       /* coherent: harness chains, shared rng buffer */
static ccdma_dma_t hbuf_dma, sbuf_dma;
static uint16_t heads[QMAX];    /* chains the harness posted itself */
static unsigned int nheads;
static uint64_t polls_base;

static uint16_t num(void) { return (uint16_t)D.qnum; }

static uint8_t pattern(unsigned int chain, unsigned int pos, size_t off)
{
    return (uint8_t)(chain * 29u + pos * 71u + off * 7u + 3u);
}

static uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Host pointer for device-visible [dma, dma+len): shared encoding, inside
 * RAM, every page really shared. NULL when a device could not reach it. */
static uint8_t *dev_mem(uint64_t dma, uint64_t len)
{
    if (len == 0 || dma > UINT64_MAX - (len - 1) || !ccdma_plat_dma_is_shared(dma) ||
        !ccdma_plat_dma_is_shared(dma + len - 1))
        return NULL;
    ccdma_phys_t pa = ccdma_plat_dma_to_phys(dma);
    uint8_t *va = ccdma_plat_phys_to_virt(pa);
    if (va == NULL || (uint8_t *)ccdma_plat_phys_to_virt(pa + len - 1) != va + (len - 1))
        return NULL;
    for (ccdma_phys_t p = pa & ~(ccdma_phys_t)(CCDMA_PAGE_SIZE - 1); p <= pa + len - 1;
         p += CCDMA_PAGE_SIZE)
        if (!host_platform_page_shared(p))
            return NULL;
    return va;
}

static uint64_t blk_capacity(void) { return D.cfg[0] | (uint64_t)D.cfg[1] << 32; }

static bool negotiated(unsigned int bit) { return (D.drv_features >> bit) & 1; }

/* A blk chain must be a request the driver was allowed to make. */
static void check_blk_chain(uint8_t *const mem[], const uint32_t len[],
                            const uint16_t flags[], unsigned int n)
{
    FUZZ_CHECK(n >= 2 && len[0] == 16 && !(flags[0] & D_WRITE) &&
               (flags[n - 1] & D_WRITE) && len[n - 1] == 1, "blk chain shape (%u)", n);
    uint32_t type = ld32(mem[0]);
    uint64_t sector = ld64(mem[0] + 8), bytes = 0;
    if (type == BLK_T_FLUSH) {
        FUZZ_CHECK(n == 2 && negotiated(CCDMA_VIRTIO_BLK_F_FLUSH), "flush request");
        return;
    }
    FUZZ_CHECK(type == BLK_T_IN || (type == BLK_T_OUT && !negotiated(CCDMA_VIRTIO_BLK_F_RO)),
               "blk type %u", type);
    FUZZ_CHECK(!negotiated(CCDMA_VIRTIO_BLK_F_SEG_MAX) || n - 2 <= D.cfg[3],
               "%u segments, seg_max %u", n - 2, D.cfg[3]);
    for (unsigned int k = 1; k + 1 < n; k++) {
        FUZZ_CHECK(len[k] % 512 == 0 &&
                   (!negotiated(CCDMA_VIRTIO_BLK_F_SIZE_MAX) || len[k] <= D.cfg[2]) &&
                   ((flags[k] & D_WRITE) != 0) == (type == BLK_T_IN),
                   "blk segment %u: %u bytes", k, len[k]);
        bytes += len[k];
    }
    uint64_t cap = blk_capacity();
    FUZZ_CHECK(sector <= cap && bytes / 512 <= cap - sector,
               "blk request at sector %llu + %llu bytes, capacity %llu",
               (unsigned long long)sector, (unsigned long long)bytes,
               (unsigned long long)cap);
}

FZ_NOCOV static void scribble(uint8_t *const mem[], const uint32_t len[], unsigned int n)
{
    for (unsigned int k = 0; k < n; k++)
        for (uint32_t o = 0; o < len[k]; o++)
            mem[k][o] = pattern(D.chains, k, o);
}

/* What a device does with the avail ring: take each new chain, check it,
 * and write into its buffers (all of them: a hostile device may). */
static void model_reclaim(uint16_t head);

static void scan_avail(void)
{
    while (D.in_request && D.reclaim_next < D.chains &&
           M.st[D.posted[D.reclaim_next % QMAX]] == M_DONE)
        model_reclaim(D.posted[D.reclaim_next++ % QMAX]);
    if (M.broken || !D.qready)
        return;
    uint8_t *av = dev_mem(D.avail, 6u + 2u * num());
    uint8_t *dt = dev_mem(D.desc, 16u * num());
    FUZZ_CHECK(av && dt, "rings not in shared memory");
    uint16_t idx = ld16(av + 2);
    FUZZ_CHECK((uint16_t)(idx - D.seen_avail) <= num(), "avail idx ran ahead");
    for (; D.seen_avail != idx; D.seen_avail++) {
        uint16_t head = ld16(av + 4 + 2u * (D.seen_avail & (num() - 1)));
        uint8_t *mem[QMAX];
        uint32_t len[QMAX];
        uint16_t flags[QMAX];
        unsigned int n = 0;
        uint32_t wlen = 0;
        bool harness = false; /* a chain the harness posted, not a request */
        FUZZ_CHECK(head < num(), "avail head %u", head);
        for (uint16_t i = head;;) {
            FUZZ_CHECK(n < num() && M.st[i] == M_FREE,
                       "chain from %u reuses descriptor %u (state %u) or loops", head, i,
                       M.st[i]);
            const uint8_t *d = dt + 16u * i;
            uint64_t addr = ld64(d);
            len[n] = ld32(d + 8);
            flags[n] = ld16(d + 12);
            FUZZ_CHECK((flags[n] & ~(D_NEXT | D_WRITE)) == 0 && len[n] > 0,
                       "descriptor %u flags 0x%x len %u", i, flags[n], len[n]);
            FUZZ_CHECK(n == 0 || (flags[n] & D_WRITE) || !(flags[n - 1] & D_WRITE),
                       "readable descriptor after a writable one");
            if (n == 0)
                harness = addr >= hbuf_dma && addr < hbuf_dma + HBUF;
            mem[n] = dev_mem(addr, len[n]);
            FUZZ_CHECK(mem[n] != NULL, "descriptor %u: 0x%llx+%u is not shared memory", i,
                       (unsigned long long)addr, len[n]);
            M.st[i] = n == 0 ? M_HEAD : M_BODY;
            M.flags[i] = flags[n];
            M.addr[i] = addr;
            M.len[i] = len[n];
            M.req[i] = D.in_request;
            M.next[i] = ld16(d + 14);
            if (flags[n] & D_WRITE)
                wlen += len[n];
            n++;
            if (!(flags[n - 1] & D_NEXT))
                break;
            i = M.next[i];
            FUZZ_CHECK(i < num(), "next %u", i);
        }
        if (D.device_id == CCDMA_VIRTIO_ID_BLOCK && !harness)
            check_blk_chain(mem, len, flags, n);
        scribble(mem, len, n);
        M.wlen[head] = wlen;
        D.posted[D.chains % QMAX] = head;
        M.chain_no[head] = D.chains++;
        M.inflight++;
        D.last_head = head;
    }
}

static uint32_t mmio_read32(void *ctx, uint64_t off)
{
    (void)ctx;
    switch (off) {
    case R_MAGIC: return 0x74726976u;
    case R_VERSION: return D.version;
    case R_DEVICE_ID: return D.device_id;
    case R_VENDOR: return 0x554d4551u;
    case R_DEV_FEAT:
        return D.dfsel == 0 ? (uint32_t)D.offered : D.dfsel == 1 ? (uint32_t)(D.offered >> 32) : 0;
    case R_QUEUE_NUM_MAX: return D.qmax;
    case R_QUEUE_READY: return D.ready_stuck ? 1u : D.qready;
    case R_STATUS: return D.drop_features_ok ? D.status & ~S_FEATURES_OK : D.status;
    case R_GEN:
        if (D.gen_flaps) {
            D.gen_flaps--;
            D.gen++;
        }
        return D.gen;
    default:
        if (off >= R_CONFIG && off < R_CONFIG + sizeof(D.cfg))
            return D.cfg[(off - R_CONFIG) / 4];
        return 0;
    }
}

static void mmio_write32(void *ctx, uint64_t off, uint32_t v)
{
    (void)ctx;
    switch (off) {
    case R_STATUS:
        if (v & S_FAILED)
            D.saw_failed = true;
        if (v == 0 && D.deaf && D.deaf_armed)
            break; /* ignored: the status stays, the queue stays live */
        D.status = v;
        if (v == 0) { /* reset: the device forgets the queue */
            D.qready = 0;
            D.seen_avail = 0;
        }
        break;
    case R_DEV_FEAT_SEL: D.dfsel = v; break;
    case R_DRV_FEAT_SEL: D.drvfsel = v; break;
    case R_DRV_FEAT:
        if (D.drvfsel < 2) {
            unsigned int sh = D.drvfsel * 32;
            D.drv_features = (D.drv_features & ~((uint64_t)UINT32_MAX << sh)) |
                             (uint64_t)v << sh;
        }
        break;
    case R_QUEUE_NUM: D.qnum = v; break;
    case R_QUEUE_READY: D.qready = v; break;
    case R_DESC_LO: D.desc = (D.desc & ~0xffffffffull) | v; break;
    case R_DESC_HI: D.desc = (D.desc & 0xffffffffull) | (uint64_t)v << 32; break;
    case R_AVAIL_LO: D.avail = (D.avail & ~0xffffffffull) | v; break;
    case R_AVAIL_HI: D.avail = (D.avail & 0xffffffffull) | (uint64_t)v << 32; break;
    case R_USED_LO: D.used = (D.used & ~0xffffffffull) | v; break;
    case R_USED_HI: D.used = (D.used & 0xffffffffull) | (uint64_t)v << 32; break;
    case R_QUEUE_NOTIFY:
        FUZZ_CHECK(!M.broken, "notify after the device was fenced off");
        D.notifies++;
        scan_avail();
        break;
    default:
        break;
    }
}

static const struct host_mmio_ops dev_ops = {.read32 = mmio_read32, .write32 = mmio_write32};

/* ---- the device's answers, through the accessor layer --------------------------- */

static uint32_t pick_id(void)
{
    uint8_t b = fz_u8(&in);
    unsigned int heads[QMAX], bodies[QMAX], nh = 0, nb = 0;
    for (unsigned int i = 0; i < num(); i++) {
        if (M.st[i] == M_HEAD)
            heads[nh++] = i;
        else if (M.st[i] == M_BODY)
            bodies[nb++] = i;
    }
    if (b < 0x90 && nh) /* honest */
        return heads[fz_u8(&in) % nh];
    if (b < 0xa0 && nb) /* mid-chain */
        return bodies[fz_u8(&in) % nb];
    if (b < 0xb0) /* anything below num: free, done, ... */
        return fz_u8(&in) % num();
    if (b < 0xc0)
        return num() + (b & 3u);
    return fz_u32(&in);
}

static uint32_t pick_len(uint32_t id)
{
    uint32_t w = id < num() ? M.wlen[id] : 0;
    uint8_t b = fz_u8(&in);
    if (b < 0x80)
        return w;
    if (b < 0xa0)
        return w - (b & 7u); /* short, or wrapping below zero */
    if (b < 0xc0)
        return w + (b & 7u);
    if (b < 0xd0)
        return 0;
    if (b < 0xe0)
        return UINT32_MAX;
    return fz_u32(&in);
}

static void read_hook(void *ctx, const void *where, enum ccdma_virtq_field f,
                      uint16_t slot, uint32_t *value)
{
    (void)ctx;
    FUZZ_CHECK(!M.broken, "shared memory read (field %d) after a violation", (int)f);
    uint8_t *used = dev_mem(D.used, 6u + 8u * num());
    uint16_t want_slot = (uint16_t)(M.last & (num() - 1));

    switch (f) {
    case CCDMA_VQF_USED_IDX: {
        FUZZ_CHECK(where == used + 2 && !M.have_id && M.left == 0, "used.idx read");
        D.idx_reads++;
        scan_avail(); /* the device may have taken new chains meanwhile */
        uint16_t idx = M.last;
        if (!fz_empty(&in)) { /* a dry input is a device that stopped */
            uint8_t b = fz_u8(&in);
            idx = b < 0xc0 ? (uint16_t)(M.last + b % 4u)
                : b < 0xe0 ? (uint16_t)(M.last + M.inflight + 1u + (b & 3u))
                           : (uint16_t)fz_u32(&in);
        }
        *value = idx;
        M.left = (uint16_t)(idx - M.last);
        if (M.left > M.inflight) {
            M.broken = true; /* more completions than chains lent */
            M.left = 0;
        }
        break;
    }
    case CCDMA_VQF_USED_ID:
        FUZZ_CHECK(M.left > 0 && !M.have_id && slot == want_slot &&
                   where == used + 4 + 8u * slot,
                   "used id read at slot %u (expected %u, %u left)", slot, want_slot, M.left);
        M.id = *value = pick_id();
        M.have_id = true;
        break;
    case CCDMA_VQF_USED_LEN: {
        FUZZ_CHECK(M.have_id && slot == want_slot && where == used + 8 + 8u * slot,
                   "used len read at slot %u", slot);
        uint32_t len = *value = pick_len(M.id);
        M.have_id = false;
        M.left--;
        if (M.id >= num() || M.st[M.id] != M_HEAD) {
            M.broken = true; /* out of range, mid-chain, duplicate or never lent */
            M.left = 0;
            break;
        }
        M.st[M.id] = M_DONE;
        M.used_len[M.id] = len < M.wlen[M.id] ? len : M.wlen[M.id];
        M.clamped += len > M.wlen[M.id];
        M.completed++;
        M.last++;
        M.inflight--;
        break;
    }
    case CCDMA_VQF_DEV_U8: {
        uint8_t b = fz_u8(&in);
        M.status = *value = b < 0xc0 ? 0 : b < 0xf0 ? (b & 3u) : fz_u8(&in);
        M.u8_reads++;
        break;
    }
    }
}

/* The driver reclaimed a completed chain. */
static void model_reclaim(uint16_t head)
{
    for (uint16_t i = head, n = 0; n < num(); n++) {
        M.st[i] = M_FREE;
        if (!(M.flags[i] & D_NEXT))
            break;
        i = M.next[i];
    }
}

/* ---- driver operations and their checks ------------------------------------------ */

static struct {
    bool set;
    uint64_t debug_errors, debug_live, pages;
} base;

static void check_sync(const char *what)
{
    scan_avail();
    unsigned int nfree = 0;
    for (unsigned int i = 0; i < num(); i++)
        nfree += M.st[i] == M_FREE;
    FUZZ_CHECK((vdev->state == CCDMA_VIRTIO_BROKEN) == M.broken,
               "%s: driver %s, model %s", what,
               vdev->state == CCDMA_VIRTIO_BROKEN ? "broken" : "not broken",
               M.broken ? "broken" : "not broken");
    FUZZ_CHECK(D.idx_reads == vq->stats.polls - polls_base,
               "%s: %u used.idx reads in %llu polls", what, D.idx_reads,
               (unsigned long long)(vq->stats.polls - polls_base));
    FUZZ_CHECK(vq->stats.completed == M.completed && vq->stats.len_clamped == M.clamped,
               "%s: completed %llu/%llu clamped %llu/%llu", what,
               (unsigned long long)vq->stats.completed, (unsigned long long)M.completed,
               (unsigned long long)vq->stats.len_clamped, (unsigned long long)M.clamped);
    if (M.broken) {
        FUZZ_CHECK(D.saw_failed && (D.status == 0 || vdev->reset_failed),
                   "%s: broken without FAILED and reset", what);
        FUZZ_CHECK(vdev->reset_failed == (D.deaf && D.status != 0),
                   "%s: reset_failed %d, device %s", what, vdev->reset_failed,
                   D.deaf ? "deaf" : "honest");
        return;
    }
    FUZZ_CHECK(M.left == 0 && !M.have_id, "%s: poll stopped early", what);
    FUZZ_CHECK(vq->last_used == M.last && vq->inflight == M.inflight && vq->num_free == nfree,
               "%s: last_used %u/%u inflight %u/%u free %u/%u", what, vq->last_used, M.last,
               vq->inflight, M.inflight, vq->num_free, nfree);
    for (unsigned int i = 0; i < num(); i++)
        FUZZ_CHECK(M.st[i] != M_DONE || vq->used_len[i] == M.used_len[i],
                   "%s: used_len[%u] %u, model %u", what, i, vq->used_len[i], M.used_len[i]);
}

/* After a synchronous request: what its chain's fate says the result is.
 * Returns true when the transport part succeeded. */
static bool request_outcome(int rc, unsigned int chains_before, bool was_broken,
                            const char *what, bool may_split)
{
    D.in_request = false;
    if (was_broken) { /* argument checks may come first */
        FUZZ_CHECK((rc == CCDMA_EBROKEN || rc == CCDMA_EINVAL || rc == CCDMA_ENOTSUP ||
                    rc == CCDMA_EROFS) &&
                   D.chains == chains_before, "%s on a broken device: %d", what, rc);
        return false;
    }
    if (D.chains == chains_before) { /* refused before reaching the device */
        FUZZ_CHECK(rc == CCDMA_EINVAL || rc == CCDMA_ENOSPC || rc == CCDMA_ENOTSUP ||
                       rc == CCDMA_EROFS,
                   "%s posted nothing but returned %d", what, rc);
        return false;
    }
    FUZZ_CHECK((D.chains == chains_before + 1 || may_split) && D.last_head >= 0 &&
                   D.reclaim_next + 1 >= D.chains,
               "%s: %u chains, %u reclaimed", what, D.chains - chains_before,
               D.reclaim_next - chains_before);
    D.reclaim_next = D.chains;
    uint16_t h = (uint16_t)D.last_head;
    if (M.broken) {
        FUZZ_CHECK(rc == CCDMA_EBROKEN, "%s: %d after a violation", what, rc);
        return false;
    }
    if (M.st[h] != M_DONE) { /* budget 0: one poll, then the wait gives up */
        FUZZ_CHECK(rc == CCDMA_ETIMEDOUT, "%s: %d, chain not completed", what, rc);
        M.broken = true;
        return false;
    }
    FUZZ_CHECK(rc >= 0 || rc == CCDMA_EIO || rc == CCDMA_ENOTSUP,
               "%s: %d for a completed chain", what, rc);
    model_reclaim(h);
    return true;
}

static size_t pick_rng_len(void)
{
    static const size_t lens[] = {1, 2, 16, 511, 512, 4095, 4096, 4097, RNG_BUF};
    uint8_t b = fz_u8(&in);
    return b < 0xc0 ? lens[b % (sizeof(lens) / sizeof(lens[0]))] : 1 + fz_u8(&in) * 31u;
}

static void op_rng_read(void)
{
    bool shared = fz_u8(&in) & 1;
    size_t len = pick_rng_len(), maplen = len < CCDMA_RNG_REQ_MAX ? len : CCDMA_RNG_REQ_MAX;
    uint8_t *buf = shared ? sbuf : priv;
    unsigned int chains = D.chains;
    bool was_broken = M.broken;
    D.in_request = true;
    D.reclaim_next = D.chains;

    if (!shared)
        memset(priv, CANARY, RNG_BUF);
    int rc = ccdma_rng_read(&rng, buf, len, shared);
    FZ_TRACE("rng read %zu%s: %d\n", len, shared ? " shared" : "", rc);
    bool done = request_outcome(rc, chains, was_broken, "rng read", false);
    check_sync("rng read");
    if (done) {
        uint16_t h = (uint16_t)D.last_head;
        FUZZ_CHECK(rc == (int)M.used_len[h] && (size_t)rc <= maplen,
                   "rng read returned %d, device said %u (mapped %zu)", rc, M.used_len[h],
                   maplen);
        /* Up to the used length: the device's bytes. Past it, a bounced
         * buffer is untouched; a shared one holds what the device wrote. */
        for (size_t o = 0; o < (shared ? maplen : (size_t)rc); o++)
            FUZZ_CHECK(buf[o] == pattern(M.chain_no[h], 0, o), "rng byte %zu not the device's",
                       o);
    }
    if (!shared)
        for (size_t o = done ? (size_t)rc : 0; o < RNG_BUF; o++)
            FUZZ_CHECK(priv[o] == CANARY, "rng read wrote private byte %zu (rc %d)", o, rc);
}

static void op_blk(void)
{
    static const size_t seglens[] = {512, 1024, 4096, 8192, 512, 1024, 100, 513, 0};
    uint8_t b = fz_u8(&in);
    uint32_t type = b % 3 == 0 ? BLK_T_IN : b % 3 == 1 ? BLK_T_OUT : BLK_T_FLUSH;
    unsigned int nsegs = 1 + fz_u8(&in) % BLK_SEGS;
    struct ccdma_blk_seg segs[BLK_SEGS];
    uint64_t cap = blk.capacity, sector;
    uint8_t s = fz_u8(&in);

    switch (s % 6) {
    case 0: sector = 0; break;
    case 1: sector = cap - (s >> 3); break; /* near the end, maybe past it */
    case 2: sector = cap; break;
    case 3: sector = cap + 1; break;
    case 4: sector = s >> 3; break;
    default: sector = fz_u64(&in); break;
    }
    size_t bytes = 0;
    for (unsigned int k = 0; k < nsegs; k++) {
        uint8_t l = fz_u8(&in);
        segs[k].buf = priv + RNG_BUF + k * BLK_SEG_BUF;
        segs[k].len = seglens[l % (sizeof(seglens) / sizeof(seglens[0]))];
        bytes += segs[k].len;
    }
    memset(priv + RNG_BUF, CANARY, BLK_SEGS * BLK_SEG_BUF);
    unsigned int chains = D.chains, u8_reads = M.u8_reads;
    bool was_broken = M.broken;
    int rc;
    D.in_request = true;
    D.reclaim_next = D.chains;
    if (type == BLK_T_IN)
        rc = ccdma_blk_readv(&blk, sector, segs, nsegs, 0);
    else if (type == BLK_T_OUT)
        rc = ccdma_blk_writev(&blk, sector, segs, nsegs, 0);
    else
        rc = ccdma_blk_flush(&blk);
    FZ_TRACE("blk type %u sector %llu, %u segments, %zu bytes: %d\n", type,
             (unsigned long long)sector, nsegs, bytes, rc);

    if (type == BLK_T_FLUSH && !(vdev->features & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_FLUSH))) {
        /* No flush command: nothing to post. */
        D.in_request = false;
        FUZZ_CHECK(D.chains == chains && rc == (was_broken ? CCDMA_EBROKEN : 0),
                   "flush without FLUSH: %d", rc);
        check_sync("blk flush");
        return;
    }
    bool done = request_outcome(rc, chains, was_broken, "blk request", true);
    unsigned int posted = D.chains - chains;
    /* More segments than a request takes, or a segment cut in pieces. */
    bool split = posted > 1 || nsegs > blk.seg_max;
    for (unsigned int k = 0; k < nsegs; k++)
        split = split || segs[k].len > blk.size_max;
    check_sync("blk request");
    /* One status read per completed chain: all but a last one that timed out. */
    FUZZ_CHECK(posted == 0 || M.u8_reads == u8_reads + posted - (done ? 0u : 1u),
               "status read %u times for %u chains", M.u8_reads - u8_reads, posted);
    if (done) {
        /* The last chain decides; each earlier one completed with status OK. */
        uint16_t h = (uint16_t)D.last_head;
        uint32_t chain_bytes = type == BLK_T_IN ? M.wlen[h] - 1 : 0;
        FUZZ_CHECK(split || type != BLK_T_IN || chain_bytes == bytes,
                   "one chain carried %u of %zu bytes", chain_bytes, bytes);
        int want = M.status == 2 ? CCDMA_ENOTSUP
                 : M.status != 0 ? CCDMA_EIO
                 : type == BLK_T_IN && M.used_len[h] < chain_bytes ? CCDMA_EIO : 0;
        /* The status decides; a read's used length need only cover its data
         * (kvmtool leaves the status byte out of it). */
        FUZZ_CHECK(rc == want, "blk request: %d, expected %d (status %u, used %u of %zu)", rc,
                   want, M.status, M.used_len[h], bytes);
        /* The device's bytes up to its used length, then the caller's
         * (the private segments bounce: only what it claims is copied). */
        size_t at = 0;
        for (unsigned int k = 0; type == BLK_T_IN && !split && k < nsegs; at += segs[k++].len)
            for (size_t o = 0; o < segs[k].len; o++)
                FUZZ_CHECK(((uint8_t *)segs[k].buf)[o] ==
                               (at + o < M.used_len[h] ? pattern(M.chain_no[h], 1 + k, o) : CANARY),
                           "read segment %u byte %zu (used %u): not the %s", k, o,
                           M.used_len[h], at + o < M.used_len[h] ? "device's" : "caller's");
    }
    /* Private memory the device could not legitimately fill: everything on a
     * write or a failed transfer, and past each segment. */
    for (unsigned int k = 0; k < BLK_SEGS; k++) {
        size_t from = (done || split) && type == BLK_T_IN && k < nsegs ? segs[k].len : 0;
        for (size_t o = from; o < BLK_SEG_BUF; o++)
            FUZZ_CHECK(priv[RNG_BUF + k * BLK_SEG_BUF + o] == CANARY,
                       "blk (type %u, rc %d) changed private byte %zu of segment %u", type, rc,
                       o, k);
    }
}

/* Post a chain over harness-owned shared memory, maybe kick. */
static void op_add(void)
{
    struct ccdma_virtq_buf bufs[4];
    unsigned int n = 1 + fz_u8(&in) % 4, w = fz_u8(&in) % (n + 1);
    for (unsigned int k = 0; k < n; k++) {
        uint32_t off = (fz_u8(&in) * 16u) % HBUF;
        uint32_t len = 1 + fz_u8(&in);
        bufs[k] = (struct ccdma_virtq_buf){
            .addr = hbuf_dma + off, .len = len < HBUF - off ? len : HBUF - off,
            .device_writes = k >= n - w};
    }
    unsigned int nfree = 0;
    for (unsigned int i = 0; i < num(); i++)
        nfree += M.st[i] == M_FREE;
    bool kick = fz_u8(&in) & 1, was_broken = M.broken;
    uint16_t head = 0xffff;
    int rc = ccdma_virtq_add(vq, bufs, n, &head);
    FZ_TRACE("add %u (%u writable)%s: %d head %u\n", n, w, kick ? " kick" : "", rc, head);
    int want = was_broken ? CCDMA_EBROKEN : n > nfree ? CCDMA_ENOSPC : 0;
    FUZZ_CHECK(rc == want, "add of %u (free %u): %d, expected %d", n, nfree, rc, want);
    if (rc == 0) {
        FUZZ_CHECK(head < num() && M.st[head] == M_FREE, "add returned head %u", head);
        heads[nheads++ % QMAX] = head;
        if (kick)
            ccdma_virtq_kick(vq);
    }
    check_sync("add");
}

static void op_poll(void)
{
    bool was_broken = M.broken;
    uint64_t completed = M.completed;
    int rc = ccdma_virtq_poll(vq);
    FZ_TRACE("poll: %d\n", rc);
    if (was_broken || M.broken)
        FUZZ_CHECK(rc == CCDMA_EBROKEN, "poll: %d on a broken device", rc);
    else
        FUZZ_CHECK(rc == (int)(M.completed - completed), "poll: %d, model %llu", rc,
                   (unsigned long long)(M.completed - completed));
    check_sync("poll");
}

static void op_wait(void)
{
    uint8_t b = fz_u8(&in);
    uint16_t head = b < 0xc0 && nheads ? heads[b % (nheads < QMAX ? nheads : QMAX)]
                                       : (uint16_t)(b % (QMAX + 8));
    bool was_broken = M.broken;
    bool valid = head < num() && (M.st[head] == M_HEAD || M.st[head] == M_DONE);
    uint32_t len = 0xdeadbeef;
    int rc = ccdma_virtq_wait(vq, head, &len);
    FZ_TRACE("wait %u: %d len %u\n", head, rc, len);

    if (was_broken)
        FUZZ_CHECK(rc == CCDMA_EBROKEN, "wait on a broken device: %d", rc);
    else if (!valid)
        FUZZ_CHECK(rc == CCDMA_EINVAL && len == 0xdeadbeef, "wait on %u: %d", head, rc);
    else if (M.broken)
        FUZZ_CHECK(rc == CCDMA_EBROKEN, "wait: %d after a violation", rc);
    else if (M.st[head] != M_DONE) {
        FUZZ_CHECK(rc == CCDMA_ETIMEDOUT, "wait: %d for a chain not completed", rc);
        M.broken = true;
    } else {
        FUZZ_CHECK(rc == 0 && len == M.used_len[head], "wait: %d len %u, model %u", rc, len,
                   M.used_len[head]);
        model_reclaim(head);
    }
    check_sync("wait");
}

/* ---- probe ------------------------------------------------------------------------ */

static uint64_t pick64(const uint64_t *v, size_t n)
{
    uint8_t b = fz_u8(&in);
    return b < 0xe0 ? v[b % n] : fz_u64(&in);
}
#define PICK64(arr) pick64((arr), sizeof(arr) / sizeof((arr)[0]))

static void make_device(void)
{
    static const uint64_t qmax[] = {64, 64, 128, 256, 1024, 65, 63, 8, 4, 3, 2, 1, 0,
                                    65535, 65536, 0xffffffff};
    static const uint64_t caps[] = {2048, 1, 8, 0, 1ull << 32, UINT64_MAX / 512,
                                    UINT64_MAX / 512 + 1};
    static const uint64_t size_max[] = {4096, 512, 511, 0, 1u << 20, 1024};
    static const uint64_t seg_max[] = {62, 1, 2, 3, 0, 63, 64, 1000};
    const uint64_t transport = CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1) |
                               CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM);

    memset(&D, 0, sizeof(D));
    memset(&M, 0, sizeof(M));
    D.last_head = -1;
    uint8_t b = fz_u8(&in);
    D.device_id = b & 1 ? CCDMA_VIRTIO_ID_BLOCK : CCDMA_VIRTIO_ID_RNG;
    D.version = b < 0xf0 ? 2 : (b >> 1) & 3;
    D.qmax = (uint32_t)PICK64(qmax);
    b = fz_u8(&in);
    uint8_t extra = fz_u8(&in); /* device bits: SIZE_MAX, SEG_MAX, RO, BLK_SIZE, FLUSH... */
    D.offered = transport | (uint64_t)(extra & 0x67) | (uint64_t)(extra & 0x80) << 2 |
                (b & 0x10 ? CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_INDIRECT_DESC) |
                            CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_EVENT_IDX) |
                            CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_RING_PACKED) : 0);
    if (b >= 0xe0) /* a required transport feature missing, or anything */
        D.offered = b >= 0xf8 ? fz_u64(&in)
                  : D.offered & ~CCDMA_VIRTIO_BIT(b & 1 ? CCDMA_VIRTIO_F_VERSION_1
                                                        : CCDMA_VIRTIO_F_ACCESS_PLATFORM);
    b = fz_u8(&in);
    D.drop_features_ok = b == 0xff;
    D.ready_stuck = b == 0xfe;
    /* Up to 30 changing reads: a config read makes two per try, so 16 and
     * more outlast every retry (the read must then fail). */
    D.gen_flaps = b >= 0xe0 ? (b & 0xf) * 2u : 0;
    D.deaf = (extra & 0x08) != 0;
    uint64_t cap = PICK64(caps);
    D.cfg[0] = (uint32_t)cap;
    D.cfg[1] = (uint32_t)(cap >> 32);
    D.cfg[2] = (uint32_t)PICK64(size_max);
    D.cfg[3] = (uint32_t)PICK64(seg_max);
}

static void check_probe(int rc)
{
    const uint64_t transport = CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1) |
                               CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM);
    if (D.version == 1)
        FUZZ_CHECK(rc == CCDMA_ENOTSUP, "legacy device: %d", rc);
    if (rc != 0)
        return;
    FUZZ_CHECK(D.device_id != CCDMA_VIRTIO_ID_BLOCK || D.flaps_at_probe < 16,
               "blk config accepted through %u generation changes", D.flaps_at_probe);
    FUZZ_CHECK(D.version == 2 && (D.offered & transport) == transport,
               "probe accepted version %u features 0x%llx", D.version,
               (unsigned long long)D.offered);
    uint64_t allowed = transport;
    if (D.device_id == CCDMA_VIRTIO_ID_BLOCK)
        allowed |= CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SIZE_MAX) |
                   CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SEG_MAX) |
                   CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_RO) |
                   CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_FLUSH);
    FUZZ_CHECK(D.drv_features == vdev->features && (D.drv_features & ~(D.offered & allowed)) == 0 &&
               (D.drv_features & transport) == transport,
               "negotiated 0x%llx of 0x%llx", (unsigned long long)D.drv_features,
               (unsigned long long)D.offered);
    FUZZ_CHECK((D.status & S_DRIVER_OK) && !D.ready_stuck && !D.drop_features_ok,
               "ready with status 0x%x", D.status);
    uint32_t q = D.qnum;
    FUZZ_CHECK(q == vq->num && q >= 1 && q <= QMAX && (q & (q - 1)) == 0 && q <= D.qmax &&
               (q == QMAX || q * 2 > D.qmax) && D.qready == 1,
               "queue size %u for max %u", q, D.qmax);
    if (D.device_id == CCDMA_VIRTIO_ID_BLOCK) {
        bool seg = negotiated(CCDMA_VIRTIO_BLK_F_SEG_MAX), szm = negotiated(CCDMA_VIRTIO_BLK_F_SIZE_MAX);
        FUZZ_CHECK(q >= 4 && blk.capacity == blk_capacity() &&
                   blk.capacity <= UINT64_MAX / 512 && blk.seg_max >= 1 &&
                   blk.seg_max <= q - 2u && (!seg || blk.seg_max <= D.cfg[3]) &&
                   blk.size_max >= 512 && (!szm || blk.size_max == D.cfg[2]) &&
                   blk.read_only == negotiated(CCDMA_VIRTIO_BLK_F_RO),
                   "blk limits: capacity %llu seg_max %u size_max %u",
                   (unsigned long long)blk.capacity, blk.seg_max, blk.size_max);
    }
}

/* ---- a device that ignores its reset ----------------------------------------------- */

/* What remove must keep when the reset does not complete, as it was before:
 * the rings, blk's header block, and the buffers of a request left in flight
 * (from the model: the device's view of the descriptors). */
struct kept_buf {
    uint64_t addr;
    uint32_t len;
    bool writes;
};
struct kept {
    void *desc, *avail, *used, *hdr;
    ccdma_dma_t desc_dma, avail_dma, used_dma, hdr_dma;
    uint16_t num;
    uint64_t leaked_maps, leaked_allocs;
    unsigned int nbufs;
    struct kept_buf bufs[QMAX];
};

static struct kept kept_before_remove(bool is_blk)
{
    struct kept k = {vq->desc, vq->avail, vq->used, is_blk ? blk.hdr : NULL,
                     vq->desc_dma, vq->avail_dma, vq->used_dma, is_blk ? blk.hdr_dma : 0,
                     vq->num, vq->stats.leaked_maps, vq->stats.leaked_allocs, 0, {{0}}};
    /* A request the driver gave up on while the device was deaf: its chain
     * is still the device's. Harness chains are over hbuf, not mappings. */
    for (unsigned int i = 0; i < num(); i++) {
        bool harness = M.addr[i] >= hbuf_dma && M.addr[i] < hbuf_dma + HBUF;
        if ((M.st[i] == M_HEAD || M.st[i] == M_BODY || M.st[i] == M_DONE) && !harness &&
            M.req[i])
            k.bufs[k.nbufs++] = (struct kept_buf){M.addr[i], M.len[i],
                                                  (M.flags[i] & D_WRITE) != 0};
    }
    return k;
}

/* The device never confirmed a reset: remove must have kept all of it, and
 * dma-debug must still count it live. Then the harness plays the device
 * finally going away and gives it back, so the next input starts clean. */
static void reclaim_kept(const struct kept *k, bool is_blk)
{
    struct ccdma_device *dev = &vdev->dma;
    unsigned int allocs = 3u + (is_blk ? 1u : 0u);
    FUZZ_CHECK(vdev->reset_failed && D.status != 0, "deaf device: reset_failed %d",
               vdev->reset_failed);
    FUZZ_CHECK(vq->stats.leaked_allocs == k->leaked_allocs + allocs &&
                   vq->stats.leaked_maps == k->nbufs,
               "kept %llu allocations (want %u more), %llu mappings (model %u)",
               (unsigned long long)vq->stats.leaked_allocs, allocs,
               (unsigned long long)vq->stats.leaked_maps, k->nbufs);
    for (unsigned int b = 0; b < k->nbufs; b++)
        FUZZ_CHECK(ccdma_unmap_single(dev, k->bufs[b].addr, k->bufs[b].len,
                                      k->bufs[b].writes ? CCDMA_FROM_DEVICE : CCDMA_TO_DEVICE,
                                      CCDMA_ATTR_SKIP_CPU_SYNC) == 0,
                   "a kept mapping 0x%llx+%u was not live", (unsigned long long)k->bufs[b].addr,
                   k->bufs[b].len);
    FUZZ_CHECK(ccdma_free_coherent(dev, 16u * k->num, k->desc, k->desc_dma) == 0 &&
                   ccdma_free_coherent(dev, 6u + 2u * k->num, k->avail,
                                       k->avail_dma) == 0 &&
                   ccdma_free_coherent(dev, 6u + 8u * k->num, k->used, k->used_dma) == 0,
               "kept rings were freed at remove");
    FUZZ_CHECK(!is_blk || ccdma_free_coherent(dev, 17, k->hdr, k->hdr_dma) == 0,
               "kept blk header was freed at remove");
}

/* ---- entry points ------------------------------------------------------------------ */

static void check_clean(void)
{
    struct ccdma_debug_counters dc;
    struct host_platform_counters hc;
    struct ccdma_swiotlb_stats ss;

    ccdma_debug_get_counters(&dc);
    host_platform_get_counters(&hc);
    if (!base.set) { /* warming up: the runtime's one-time allocations */
        base.debug_errors = dc.errors;
        base.debug_live = dc.live;
        base.pages = hc.pages_in_use;
        return;
    }
    FUZZ_CHECK(dc.errors == base.debug_errors && dc.live == base.debug_live,
               "dma-debug: %llu errors, %llu live (were %llu, %llu)",
               (unsigned long long)dc.errors, (unsigned long long)dc.live,
               (unsigned long long)base.debug_errors, (unsigned long long)base.debug_live);
    FUZZ_CHECK(hc.pages_in_use == base.pages, "pages in use %llu, were %llu",
               (unsigned long long)hc.pages_in_use, (unsigned long long)base.pages);
    FUZZ_CHECK(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &ss) == 0 && ss.used == 0,
               "%zu bounce slots still taken", ss.used);
    FUZZ_CHECK(host_mmio_strays() == 0, "%llu stray MMIO accesses",
               (unsigned long long)host_mmio_strays());
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_trace_init();
    struct host_platform_config hp = {.encoding = HOST_ENC_CCA, .quiet = true};
    struct ccdma_config cfg = {.debug = true, .quiet = true};
    if (host_platform_init(&hp) != 0 || ccdma_init(&cfg) != 0 ||
        host_mmio_register(DEV_BASE, DEV_WINDOW, &dev_ops, NULL) != 0)
        abort();
    priv = ccdma_plat_pages_alloc((RNG_BUF + BLK_SEGS * BLK_SEG_BUF) / CCDMA_PAGE_SIZE,
                                  UINT64_MAX);
    if (priv == NULL)
        abort();
    ccdma_virtq_set_read_hook(read_hook, NULL);

    /* dma-debug's entry memory grows to the most mappings ever live at once
     * and is kept: take it to more than one input can hold (a full ring of
     * mappings, twice), so the baseline below does not move. */
    static struct ccdma_device warm_dev;
    static ccdma_dma_t warm[2 * QMAX + 8];
    ccdma_device_default(&warm_dev, "fuzz-warm", UINT64_MAX);
    if (ccdma_device_init(&warm_dev) != 0)
        abort();
    for (unsigned int i = 0; i < sizeof(warm) / sizeof(warm[0]); i++)
        if (ccdma_map_single(&warm_dev, priv + 16 * i, 16, CCDMA_TO_DEVICE, 0, &warm[i]) != 0)
            abort();
    for (unsigned int i = 0; i < sizeof(warm) / sizeof(warm[0]); i++)
        (void)ccdma_unmap_single(&warm_dev, warm[i], 16, CCDMA_TO_DEVICE, 0);

    /* Warm up with honest rng and blk reads and a posted chain, then take
     * the baseline that every later input must return to. */
    static const uint8_t warm_rng[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 1, 0, 0, 0,
                                       1, 1, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0};
    static const uint8_t warm_blk[] = {1, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    LLVMFuzzerTestOneInput(warm_rng, sizeof(warm_rng));
    LLVMFuzzerTestOneInput(warm_blk, sizeof(warm_blk));
    base.set = true;
    LLVMFuzzerTestOneInput(warm_rng, sizeof(warm_rng));
    LLVMFuzzerTestOneInput(warm_blk, sizeof(warm_blk));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = (struct fz){data, size};
    host_mmio_reset_strays();
    make_device();
    bool is_blk = D.device_id == CCDMA_VIRTIO_ID_BLOCK;
    D.flaps_at_probe = D.gen_flaps;

    int rc = is_blk ? ccdma_blk_probe(&blk, DEV_BASE, DEV_WINDOW)
                    : ccdma_rng_probe(&rng, DEV_BASE, DEV_WINDOW);
    vdev = is_blk ? &blk.vdev : &rng.vdev;
    vq = is_blk ? &blk.vq : &rng.vq;
    FZ_TRACE("%s probe (qmax %u, features 0x%llx): %d\n", is_blk ? "blk" : "rng", D.qmax,
             (unsigned long long)D.offered, rc);
    check_probe(rc);
    if (rc != 0) {
        check_clean();
        return 0;
    }
    vdev->budget_ns = 0; /* every wait is one poll: deterministic */
    D.deaf_armed = true; /* after probe: a deaf probe would only spin its budget */
    polls_base = vq->stats.polls;
    nheads = 0;
    hbuf = sbuf = NULL;
    FUZZ_CHECK(ccdma_alloc_coherent(&vdev->dma, HBUF, 0, 0, &hbuf, &hbuf_dma) == 0 &&
               ccdma_alloc_coherent(&vdev->dma, RNG_BUF, 0, 0, &sbuf, &sbuf_dma) == 0,
               "coherent allocation");

    for (int i = 0; i < MAX_OPS && !fz_empty(&in); i++) {
        switch (fz_u8(&in) % 4) {
        case 0: is_blk ? op_blk() : op_rng_read(); break;
        case 1: op_add(); break;
        case 2: op_poll(); break;
        default: op_wait(); break;
        }
    }

    struct kept kept = kept_before_remove(is_blk);
    FZ_TRACE("remove (%s device, %u kept buffers)\n", D.deaf ? "deaf" : "honest", kept.nbufs);
    if (is_blk)
        ccdma_blk_remove(&blk);
    else
        ccdma_rng_remove(&rng);
    if (D.deaf)
        reclaim_kept(&kept, is_blk);
    else
        FUZZ_CHECK(D.status == 0 && D.qready == 0, "device not reset at remove");
    FUZZ_CHECK(ccdma_free_coherent(&vdev->dma, HBUF, hbuf, hbuf_dma) == 0 &&
               ccdma_free_coherent(&vdev->dma, RNG_BUF, sbuf, sbuf_dma) == 0,
               "coherent free");
    check_clean();
    return 0;
}
