/* SPDX-License-Identifier: MIT */
/*
 * Bounce slot allocator.
 *
 * Why this structure. Linux finds slots with a per-slot "free run to the end
 * of the segment" list and a next-fit scan that steps one slot at a time,
 * then gives up after a full lap. On a fragmented, nearly full pool, or with
 * a min_align_mask that rejects most starts, that is a scan over every slot
 * (and with an alignment no start satisfies, it once looped forever). Here
 * the work is bounded by segments, and
 * mostly by the height of a tree:
 *
 *  - Each 128-slot segment keeps a 128-bit free bitmap. "Where does a free
 *    run of n slots start, at an allowed alignment" is answered inside a
 *    segment with word operations: shift-and doubling gives the starts of
 *    all runs of length n in O(log n) steps, and a periodic mask keeps only
 *    the starts the alignment allows. No slot is visited one by one.
 *  - A max-tree over the segments holds each segment's longest free run, so
 *    "first segment with a run of at least k" costs O(log S) (S segments),
 *    and so does updating it after a take or release.
 *  - A run of n + stride - 1 slots always holds an aligned start of n, so
 *    the search first asks the tree for that length: one descent and one
 *    segment check. Only when no segment has such a run (the pool is full
 *    and fragmented) does it visit, in tree order, the segments whose longest
 *    run is long enough for n but maybe not aligned: still one O(1) check per
 *    segment, never per slot, and it ends after one pass.
 *
 * take: O(log S) typical, O(S) word operations in the fragmented worst case;
 * release: O(log S). Metadata: 16 bytes per segment plus 2 bytes per tree
 * leaf, i.e. about 0.07 bits per slot.
 */
#include "slot_alloc.h"

#include <string.h>

#define SEG_SLOTS 128u

struct bits128 {
    uint64_t lo; /* slots 0..63 */
    uint64_t hi; /* slots 64..127 */
};

/* Bit p of the result is bit p + k of x: slot p sees slot p + k. */
static struct bits128 shift_down(struct bits128 x, uint32_t k)
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

static struct bits128 and128(struct bits128 a, struct bits128 b)
{
    struct bits128 r = {a.lo & b.lo, a.hi & b.hi};
    return r;
}

static bool any128(struct bits128 x)
{
    return (x.lo | x.hi) != 0;
}

/* Slots [pos, pos+n) as a mask, n >= 1, pos + n <= 128. */
static struct bits128 range128(uint32_t pos, uint32_t n)
{
    struct bits128 r = {0, 0};
    uint32_t end = pos + n;

    for (uint32_t w = 0; w < 2; w++) {
        uint32_t lo = w * 64, hi = lo + 64;
        uint32_t a = pos > lo ? pos : lo;
        uint32_t b = end < hi ? end : hi;
        uint64_t m;

        if (a >= b)
            continue;
        m = (b - a == 64) ? ~0ull : ((1ull << (b - a)) - 1);
        m <<= (a - lo);
        if (w == 0)
            r.lo = m;
        else
            r.hi = m;
    }
    return r;
}

/* Bit p set iff slots p .. p+n-1 are all free (n >= 1). Doubling keeps this
 * at O(log n) word operations instead of n shifts. */
static struct bits128 run_starts(struct bits128 free, uint32_t n)
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

