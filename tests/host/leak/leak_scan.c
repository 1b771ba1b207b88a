/* SPDX-License-Identifier: MIT */
/* Canaries and the leak scan (see leak_scan.h). */
#include "leak_scan.h"

#include <string.h>

#define ANCHOR 0xc5u

/* Bytes of the word; the zeros at 1..3 stand for class, tag and ~tag. */
static const uint8_t fixed[8] = {ANCHOR, 0, 0, 0, 0x1e, 0xa7, 0x3d, 0x9b};

uint64_t leak_canary(enum leak_class cls, uint8_t tag)
{
    uint8_t b[8];
    memcpy(b, fixed, sizeof(b));
    b[1] = (uint8_t)cls;
    b[2] = tag;
    b[3] = (uint8_t)~tag;
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = w << 8 | b[i];
    return w;
}

void leak_fill(void *buf, size_t len, enum leak_class cls, uint8_t tag)
{
    uint64_t w = leak_canary(cls, tag);
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(w >> (8 * (i & 7)));
}

void leak_scan_reset(struct leak_scan *s, const struct leak_allow *allow,
                     unsigned int nallow)
{
    memset(s, 0, sizeof(*s));
    s->allow = allow;
    s->nallow = nallow;
}

/* Matching a run around an anchor at a fixed phase: positions 0 and 4..7
 * are constants, 1..3 must agree with the first value seen there. */
struct run {
    const uint8_t *anchor;
    uint8_t var[3];
    bool known[3];
};

static bool run_match(struct run *r, const uint8_t *p)
{
    unsigned int ph = (unsigned int)((p - r->anchor) & 7);
    if (ph == 0 || ph >= 4)
        return *p == fixed[ph];
    if (!r->known[ph - 1]) {
        r->known[ph - 1] = true;
        r->var[ph - 1] = *p;
        return true;
    }
    return *p == r->var[ph - 1];
}

static void record(struct leak_scan *s, uint64_t pa, size_t len, uint8_t cls, uint8_t tag)
{
    if (cls == LEAK_SHOWN) {
        for (unsigned int i = 0; i < s->nallow; i++) {
            if (pa >= s->allow[i].lo && pa + len <= s->allow[i].hi) {
                s->allowed++;
                return;
            }
        }
        s->shown++;
    } else {
        s->secret++;
    }
    if (s->nhit < LEAK_KEEP)
        s->hit[s->nhit++] = (struct leak_hit){pa, len, cls, tag};
}

void leak_scan_range(struct leak_scan *s, const void *va, uint64_t pa, size_t bytes)
{
    const uint8_t *base = va, *p = base, *end = base + bytes;
    const uint8_t *last_end = base; /* the end of the last run found */
    s->bytes += bytes;
    s->ranges++;
    while (p < end) {
        const uint8_t *a = memchr(p, ANCHOR, (size_t)(end - p));
        if (a == NULL)
            return;
        struct run r = {.anchor = a};
        const uint8_t *lo = a, *hi = a + 1;
        while (hi < end && hi - a < 2 * LEAK_MIN_RUN && run_match(&r, hi))
            hi++;
        while (lo > last_end && a - lo < 2 * LEAK_MIN_RUN && run_match(&r, lo - 1))
            lo--;
        bool cls_ok = r.var[0] == LEAK_SECRET || r.var[0] == LEAK_SHOWN;
        unsigned int check = r.var[1] ^ 0xffu; /* ~tag */
        if ((size_t)(hi - lo) < LEAK_MIN_RUN || !cls_ok || r.var[2] != check) {
            p = a + 1;
            continue;
        }
        while (hi < end && run_match(&r, hi))
            hi++; /* the whole run counts once */
        record(s, pa + (uint64_t)(lo - base), (size_t)(hi - lo), r.var[0], r.var[1]);
        p = last_end = hi;
    }
}
