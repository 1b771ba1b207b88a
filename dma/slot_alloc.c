/* SPDX-License-Identifier: MIT */
/*
 * Bounce slot allocator.
 *
 * Why this structure. Linux finds slots with a per-slot "free run to the end
 * of the segment" list and a next-fit scan that steps one slot at a time,
 * then gives up after a full lap. On a fragmented, nearly full pool, or with
 * a min_align_mask that rejects most starts, that is a scan over every slot
 * (and with an alignment no start satisfies, it once looped forever). Here
 * the work is bounded by segments, and mostly by the height of a tree:
 *
 *  - Each 128-slot segment keeps a 128-bit free bitmap. "Where does a free
 *    run of n slots start, at an allowed alignment" is answered inside a
 *    segment with word operations: shift-and doubling gives the starts of
 *    all runs of length n in O(log n) steps, and a periodic mask keeps only
 *    the starts the alignment allows. No slot is visited one by one.
 *  - A max-tree over the segments holds, for each segment, a bound on its
 *    longest free run: never below it, so "the first segment that may hold
 *    a run of k" is one O(log S) descent (S segments) that never skips a
 *    segment that could serve.
 *  - The bound is kept cheaply. A take only shortens runs, so it leaves the
 *    bound as it is: no update at all. A release makes exactly one run
 *    longer, the one it merges into, whose length two bit scans give: the
 *    bound becomes the larger of the two, and climbs the tree only if it
 *    grew. A segment whose bound promised a fit it does not have gets its
 *    exact longest run (longest_run, about twenty word operations) when a
 *    search finds that out; so does the tree, and the search goes on.
 *  - A run of n + stride - 1 slots always holds an allowed start of n, so
 *    the search first asks the tree for that length: one descent and one
 *    segment check. Only when that fails (the pool is full or fragmented,
 *    or the segment's bound was loose and is exact now)
 *    does it visit, in tree order, the segments whose bound is at least n:
 *    one O(1) check per segment, never per slot, and each failure tightens
 *    that segment's bound, so it is not visited again for that length.
 *
 * take: O(log S) typical, O(S) word operations in the fragmented worst
 * case; release: O(1) plus a climb of O(log S) when a run grows. Metadata:
 * 16 bytes per segment plus 2 bytes per tree leaf, about 0.07 bits per slot.
 */
#include "slot_alloc.h"

#include <string.h>

#define SEG_SLOTS 128u

struct bits128 {
    uint64_t lo; /* slots 0..63 */
    uint64_t hi; /* slots 64..127 */
};

/* Bit p of the result is bit p + k of x: slot p sees slot p + k. */
static inline struct bits128 shift_down(struct bits128 x, uint32_t k)
{
    struct bits128 r;

    if (k == 0)
        return x;
    if (k >= 128) {
        r.lo = 0;
        r.hi = 0;
    } else if (k >= 64) {
        r.lo = x.hi >> (k - 64);
        r.hi = 0;
    } else {
        r.lo = (x.lo >> k) | (x.hi << (64 - k));
        r.hi = x.hi >> k;
    }
    return r;
}

static inline struct bits128 and128(struct bits128 a, struct bits128 b)
{
    struct bits128 r = {a.lo & b.lo, a.hi & b.hi};
    return r;
}

static inline bool any128(struct bits128 x)
{
    return (x.lo | x.hi) != 0;
}

/* Slots [pos, pos+n) as a mask, n >= 1, pos + n <= 128: n ones, moved up
 * by pos. */
static inline struct bits128 range128(uint32_t pos, uint32_t n)
{
    uint64_t lo = n < 64 ? (1ull << n) - 1 : ~0ull;
    uint64_t hi = n <= 64 ? 0 : n == 128 ? ~0ull : (1ull << (n - 64)) - 1;
    struct bits128 r;

    if (pos >= 64) {
        r.lo = 0;
        r.hi = lo << (pos - 64);
    } else if (pos) {
        r.lo = lo << pos;
        r.hi = (hi << pos) | (lo >> (64 - pos));
    } else {
        r.lo = lo;
        r.hi = hi;
    }
    return r;
}

