/* SPDX-License-Identifier: MIT */
/*
 * The host port's realm: the in-process RMM/RIPAS model (realm_model.c)
 * driven through the real RSI client (arch/arm64/rsi.c) over an in-process
 * conduit, so host tests convert memory exactly as the firmware does and
 * count the RSI calls it costs.
 */
#ifndef CCDMA_HOST_REALM_H
#define CCDMA_HOST_REALM_H

#include <ccdma/platform.h>

/* Fault injection, mirroring the realm boots' host policies. */
struct host_realm_inject {
    bool reject;             /* host answers REJECT to requests for RAM */
    bool reject_empty;       /* ... and also to requests for EMPTY (sharing) */
    bool one_granule;        /* partial progress: one granule per call */
    bool rsi_error;          /* IPA_STATE_SET returns an error status */
    uint32_t fail_after;     /* inject only after this many good calls */
    uint8_t wipe_pattern;    /* contents written on every conversion */
};

struct host_realm_counters {
    uint64_t rsi_calls;          /* every SMC that reached the model */
    uint64_t ipa_state_set;      /* RSI_IPA_STATE_SET calls, loops included */
    uint64_t ipa_state_get;
    uint64_t granules_to_shared; /* granules converted RAM -> EMPTY */
    uint64_t granules_to_private;/* granules converted EMPTY -> RAM */
    uint64_t rejects;
    uint64_t errors;
};

/*
 * Give the model a "realm" whose protected RAM is [mem, mem+size), with the
 * given IPA width. mem is the host-side buffer that stands for it; the model
 * wipes it on conversion. Canonical physical addresses of this RAM are
 * ram_base + offset. Every granule starts as RIPAS RAM (private).
 */
int host_realm_init(void *mem, ccdma_phys_t ram_base, size_t size,
                    unsigned int ipa_width);
void host_realm_fini(void);

/* Convert through RSI_IPA_STATE_SET (EMPTY when to_shared), looping on
 * partial progress. Returns 0 or CCDMA_EREJECT / CCDMA_ERSI / CCDMA_EINVAL. */
int host_realm_convert(ccdma_phys_t base, size_t size, bool to_shared);

/* RIPAS of one granule through RSI_IPA_STATE_GET: 0 EMPTY, 1 RAM, 2 DESTROYED,
 * or a negative CCDMA_E* code. */
int host_realm_ripas(ccdma_phys_t pa);

/* The shared (unprotected) bit: 1 << (ipa_width - 1). */
uint64_t host_realm_shared_bit(void);

void host_realm_set_inject(const struct host_realm_inject *inj);
void host_realm_get_counters(struct host_realm_counters *out);

#endif /* CCDMA_HOST_REALM_H */
