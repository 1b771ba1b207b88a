/* SPDX-License-Identifier: MIT */
/* virtio-rng: one device-writable buffer per request. Everything else is
 * the shared transport and ring code. */
#include "virtio_internal.h"

#include <string.h>

int ccdma_rng_probe(struct ccdma_rng *rng, uintptr_t base, size_t size)
{
    struct ccdma_virtio_transport t;

    if (rng == NULL)
        return CCDMA_EINVAL;
    memset(rng, 0, sizeof(*rng));
    int err = ccdma_virtio_mmio_transport(base, size, &t);
    return err ? err : ccdma_rng_probe_transport(rng, &t);
}

int ccdma_rng_probe_transport(struct ccdma_rng *rng, const struct ccdma_virtio_transport *t)
{
    if (rng == NULL)
        return CCDMA_EINVAL;
    memset(rng, 0, sizeof(*rng));
    int err = ccdma_virtio_init_transport(&rng->vdev, t, CCDMA_VIRTIO_ID_RNG, 0, "virtio-rng");
    if (err)
        return err;
    err = ccdma_virtq_setup(&rng->vq, &rng->vdev, 0);
    if (err) {
        (void)ccdma_virtio_reset(&rng->vdev);
        return err;
    }
    return ccdma_virtio_ready(&rng->vdev);
}

int ccdma_rng_read(struct ccdma_rng *rng, void *buf, size_t len, bool shared)
{
    if (rng == NULL || buf == NULL || len == 0)
        return CCDMA_EINVAL;
    struct ccdma_virtio_buf b = {.va = buf, .len = len < CCDMA_RNG_REQ_MAX ? len : CCDMA_RNG_REQ_MAX,
                                 .device_writes = true, .shared = shared};
    uint32_t got = 0;
    int err = ccdma_virtio_request(&rng->vq, &b, 1, &got, &rng->last_path);
    /* got is clamped to b.len by the ring code. */
    return err ? err : (int)got;
}

void ccdma_rng_remove(struct ccdma_rng *rng)
{
    if (rng == NULL || rng->vdev.state == CCDMA_VIRTIO_UNUSED)
        return;
    /* The outcome stays in vdev.reset_failed: teardown keeps the rings if
     * the device may still use them. */
    (void)ccdma_virtio_reset(&rng->vdev);
    ccdma_virtq_teardown(&rng->vq);
    rng->vdev.state = CCDMA_VIRTIO_UNUSED;
}