/* Bit p set iff slots p .. p+n-1 are all free (n >= 1). Doubling keeps this
 * at O(log n) word operations instead of n shifts. */
static inline struct bits128 run_starts(struct bits128 free, uint32_t n)
{
    struct bits128 res = {~0ull, ~0ull};
    struct bits128 cur = free; /* runs of length `len` */
    uint32_t len = 1, off = 0;

    while (n) {
        if (n & 1) {
            res = and128(res, shift_down(cur, off));
            off += len;
        }
        n >>= 1;
        if (n) {
            cur = and128(cur, shift_down(cur, len));
            len *= 2;
        }
    }
    return res;
}

/* Longest run of set bits in x. Bit p of y[k] is set when bits p ..
 * p + 2^k - 1 all are: doubling finds the power of two under the longest
 * run, and the same masks then add its lower bits one by one, about twenty
 * word operations whatever the layout. */
static uint32_t longest64(uint64_t x)
{
    uint64_t y[6], cur;
    uint32_t k = 0, len;

    if (x == ~0ull)
        return 64;
    if (!x)
        return 0;
    y[0] = x;
    /* x is not all ones, so no run reaches 64 and k stays under 6. */
    while (k < 5 && (y[k] & (y[k] >> (1u << k)))) {
        y[k + 1] = y[k] & (y[k] >> (1u << k));
        k++;
    }
    len = 1u << k;
    cur = y[k];
    while (k--) {
        uint64_t longer = cur & (y[k] >> len);

        if (longer) {
            cur = longer;
            len += 1u << k;
        }
    }
    return len;
}

/* Set bits at the top of x, and at the bottom. */
static inline uint32_t ones_top(uint64_t x)
{
    return ~x ? (uint32_t)__builtin_clzll(~x) : 64;
}

static inline uint32_t ones_bottom(uint64_t x)
{
    return ~x ? (uint32_t)__builtin_ctzll(~x) : 64;
}

/* Slots 0..63 are lo's bits 0..63 and slots 64..127 hi's: a run may also
 * cross from the top of lo into the bottom of hi. */
static uint32_t longest_run(struct bits128 free)
{
    uint32_t lo = longest64(free.lo), hi = longest64(free.hi);
    uint32_t across = ones_top(free.lo) + ones_bottom(free.hi);
    uint32_t best = lo > hi ? lo : hi;

    return across > best ? across : best;
}

/* Free slots right before slot pos, and from slot end on (pos <= end). */
static inline uint32_t free_before(struct bits128 f, uint32_t pos)
{
    uint32_t n;

    if (pos > 64) {
        n = ones_top(f.hi << (128 - pos));
        return n < pos - 64 ? n : pos - 64 + ones_top(f.lo);
    }
    return pos ? ones_top(f.lo << (64 - pos)) : 0;
}

static inline uint32_t free_from(struct bits128 f, uint32_t end)
{
    uint32_t n;

    if (end < 64) {
        n = ones_bottom(f.lo >> end);
        n = n < 64 - end ? n : 64 - end;
        return n < 64 - end ? n : n + ones_bottom(f.hi);
    }
    if (end >= SEG_SLOTS)
        return 0;
    n = ones_bottom(f.hi >> (end - 64));
    return n < SEG_SLOTS - end ? n : SEG_SLOTS - end;
}

/* Starts allowed by the alignment: every stride-th slot from phase. A
 * 64-bit word holds a whole number of periods of any stride up to 64. */
static inline struct bits128 allowed_starts(uint32_t stride, uint32_t phase)
{
    static const uint64_t every[7] = {
        ~0ull, 0x5555555555555555ull, 0x1111111111111111ull, 0x0101010101010101ull,
        0x0001000100010001ull, 0x0000000100000001ull, 0x0000000000000001ull,
    };
    struct bits128 r;

    if (stride >= SEG_SLOTS)
        return range128(phase, 1);
    r.lo = every[__builtin_ctz(stride)] << phase;
    r.hi = r.lo;
    return r;
}

