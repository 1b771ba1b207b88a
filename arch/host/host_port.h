/* SPDX-License-Identifier: MIT */
/* State shared by the files of the host port (not for tests: see
 * host_platform.h). */
#ifndef CCDMA_HOST_PORT_H
#define CCDMA_HOST_PORT_H

#include "host_platform.h"

#include <pthread.h>

/* Per-page state bits. */
#define PAGE_USED 0x1u
#define PAGE_SHARED 0x2u
#define PAGE_QUARANTINED 0x4u

/* Contents of pages that nobody should read: neither zero nor a test
 * canary, so code that trusts fresh or freed memory fails visibly. */
#define HOST_POISON 0x6b

/* CPU numbers handed to threads when the configuration names none. */
#define HOST_CPUS_DEFAULT 4u

struct host_port {
    bool ready;
    struct host_platform_config cfg;
    uint8_t *arena;
    size_t npages;
    ccdma_phys_t base;
    uint8_t *state;               /* one byte per page */
    size_t hint;                  /* no free page below this index */
    uint64_t state_bit;
    struct host_platform_counters c;
    struct host_platform_faults faults;
    uint32_t allocs_seen, shares_seen, unshares_seen;
    struct host_realm_inject realm_inject;
    pthread_mutex_t mu;           /* everything above */
};

extern struct host_port host_port;

/* Page index of pa, or SIZE_MAX outside the arena. */
size_t host_page_index(ccdma_phys_t pa);
/* Whether the fault window says this call (the n-th) must fail. */
bool host_fault_due(uint32_t *seen, uint32_t after, uint32_t count);
void host_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CCDMA_HOST_PORT_H */
