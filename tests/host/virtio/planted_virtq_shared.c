/* SPDX-License-Identifier: MIT */
/*
 * TEST ONLY: the accessor layer with a deliberately planted double fetch,
 * linked instead of drivers/virtio/virtq_shared.c into one test binary
 * (test_virtio_dfetch_planted) to prove that the double-fetch detector
 * (dfetch.h) catches one. This object defines every symbol of
 * virtq_shared.o, so the linker never takes that member from
 * libccdma_drivers.a (and would fail loudly on a duplicate if it did).
 *
 * The bug is the classic TOCTOU shape: the used id is fetched, found in
 * range, then fetched again and the second value is the one returned.
 */
/* Declares vq_sh_used_elem under its real name before the rename. */
#include "virtio_internal.h"

/* The real file, with its used-entry reader renamed out of the way. */
#define vq_sh_used_elem vq_sh_used_elem_honest
#include "virtq_shared.c"
#undef vq_sh_used_elem

void vq_sh_used_elem(struct ccdma_virtq *vq, uint16_t slot, uint32_t *id,
                     uint32_t *len)
{
    vq_sh_used_elem_honest(vq, slot, id, len);
    if (*id < vq->num) {
        struct vring_used_elem *e = &used_ring(vq)->ring[slot];
        /* PLANTED: checked above, fetched again for its use. */
        *id = SEEN(&e->id, CCDMA_VQF_USED_ID, slot, LOAD(&e->id));
    }
}
