/* SPDX-License-Identifier: MIT */
/*
 * Host port: set-up, configuration, counters and fault knobs.
 */
#define _GNU_SOURCE
#include "host_port.h"

#include <ccdma/errors.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct host_port host_port = {.mu = PTHREAD_MUTEX_INITIALIZER};

static const char *const encoding_names[] = {
    [HOST_ENC_PLAIN] = "plain",
    [HOST_ENC_CCA] = "cca",
    [HOST_ENC_SEV] = "sev",
};

int host_encoding_parse(const char *name, enum host_encoding *out)
{
    for (size_t i = 0; i < sizeof(encoding_names) / sizeof(encoding_names[0]); i++) {
        if (name && strcmp(name, encoding_names[i]) == 0) {
            *out = (enum host_encoding)i;
            return CCDMA_OK;
        }
    }
    return CCDMA_EINVAL;
}

const char *host_encoding_name(enum host_encoding enc)
{
    if ((size_t)enc >= sizeof(encoding_names) / sizeof(encoding_names[0]))
        return "?";
    return encoding_names[enc];
}

void host_report(const char *fmt, ...)
{
    va_list ap;

    if (host_port.cfg.quiet)
        return;
    fprintf(stderr, "host: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

static bool power_of_two(size_t x)
{
    return x && !(x & (x - 1));
}

int host_platform_init(const struct host_platform_config *cfg)
{
    struct host_platform_config c = cfg ? *cfg : (struct host_platform_config){0};
    struct host_port *hp = &host_port;
    int err;

    if (hp->ready)
        return CCDMA_EBUSY;
    if (!c.arena_bytes)
        c.arena_bytes = HOST_ARENA_DEFAULT;
    if (!c.ram_base)
        c.ram_base = HOST_RAM_BASE_DEFAULT;
    if (!c.ipa_width)
        c.ipa_width = HOST_IPA_WIDTH_DEFAULT;
    if (!c.sev_cbit)
        c.sev_cbit = HOST_SEV_CBIT_DEFAULT;
    if (!c.share_granule)
        c.share_granule = CCDMA_PAGE_SIZE;
    if (!c.cpus)
        c.cpus = HOST_CPUS_DEFAULT;
    if (c.encoding > HOST_ENC_SEV || !power_of_two(c.share_granule) ||
        c.share_granule < CCDMA_PAGE_SIZE || c.arena_bytes % c.share_granule ||
        c.ram_base % c.share_granule || c.sev_cbit > 62)
        return CCDMA_EINVAL;

    memset(&hp->c, 0, sizeof(hp->c));
    memset(&hp->faults, 0, sizeof(hp->faults));
    memset(&hp->realm_inject, 0, sizeof(hp->realm_inject));
    hp->allocs_seen = hp->shares_seen = hp->unshares_seen = 0;
    hp->cfg = c;
    hp->base = c.ram_base;
    hp->npages = c.arena_bytes / CCDMA_PAGE_SIZE;
    hp->hint = 0;
    hp->arena = aligned_alloc(c.share_granule > 65536 ? c.share_granule : 65536,
                              c.arena_bytes);
    hp->state = calloc(hp->npages, 1);
    if (!hp->arena || !hp->state) {
        free(hp->arena);
        free(hp->state);
        return CCDMA_ENOMEM;
    }

    hp->state_bit = 0;
    if (c.encoding != HOST_ENC_PLAIN) {
        /* Both CC encodings keep RIPAS in the realm model: SEV-style only
         * changes what a DMA address looks like, not how sharing works. */
        err = host_realm_init(hp->arena, hp->base, c.arena_bytes, c.ipa_width);
        if (err) {
            free(hp->arena);
            free(hp->state);
            return err;
        }
        hp->state_bit = c.encoding == HOST_ENC_CCA ? host_realm_shared_bit()
                                                   : 1ull << c.sev_cbit;
        if (hp->state_bit <= hp->base + c.arena_bytes - 1) {
            host_realm_fini();
            free(hp->arena);
            free(hp->state);
            return CCDMA_EINVAL; /* RAM would overlap its own alias */
        }
    }
    hp->ready = true;
    return CCDMA_OK;
}

void host_platform_fini(void)
{
    struct host_port *hp = &host_port;

    if (!hp->ready)
        return;
    if (hp->c.quarantined_pages)
        host_report("%llu pages were quarantined after failed conversions",
                    (unsigned long long)hp->c.quarantined_pages);
    if (hp->cfg.encoding != HOST_ENC_PLAIN)
        host_realm_fini();
    free(hp->arena);
    free(hp->state);
    hp->arena = NULL;
    hp->state = NULL;
    hp->ready = false;
}

enum host_encoding host_platform_encoding(void)
{
    return host_port.cfg.encoding;
}

uint64_t host_platform_state_bit(void)
{
    return host_port.state_bit;
}

void host_platform_get_counters(struct host_platform_counters *out)
{
    pthread_mutex_lock(&host_port.mu);
    *out = host_port.c;
    pthread_mutex_unlock(&host_port.mu);
}

void host_platform_set_faults(const struct host_platform_faults *faults)
{
    pthread_mutex_lock(&host_port.mu);
    if (faults)
        host_port.faults = *faults;
    else
        memset(&host_port.faults, 0, sizeof(host_port.faults));
    host_port.allocs_seen = host_port.shares_seen = host_port.unshares_seen = 0;
    pthread_mutex_unlock(&host_port.mu);
}

void host_platform_set_realm_inject(const struct host_realm_inject *inj)
{
    pthread_mutex_lock(&host_port.mu);
    if (inj)
        host_port.realm_inject = *inj;
    else
        memset(&host_port.realm_inject, 0, sizeof(host_port.realm_inject));
    if (host_port.ready && host_port.cfg.encoding != HOST_ENC_PLAIN)
        host_realm_set_inject(&host_port.realm_inject);
    pthread_mutex_unlock(&host_port.mu);
}

/* mu held. */
bool host_fault_due(uint32_t *seen, uint32_t after, uint32_t count)
{
    uint32_t n = (*seen)++;

    return count && n >= after && n - after < count;
}
