/* SPDX-License-Identifier: MIT */
/*
 * The poison window: host memory at the PAs a device reaches when a realm
 * hands it a protected IPA. Nothing may write there, so it is filled with a
 * pattern before the realm runs and every changed byte at the end is a
 * leak: realm data went to memory the realm does not own. The window is
 * the RAM under realm RAM's protected IPAs, less what this host may not
 * touch (the DTB's reservations, such as TF-A's RMM carve-out) and the
 * host's own image.
 */
#include <stdio.h>

#include "arch/arm64/cache.h"
#include "host.h"

#define POISON_WORD 0xd76b5a3cd76b5a3cull /* no byte equals a wipe default */
#define MAX_RUNS_REPORTED 8
#define MAX_PIECES 8

static struct el2_range pieces[MAX_PIECES];
static unsigned int n_pieces;

static void add_piece(uint64_t base, uint64_t top)
{
    if (top > base && n_pieces < MAX_PIECES)
        pieces[n_pieces++] = (struct el2_range){base, top - base};
}

/* [POISON_BASE, POISON_TOP) minus each excluded range, in address order. */
void poison_init(const struct el2_machine *m)
{
    uint64_t cur = POISON_BASE;

    while (cur < POISON_TOP) {
        uint64_t next = POISON_TOP, skip_to = cur;

        for (unsigned int i = 0; i <= m->dt.n_reserved; i++) {
            uint64_t b = i < m->dt.n_reserved ? m->dt.reserved[i].base : m->image.base;
            uint64_t t = b + (i < m->dt.n_reserved ? m->dt.reserved[i].size : m->image.size);

            if (b <= cur && t > cur && t > skip_to)
                skip_to = t;
            else if (b > cur && b < next)
                next = b;
        }
        if (skip_to > cur) {
            cur = skip_to;
            continue;
        }
        add_piece(cur, next);
        cur = next;
    }
}

void poison_fill(void)
{
    for (unsigned int i = 0; i < n_pieces; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)pieces[i].base;

        for (uint64_t w = 0; w < pieces[i].size / 8; w++)
            p[w] = POISON_WORD;
        /* To memory: a device's view starts from it. */
        dcache_clean_invalidate_range(pieces[i].base, pieces[i].size);
    }
}

static uint64_t check_piece(const struct el2_range *r, uint64_t *runs)
{
    const volatile uint64_t *p = (const volatile uint64_t *)(uintptr_t)r->base;
    uint64_t n = r->size / 8, changed = 0, start = 0;
    bool in_run = false;

    dcache_clean_invalidate_range(r->base, r->size); /* a device wrote behind the cache */
    for (uint64_t i = 0; i <= n; i++) {
        bool bad = i < n && p[i] != POISON_WORD;

        if (bad && !in_run) {
            in_run = true;
            start = i;
        } else if (!bad && in_run) {
            in_run = false;
            if ((*runs)++ < MAX_RUNS_REPORTED)
                printf("monitor: LEAK: host memory PA 0x%llx-0x%llx changed (first word now "
                       "0x%016llx)\n", (unsigned long long)(r->base + start * 8),
                       (unsigned long long)(r->base + i * 8), (unsigned long long)p[start]);
        }
        changed += bad;
    }
    return changed;
}

bool poison_check(void)
{
    uint64_t changed = 0, runs = 0, bytes = 0;

    for (unsigned int i = 0; i < n_pieces; i++) {
        changed += check_piece(&pieces[i], &runs);
        bytes += pieces[i].size;
    }
    if (runs > MAX_RUNS_REPORTED)
        printf("monitor: LEAK: ... %llu more changed runs\n",
               (unsigned long long)(runs - MAX_RUNS_REPORTED));
    if (changed == 0)
        printf("monitor: poison window PA 0x%llx-0x%llx intact (%llu MiB in %u pieces)\n",
               (unsigned long long)POISON_BASE, (unsigned long long)POISON_TOP,
               (unsigned long long)(bytes >> 20), n_pieces);
    else
        printf("monitor: LEAK: %llu bytes of the poison window changed: a device reached "
               "host memory through a protected IPA\n", (unsigned long long)(changed * 8));
    return changed == 0;
}
