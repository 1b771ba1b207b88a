/* SPDX-License-Identifier: MIT */
/*
 * The bounce slot allocator against a brute-force reference: every answer
 * must be a valid run, every refusal must be a true "no fit", and the work
 * per search stays bounded by segments, not slots.
 */
#include "dma_test.h"
#include "slot_alloc.h"

#include <stdio.h>
#include <stdlib.h>

#define SEG 128u

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct ref {
    uint32_t nslots;
    bool *taken;
};

static bool ref_fits(const struct ref *r, uint32_t start, uint32_t n)
{
    if (start + n > r->nslots || start / SEG != (start + n - 1) / SEG)
        return false;
    for (uint32_t i = start; i < start + n; i++)
        if (r->taken[i])
            return false;
    return true;
}

static bool ref_any_fit(const struct ref *r, uint32_t n, uint32_t stride, uint32_t phase)
{
    for (uint32_t s = phase; s < r->nslots; s += stride)
        if (ref_fits(r, s, n))
            return true;
    return false;
}

struct live {
    uint32_t start, n;
};

static void run_pool(uint32_t nslots, int ops, int *bad_take, int *bad_refusal,
                     int *bad_release, int *bad_used)
{
    struct slot_alloc sa;
    struct ref r = {nslots, calloc(nslots, 1)};
    struct live *live = calloc(nslots, sizeof(*live));
    void *meta = calloc(1, slot_alloc_meta_size(nslots));
    uint32_t nlive = 0, used = 0;

    slot_alloc_init(&sa, nslots, meta);
    for (int op = 0; op < ops; op++) {
        if (nlive && (next() % 100 < 45)) {
            uint32_t k = (uint32_t)(next() % nlive);
            struct live l = live[k];

            if (!slot_alloc_release(&sa, l.start, l.n))
                (*bad_release)++;
            if (slot_alloc_release(&sa, l.start, l.n)) /* a second time */
                (*bad_release)++;
            for (uint32_t i = l.start; i < l.start + l.n; i++)
                r.taken[i] = false;
            used -= l.n;
            live[k] = live[--nlive];
        } else {
            uint32_t n = (next() % 4) ? 1 + (uint32_t)(next() % 8) : 1 + (uint32_t)(next() % 128);
            uint32_t stride = 1u << (next() % 8);
            uint32_t phase = (uint32_t)(next() % stride);
            int64_t got = slot_alloc_take(&sa, n, stride, phase);

            if (got < 0) {
                if (ref_any_fit(&r, n, stride, phase))
                    (*bad_refusal)++;
            } else if ((uint32_t)got % stride != phase || !ref_fits(&r, (uint32_t)got, n)) {
                (*bad_take)++;
            } else {
                for (uint32_t i = (uint32_t)got; i < (uint32_t)got + n; i++)
                    r.taken[i] = true;
                live[nlive].start = (uint32_t)got;
                live[nlive++].n = n;
                used += n;
            }
        }
        if (sa.used != used)
            (*bad_used)++;
    }
    free(r.taken);
    free(live);
    free(meta);
}

static void test_against_reference(void)
{
    static const uint32_t sizes[] = {1, 3, 6, 127, 128, 129, 300, 1000, 4096};

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int bad_take = 0, bad_refusal = 0, bad_release = 0, bad_used = 0;
        char name[96];

        run_pool(sizes[i], 50000, &bad_take, &bad_refusal, &bad_release, &bad_used);
        snprintf(name, sizeof(name), "%u slots, 50000 random ops: every take is a free, aligned, in-segment run",
                 sizes[i]);
        CHECK_EQ(bad_take, 0, name);
        CHECK_EQ(bad_refusal, 0, "every refusal is a true no-fit");
        CHECK_EQ(bad_release, 0, "releases succeed once and only once");
        CHECK_EQ(bad_used, 0, "the used count matches");
    }
}

/* Fragment a big pool: every other slot taken. Then count segment probes. */
static void test_bounded_search(void)
{
    const uint32_t nslots = 64 * 1024; /* 128 MiB of slots, 512 segments */
    struct slot_alloc sa;
    void *meta = calloc(1, slot_alloc_meta_size(nslots));
    uint64_t probes;
    int64_t got;

    slot_alloc_init(&sa, nslots, meta);
    for (uint32_t i = 0; i < nslots; i++)
        REQUIRE(slot_alloc_take(&sa, 1, 1, 0) == (int64_t)i);
    CHECK_EQ(slot_alloc_take(&sa, 1, 1, 0), -1, "a full pool refuses");
    for (uint32_t i = 1; i < nslots; i += 2)
        slot_alloc_release(&sa, i, 1);
    /* Give the last segment the one run of three. */
    slot_alloc_release(&sa, nslots - 2, 1);
    CHECK_EQ(slot_alloc_longest(&sa), 3, "longest run 3");

    probes = sa.probes;
    got = slot_alloc_take(&sa, 3, 1, 0);
    CHECK_EQ(got, (int64_t)nslots - 3, "a run of three is found in the last segment");
    CHECK_EQ(sa.probes - probes, 1, "through the tree, not by scanning 511 segments");

    probes = sa.probes;
    got = slot_alloc_take(&sa, 1, 2, 1);
    CHECK(got >= 0 && got % 2 == 1, "an odd single slot");
    CHECK_EQ(sa.probes - probes, 1, "found in the first segment checked");

    probes = sa.probes;
    CHECK_EQ(slot_alloc_take(&sa, 1, 2, 0), -1, "even slots are all taken: refused");
    CHECK(sa.probes - probes <= 512, "in at most one probe per segment (32768 free slots not visited)");

    probes = sa.probes;
    CHECK_EQ(slot_alloc_take(&sa, 2, 1, 0), -1, "no two adjacent free slots: refused");
    CHECK_EQ(sa.probes - probes, 0, "without visiting a single segment");
    free(meta);
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma slot allocator");
    t_run_raw(test_against_reference, "slot allocator vs reference");
    t_run_raw(test_bounded_search, "bounded search");
    return t_finish();
}
