/* SPDX-License-Identifier: MIT */
/*
 * The host port of the platform seam (include/ccdma/platform.h): RAM is a
 * host arena standing at a canonical physical base, conversions go through
 * the realm model (host_realm.h), and the DMA address encoding is chosen at
 * run time so that one test binary runs under every encoding.
 *
 * Everything here is for tests, benchmarks and fuzzers: the counters and
 * fault knobs let them check real effects rather than trust return codes.
 */
#ifndef CCDMA_HOST_PLATFORM_H
#define CCDMA_HOST_PLATFORM_H

#include <ccdma/platform.h>

#include "host_realm.h"

enum host_encoding {
    HOST_ENC_PLAIN, /* no CC: every page is shared, both encodings are plain */
    HOST_ENC_CCA,   /* shared = IPA | top IPA bit (host_realm_shared_bit()) */
    HOST_ENC_SEV,   /* private = PA | C-bit; shared = PA */
};

#define HOST_RAM_BASE_DEFAULT 0x40000000ull
#define HOST_ARENA_DEFAULT ((size_t)64 << 20)
#define HOST_IPA_WIDTH_DEFAULT 32u
#define HOST_SEV_CBIT_DEFAULT 47u

/* What ccdma_plat_virt_to_phys() answers for memory outside the arena. */
#define HOST_PHYS_INVALID (~(ccdma_phys_t)0)

struct host_platform_config {
    enum host_encoding encoding;
    size_t arena_bytes;      /* 0: HOST_ARENA_DEFAULT */
    ccdma_phys_t ram_base;   /* 0: HOST_RAM_BASE_DEFAULT */
    unsigned int ipa_width;  /* realm model; 0: 32, so the shared bit is 31 */
    unsigned int sev_cbit;   /* 0: 47 */
    size_t share_granule;    /* 0: 4 KiB; a power of two */
    bool quiet;              /* do not print quarantine reports */
    unsigned int cpus;       /* CPU numbers ccdma_plat_cpu_id() hands out
                              * (ccdma_plat_cpu_count()); 0: 4 */
    bool seam_only;          /* decline ccdma_plat_linear_describe(), as a
                              * port without the arithmetic description
                              * does: every translation goes through the
                              * seam's functions */
};

int host_platform_init(const struct host_platform_config *cfg);
void host_platform_fini(void);

/* The host's CPUs are threads: each thread gets a number on its first
 * ccdma_plat_cpu_id(), round robin over the configured count, unless it
 * chose one here first (a benchmark pinning its threads to areas). */
void host_platform_set_cpu(unsigned int cpu);

/* "plain", "cca" or "sev". */
int host_encoding_parse(const char *name, enum host_encoding *out);
const char *host_encoding_name(enum host_encoding enc);
enum host_encoding host_platform_encoding(void);
/* The address bit that tells the states apart in a DMA address: the shared
 * bit (CCA) or the C-bit (SEV); 0 when plain. */
uint64_t host_platform_state_bit(void);

struct host_platform_counters {
    uint64_t cache_clean, cache_invalidate, cache_clean_invalidate; /* calls */
    uint64_t cache_clean_bytes, cache_invalidate_bytes, cache_clean_invalidate_bytes;
    uint64_t page_allocs, page_frees;
    uint64_t pages_in_use;        /* allocated, including quarantined */
    uint64_t shares, unshares;    /* successful conversions */
    uint64_t conversion_failures;
    uint64_t quarantined_pages;   /* never reused */
    uint64_t bad_frees;           /* refused: free of shared, quarantined or free pages */
    uint64_t bad_conversions;     /* refused: misaligned, foreign or wrong-state range */
};

void host_platform_get_counters(struct host_platform_counters *out);

/* Injected failures of the port itself: succeed `after` calls, then fail
 * `count` calls. Share/unshare failures are made real: the realm model is
 * told to reject the call, so its state and counters show it. */
struct host_platform_faults {
    uint32_t alloc_fail_after, alloc_fail_count;
    uint32_t share_fail_after, share_fail_count;
    uint32_t unshare_fail_after, unshare_fail_count;
};

void host_platform_set_faults(const struct host_platform_faults *faults); /* NULL clears */
/* The realm model's own injections (wipe pattern, partial progress, ...),
 * kept underneath the port's per-call ones. */
void host_platform_set_realm_inject(const struct host_realm_inject *inj);

/* The port's view of a page (pa anywhere inside it). */
bool host_platform_page_allocated(ccdma_phys_t pa);
bool host_platform_page_shared(ccdma_phys_t pa);
bool host_platform_page_quarantined(ccdma_phys_t pa);
size_t host_platform_free_pages(void);

/* fn for each maximal run of shared pages, in address order. */
void host_platform_for_each_shared(void (*fn)(void *va, ccdma_phys_t pa,
                                              size_t bytes, void *ctx),
                                   void *ctx);

/* For leak scans, which walk the shared runs above at chosen moments: fn
 * (NULL: none) is called for every unshare that passed its argument
 * checks, before the conversion, while the range is still shared - the
 * last moment the host sees those bytes, so memory shared only for a while
 * is seen too. (A failed share needs no such call: granules it converted
 * were wiped, the others stayed private.) As with for_each_shared, fn may
 * read the memory but must not call into the port. */
void host_platform_set_unshare_observer(void (*fn)(void *va, ccdma_phys_t pa,
                                                   size_t bytes, void *ctx),
                                        void *ctx);

#endif /* CCDMA_HOST_PLATFORM_H */
