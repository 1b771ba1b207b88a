/* SPDX-License-Identifier: MIT */
/*
 * Host port: memory conversion through the realm model.
 *
 * Share and unshare call host_realm_convert(), which runs the real RSI
 * client against the RIPAS model: it wipes the pages and counts the calls.
 * A failed conversion quarantines the whole range, since some granules may
 * have changed and others not: those pages are never handed out again and
 * cannot be freed. A call with bad arguments (misaligned, not allocated,
 * already in the target state) is refused before any RSI call and changes
 * nothing.
 */
#include "host_port.h"

#include <ccdma/errors.h>

bool ccdma_plat_cc_active(void)
{
    return host_port.ready && host_port.cfg.encoding != HOST_ENC_PLAIN;
}

size_t ccdma_plat_share_granule(void)
{
    return host_port.ready ? host_port.cfg.share_granule : CCDMA_PAGE_SIZE;
}

int ccdma_plat_mem_is_shared(const void *va, size_t size)
{
    ccdma_phys_t pa = ccdma_plat_virt_to_phys(va);

    if (!size || host_page_index(pa) == SIZE_MAX || host_page_index(pa + size - 1) == SIZE_MAX)
        return CCDMA_EFAULT;
    if (!ccdma_plat_cc_active())
        return 1;
    for (ccdma_phys_t p = pa & ~(ccdma_phys_t)(CCDMA_PAGE_SIZE - 1); p < pa + size;
         p += CCDMA_PAGE_SIZE)
        if (!host_platform_page_shared(p))
            return 0;
    return 1;
}

/* mu held: [i, i+n) allocated, outside quarantine, and (with CC) shared
 * iff `shared`. Plain pages never change state, so either call fits. */
static bool range_in_state(size_t i, size_t n, bool shared)
{
    uint8_t want = PAGE_USED | (shared ? PAGE_SHARED : 0);
    bool plain = host_port.cfg.encoding == HOST_ENC_PLAIN;

    for (size_t j = i; j < i + n; j++)
        if (plain ? host_port.state[j] != PAGE_USED : host_port.state[j] != want)
            return false;
    return true;
}

/* The leak scans' observer (host_platform_set_unshare_observer), under mu. */
static void (*unshare_observer)(void *va, ccdma_phys_t pa, size_t bytes, void *ctx);
static void *unshare_observer_ctx;

void host_platform_set_unshare_observer(void (*fn)(void *va, ccdma_phys_t pa,
                                                   size_t bytes, void *ctx),
                                        void *ctx)
{
    pthread_mutex_lock(&host_port.mu);
    unshare_observer = fn;
    unshare_observer_ctx = ctx;
    pthread_mutex_unlock(&host_port.mu);
}

static int convert(void *va, size_t size, bool to_shared)
{
    struct host_port *hp = &host_port;
    ccdma_phys_t pa = ccdma_plat_virt_to_phys(va);
    size_t i = host_page_index(pa), n = size / CCDMA_PAGE_SIZE;
    struct host_realm_inject inj;
    bool fail;
    int err;

    pthread_mutex_lock(&hp->mu);
    if (!hp->ready || i == SIZE_MAX || !size || size % hp->cfg.share_granule ||
        pa % hp->cfg.share_granule || n > hp->npages - i ||
        !range_in_state(i, n, !to_shared)) {
        hp->c.bad_conversions++;
        pthread_mutex_unlock(&hp->mu);
        host_report("refused %s of %p+%#zx: misaligned, not allocated, or not %s",
                    to_shared ? "share" : "unshare", va, size,
                    to_shared ? "private" : "shared");
        return CCDMA_EINVAL;
    }
    if (hp->cfg.encoding == HOST_ENC_PLAIN) {
        pthread_mutex_unlock(&hp->mu); /* nothing is private: nothing to do */
        return CCDMA_OK;
    }
    if (!to_shared && unshare_observer)
        unshare_observer(va, pa, size, unshare_observer_ctx);
    fail = to_shared ? host_fault_due(&hp->shares_seen, hp->faults.share_fail_after,
                                      hp->faults.share_fail_count)
                     : host_fault_due(&hp->unshares_seen, hp->faults.unshare_fail_after,
                                      hp->faults.unshare_fail_count);
    /* An injected failure is a real one: the model rejects the call. */
    inj = hp->realm_inject;
    if (fail) {
        inj.reject = true;
        inj.reject_empty = to_shared;
        inj.fail_after = 0;
        host_realm_set_inject(&inj);
    }
    err = host_realm_convert(pa, size, to_shared);
    if (fail) {
        host_realm_set_inject(&hp->realm_inject);
        if (!err)
            err = CCDMA_EREJECT; /* the model did not honour it: unknown state */
    }
    if (err) {
        for (size_t j = i; j < i + n; j++)
            hp->state[j] |= PAGE_QUARANTINED;
        hp->c.conversion_failures++;
        hp->c.quarantined_pages += n;
    } else {
        for (size_t j = i; j < i + n; j++)
            hp->state[j] = to_shared ? (PAGE_USED | PAGE_SHARED) : PAGE_USED;
        if (to_shared)
            hp->c.shares++;
        else
            hp->c.unshares++;
    }
    pthread_mutex_unlock(&hp->mu);
    if (err)
        host_report("%s of %p+%#zx failed (error %d): %zu pages quarantined",
                    to_shared ? "share" : "unshare", va, size, err, n);
    return err;
}

int ccdma_plat_mem_share(void *va, size_t size)
{
    return convert(va, size, true);
}

int ccdma_plat_mem_unshare(void *va, size_t size)
{
    return convert(va, size, false);
}