static inline uint32_t ctz128(struct bits128 x)
{
    if (x.lo)
        return (uint32_t)__builtin_ctzll(x.lo);
    return 64 + (uint32_t)__builtin_ctzll(x.hi);
}

static inline struct bits128 seg_free(const struct slot_alloc *sa, uint32_t seg)
{
    struct bits128 r = {sa->free[2 * seg], sa->free[2 * seg + 1]};
    return r;
}

static inline void seg_store(struct slot_alloc *sa, uint32_t seg, struct bits128 v)
{
    sa->free[2 * seg] = v.lo;
    sa->free[2 * seg + 1] = v.hi;
}

/* A new bound for seg's leaf; the nodes above follow while they change. */
static void tree_set(struct slot_alloc *sa, uint32_t seg, uint32_t bound)
{
    uint32_t i = sa->leaves + seg;

    sa->tree[i] = (uint8_t)bound;
    for (i /= 2; i >= 1; i /= 2) {
        uint8_t l = sa->tree[2 * i], r = sa->tree[2 * i + 1];
        uint8_t m = l > r ? l : r;

        if (sa->tree[i] == m)
            break;
        sa->tree[i] = m;
    }
}

/* First segment >= from whose bound is >= need, or -1. */
static inline int64_t tree_find(const struct slot_alloc *sa, uint32_t from,
                         uint32_t need)
{
    uint32_t i;

    if (from >= sa->nsegs)
        return -1;
    i = sa->leaves + from;
    if (sa->tree[i] < need) {
        for (;;) {
            while (i & 1) { /* a right child: climb */
                i /= 2;
                if (i == 0)
                    return -1;
            }
            i++; /* its right sibling */
            if (sa->tree[i] >= need)
                break;
        }
        while (i < sa->leaves) {
            i *= 2;
            if (sa->tree[i] < need)
                i++;
        }
    }
    return (int64_t)(i - sa->leaves);
}

size_t slot_alloc_meta_size(uint32_t nslots)
{
    uint32_t nsegs = (nslots + SEG_SLOTS - 1) / SEG_SLOTS;
    uint32_t leaves = 1;

    while (leaves < nsegs)
        leaves *= 2;
    return (size_t)nsegs * 16 + (((size_t)leaves * 2 + 7) & ~(size_t)7);
}

void slot_alloc_init(struct slot_alloc *sa, uint32_t nslots, void *meta)
{
    memset(sa, 0, sizeof(*sa));
    sa->nslots = nslots;
    sa->nsegs = (nslots + SEG_SLOTS - 1) / SEG_SLOTS;
    sa->leaves = 1;
    while (sa->leaves < sa->nsegs)
        sa->leaves *= 2;
    sa->free = meta;
    sa->tree = (uint8_t *)meta + (size_t)sa->nsegs * 16;
    memset(sa->tree, 0, (size_t)sa->leaves * 2);
    for (uint32_t s = 0; s < sa->nsegs; s++) {
        uint32_t first = s * SEG_SLOTS;
        uint32_t n = nslots - first < SEG_SLOTS ? nslots - first : SEG_SLOTS;

        /* A short last segment (or a pool smaller than a segment) offers
         * only the slots it has: its runs are capped at its own size. */
        seg_store(sa, s, range128(0, n));
        sa->tree[sa->leaves + s] = (uint8_t)n;
    }
    for (uint32_t i = sa->leaves - 1; i >= 1; i--) {
        uint8_t l = sa->tree[2 * i], r = sa->tree[2 * i + 1];

        sa->tree[i] = l > r ? l : r;
    }
}

/* The first allowed start of a run of n in seg, or -1; on -1 the segment's
 * bound becomes exact, so no later search for n is sent there in vain. */