static uint32_t longest_run(struct bits128 free)
{
    uint32_t lo = 0, hi = SEG_SLOTS; /* answer in [lo, hi] */

    if (!any128(free))
        return 0;
    lo = 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;

        if (any128(run_starts(free, mid)))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Starts allowed by the alignment: every stride-th slot from phase. */
static struct bits128 allowed_starts(uint32_t stride, uint32_t phase)
{
    struct bits128 r;
    uint64_t w = 0;

    if (stride >= SEG_SLOTS)
        return range128(phase, 1);
    for (uint32_t i = 0; i < 64; i += stride)
        w |= 1ull << i;
    r.lo = w << phase;
    r.hi = w << phase;
    return r;
}

static uint32_t ctz128(struct bits128 x)
{
    if (x.lo)
        return (uint32_t)__builtin_ctzll(x.lo);
    return 64 + (uint32_t)__builtin_ctzll(x.hi);
}

static struct bits128 seg_free(const struct slot_alloc *sa, uint32_t seg)
{
    struct bits128 r = {sa->free[2 * seg], sa->free[2 * seg + 1]};
    return r;
}

static void seg_set(struct slot_alloc *sa, uint32_t seg, struct bits128 v)
{
    uint32_t i = sa->leaves + seg;

    sa->free[2 * seg] = v.lo;
    sa->free[2 * seg + 1] = v.hi;
    sa->tree[i] = (uint8_t)longest_run(v);
    for (i /= 2; i >= 1; i /= 2) {
        uint8_t l = sa->tree[2 * i], r = sa->tree[2 * i + 1];
        sa->tree[i] = l > r ? l : r;
    }
}

/* First segment >= from whose longest run is >= need, or -1. */
static int64_t tree_find(const struct slot_alloc *sa, uint32_t from,
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
        seg_set(sa, s, range128(0, n));
    }
}

static int64_t fit_in_segment(struct slot_alloc *sa, uint32_t seg, uint32_t n,
                              struct bits128 allowed)
{
    struct bits128 starts;

    sa->probes++;
    starts = and128(run_starts(seg_free(sa, seg), n), allowed);
    if (!any128(starts))
        return -1;
    return (int64_t)ctz128(starts);
}

int64_t slot_alloc_take(struct slot_alloc *sa, uint32_t n, uint32_t stride,
                        uint32_t phase)
{
    struct bits128 allowed;
    uint32_t sure = n + stride - 1;
    int64_t seg = -1, pos = -1;

    if (n == 0 || n > SEG_SLOTS || stride == 0 || stride > SEG_SLOTS ||
        (stride & (stride - 1)) || phase >= stride)
        return -1;
    allowed = allowed_starts(stride, phase);

    /* A run of `sure` slots always holds an allowed start: one descent. */
    if (sure <= SEG_SLOTS) {
        seg = tree_find(sa, 0, sure);
        if (seg >= 0)
            pos = fit_in_segment(sa, (uint32_t)seg, n, allowed);
    }
    /* Full and fragmented: one pass over the segments that might fit. */
    if (pos < 0) {
        for (seg = tree_find(sa, 0, n); seg >= 0;
             seg = tree_find(sa, (uint32_t)seg + 1, n)) {
            pos = fit_in_segment(sa, (uint32_t)seg, n, allowed);
            if (pos >= 0)
                break;
        }
    }
    if (pos < 0)
        return -1;

    {
        struct bits128 f = seg_free(sa, (uint32_t)seg);
        struct bits128 r = range128((uint32_t)pos, n);

        f.lo &= ~r.lo;
        f.hi &= ~r.hi;
        seg_set(sa, (uint32_t)seg, f);
    }
    sa->used += n;
    return seg * SEG_SLOTS + pos;
}

bool slot_alloc_release(struct slot_alloc *sa, uint32_t start, uint32_t n)
{
    uint32_t seg = start / SEG_SLOTS, pos = start % SEG_SLOTS;
    struct bits128 f, r;

    if (n == 0 || start >= sa->nslots || n > sa->nslots - start ||
        pos + n > SEG_SLOTS)
        return false;
    f = seg_free(sa, seg);
    r = range128(pos, n);
    if ((f.lo & r.lo) || (f.hi & r.hi))
        return false;
    f.lo |= r.lo;
    f.hi |= r.hi;
    seg_set(sa, seg, f);
    sa->used -= n;
    return true;
}

bool slot_alloc_is_free(const struct slot_alloc *sa, uint32_t index)
{
    uint32_t seg = index / SEG_SLOTS, pos = index % SEG_SLOTS;

    if (index >= sa->nslots)
        return false;
    return (sa->free[2 * seg + pos / 64] >> (pos % 64)) & 1;
}

uint32_t slot_alloc_longest(const struct slot_alloc *sa)
{
    return sa->nsegs ? sa->tree[1] : 0;
}
