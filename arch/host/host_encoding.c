/* SPDX-License-Identifier: MIT */
/*
 * Host port: DMA address encodings, chosen at run time.
 *  plain: both encodings are the bus (physical) address;
 *  CCA:   private = IPA, shared = IPA | shared bit (the unprotected alias);
 *  SEV:   private = PA | C-bit, shared = PA.
 */
#include "host_port.h"

#include <ccdma/errors.h>

ccdma_dma_t ccdma_plat_phys_to_dma(ccdma_phys_t pa, bool shared)
{
    switch (host_port.cfg.encoding) {
    case HOST_ENC_CCA:
        return shared ? pa | host_port.state_bit : pa;
    case HOST_ENC_SEV:
        return shared ? pa : pa | host_port.state_bit;
    default:
        return pa;
    }
}

ccdma_phys_t ccdma_plat_dma_to_phys(ccdma_dma_t addr)
{
    return addr & ~host_port.state_bit;
}

bool ccdma_plat_dma_is_shared(ccdma_dma_t addr)
{
    switch (host_port.cfg.encoding) {
    case HOST_ENC_CCA:
        return (addr & host_port.state_bit) != 0;
    case HOST_ENC_SEV:
        return (addr & host_port.state_bit) == 0;
    default:
        return true;
    }
}

/* The arena is the whole linear map, and each encoding sets at most the
 * state bit. */
int ccdma_plat_linear_describe(struct ccdma_plat_linear *out)
{
    if (!host_port.ready || host_port.cfg.seam_only)
        return CCDMA_EINVAL;
    out->va_base = (uintptr_t)host_port.arena;
    out->pa_base = host_port.base;
    out->size = host_port.npages * CCDMA_PAGE_SIZE;
    out->enc_mask = host_port.state_bit;
    out->shared_bits = host_port.cfg.encoding == HOST_ENC_CCA ? host_port.state_bit : 0;
    out->private_bits = host_port.cfg.encoding == HOST_ENC_SEV ? host_port.state_bit : 0;
    return CCDMA_OK;
}