static inline __attribute__((always_inline)) int64_t fit_in_segment(struct slot_alloc *sa, uint32_t seg, uint32_t n,
                              struct bits128 allowed)
{
    struct bits128 f = seg_free(sa, seg), starts;

    sa->probes++;
    starts = and128(run_starts(f, n), allowed);
    if (any128(starts))
        return (int64_t)ctz128(starts);
    tree_set(sa, seg, longest_run(f));
    return -1;
}

int64_t slot_alloc_take(struct slot_alloc *sa, uint32_t n, uint32_t stride,
                        uint32_t phase)
{
    struct bits128 allowed, f, r;
    uint32_t sure = n + stride - 1;
    int64_t seg = -1, pos = -1, tried = -1;

    if (n == 0 || n > SEG_SLOTS || stride == 0 || stride > SEG_SLOTS ||
        (stride & (stride - 1)) || phase >= stride)
        return -1;
    allowed = allowed_starts(stride, phase);

    /* A run of `sure` slots always holds an allowed start: one descent. */
    if (sure <= SEG_SLOTS) {
        seg = tree_find(sa, 0, sure);
        if (seg >= 0)
            pos = fit_in_segment(sa, (uint32_t)seg, n, allowed);
        tried = seg;
    }
    /* Full, fragmented, or a loose bound: one pass over the segments that
     * might fit, less the one just tried (it cannot). */
    if (pos < 0) {
        for (seg = tree_find(sa, 0, n); seg >= 0;
             seg = tree_find(sa, (uint32_t)seg + 1, n)) {
            if (seg == tried)
                continue;
            pos = fit_in_segment(sa, (uint32_t)seg, n, allowed);
            if (pos >= 0)
                break;
        }
    }
    if (pos < 0)
        return -1;

    /* Runs only got shorter: the bound still holds. */
    f = seg_free(sa, (uint32_t)seg);
    r = range128((uint32_t)pos, n);
    f.lo &= ~r.lo;
    f.hi &= ~r.hi;
    seg_store(sa, (uint32_t)seg, f);
    sa->used += n;
    return seg * SEG_SLOTS + pos;
}

bool slot_alloc_release(struct slot_alloc *sa, uint32_t start, uint32_t n)
{
    uint32_t seg = start / SEG_SLOTS, pos = start % SEG_SLOTS, run;
    struct bits128 f, r;

    if (n == 0 || start >= sa->nslots || n > sa->nslots - start ||
        pos + n > SEG_SLOTS)
        return false;
    f = seg_free(sa, seg);
    r = range128(pos, n);
    if ((f.lo & r.lo) || (f.hi & r.hi))
        return false;
    /* The one run that grows: the released slots and the free ones on
     * either side. */
    run = free_before(f, pos) + n + free_from(f, pos + n);
    f.lo |= r.lo;
    f.hi |= r.hi;
    seg_store(sa, seg, f);
    if (run > sa->tree[sa->leaves + seg])
        tree_set(sa, seg, run);
    sa->used -= n;
    return true;
}

uint32_t slot_alloc_free_runs(const struct slot_alloc *sa)
{
    uint32_t runs = 0;

    for (uint32_t s = 0; s < sa->nsegs; s++) {
        struct bits128 f = seg_free(sa, s);
        /* A run starts at a free slot whose left neighbour in the segment
         * is taken (or absent). */
        uint64_t lo = f.lo & ~(f.lo << 1);
        uint64_t hi = f.hi & ~((f.hi << 1) | (f.lo >> 63));

        runs += (uint32_t)(__builtin_popcountll(lo) + __builtin_popcountll(hi));
    }
    return runs;
}

uint32_t slot_alloc_longest(const struct slot_alloc *sa)
{
    uint32_t best = 0;

    for (uint32_t s = 0; s < sa->nsegs; s++) {
        uint32_t l = longest_run(seg_free(sa, s));

        best = l > best ? l : best;
    }
    return best;
}
