/* SPDX-License-Identifier: MIT */
/* The double-fetch detector (see dfetch.h). */
#include "dfetch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Used ring layout from the virtio 1.2 spec (2.7.8), not the driver's
 * headers: flags, idx, then 8-byte entries {id, len}. */
#define USED_ENTRY_OFF(slot) (4u + 8u * (size_t)(slot))

static const char *field_name(enum ccdma_virtq_field f)
{
    switch (f) {
    case CCDMA_VQF_USED_IDX: return "used idx";
    case CCDMA_VQF_USED_ID: return "used id";
    case CCDMA_VQF_USED_LEN: return "used len";
    case CCDMA_VQF_DEV_U8: return "device byte";
    }
    return "?";
}

static void report(struct dfetch *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct dfetch *d, const char *fmt, ...)
{
    if (d->reports++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->first, sizeof(d->first), fmt, ap);
        va_end(ap);
    }
}

void dfetch_init(struct dfetch *d)
{
    memset(d, 0, sizeof(*d));
}

void dfetch_install(struct dfetch *d)
{
    ccdma_virtq_set_read_hook(d != NULL ? dfetch_read : NULL, d);
    ccdma_virtq_set_decision_hook(d != NULL ? dfetch_decision : NULL, d);
}

void dfetch_forget_rings(struct dfetch *d)
{
    memset(d->rings, 0, sizeof(d->rings));
    d->vq = NULL;
    d->nseen = 0;
}

void dfetch_decision(void *ctx, const struct ccdma_virtq *vq)
{
    struct dfetch *d = ctx;
    d->vq = vq;
    d->nseen = 0;
    d->decisions++;
}

static struct dfetch_ring *ring_of(struct dfetch *d, const struct ccdma_virtq *vq)
{
    struct dfetch_ring *free_slot = NULL;
    for (unsigned int i = 0; i < DFETCH_RINGS; i++) {
        struct dfetch_ring *r = &d->rings[i];
        if (r->used == vq->used && r->num == vq->num)
            return r;
        if (r->used == NULL && free_slot == NULL)
            free_slot = r;
    }
    if (free_slot != NULL)
        *free_slot = (struct dfetch_ring){.used = vq->used, .num = vq->num};
    return free_slot;
}

/* Completion window: entries are consumed in ring order, each id and len
 * read once per completion. */
static void check_entry(struct dfetch *d, const void *where, enum ccdma_virtq_field f,
                        uint16_t slot)
{
    if (d->vq == NULL) {
        report(d, "%s of slot %u read outside any decision", field_name(f), slot);
        return;
    }
    struct dfetch_ring *r = ring_of(d, d->vq);
    if (r == NULL) {
        report(d, "more than %d rings", DFETCH_RINGS);
        return;
    }
    const uint8_t *want = (const uint8_t *)r->used + USED_ENTRY_OFF(slot) +
                          (f == CCDMA_VQF_USED_LEN ? 4u : 0u);
    if (slot >= r->num || (const void *)want != where) {
        report(d, "%s read at %p is not slot %u of the decision's ring", field_name(f), where,
               slot);
        return;
    }
    uint16_t expect = (uint16_t)(r->next % r->num);
    bool *done = f == CCDMA_VQF_USED_ID ? &r->id_read : &r->len_read;
    if (slot != expect) {
        report(d, "%s of slot %u read while completion %u (slot %u) is the next: a consumed "
               "or unpublished entry", field_name(f), slot, (unsigned int)r->next, expect);
        return;
    }
    if (*done) {
        report(d, "%s of completion %u (slot %u) read twice", field_name(f),
               (unsigned int)r->next, slot);
        return;
    }
    *done = true;
    if (r->id_read && r->len_read) {
        r->next++;
        r->id_read = r->len_read = false;
        d->entries++;
    }
}

void dfetch_read(void *ctx, const void *where, enum ccdma_virtq_field f, uint16_t slot,
                 uint32_t *value)
{
    struct dfetch *d = ctx;
    (void)value;
    d->reads++;
    /* Decision window: one read per address. */
    for (unsigned int i = 0; i < d->nseen; i++) {
        if (d->seen[i].where == where) {
            report(d, "double fetch: %s (slot %u) at %p read twice in one decision "
                   "(decision %llu; first read as %s)", field_name(f), slot, where,
                   (unsigned long long)d->decisions, field_name(d->seen[i].field));
            break;
        }
    }
    if (d->nseen < DFETCH_WINDOW)
        d->seen[d->nseen++] = (struct dfetch_read){where, f, slot};
    else
        report(d, "more than %d reads in one decision", DFETCH_WINDOW);
    if (f == CCDMA_VQF_USED_ID || f == CCDMA_VQF_USED_LEN)
        check_entry(d, where, f, slot);
}
