/* SPDX-License-Identifier: MIT */
/*
 * The poison window: host memory at the PAs a device reaches when a realm
 * hands it a protected IPA (docs/realm.md). Nothing may write there, so it
 * is filled with a pattern at boot and every changed byte at shutdown is a
 * leak: realm data went to (or a device wrote into) memory the realm does
 * not own.
 */
#include <stdio.h>

#include <ccdma/platform.h>

#include "monitor.h"

#define POISON_WORD 0xd76b5a3cd76b5a3cull /* no byte equals a wipe default */
#define MAX_RUNS_REPORTED 8

void poison_fill(void)
{
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)MON_POISON_BASE;
    uint64_t n = (MON_POISON_TOP - MON_POISON_BASE) / sizeof(uint64_t);

    for (uint64_t i = 0; i < n; i++)
        p[i] = POISON_WORD;
    /* To memory: a device's view (or a non-coherent DMA) starts from it. */
    ccdma_plat_cache_clean_invalidate((void *)(uintptr_t)MON_POISON_BASE,
                                      MON_POISON_TOP - MON_POISON_BASE);
}

/* Changed words are reported as runs of 8-byte words, the first few only. */
bool poison_check(void)
{
    const volatile uint64_t *p = (const volatile uint64_t *)(uintptr_t)MON_POISON_BASE;
    uint64_t n = (MON_POISON_TOP - MON_POISON_BASE) / sizeof(uint64_t);
    uint64_t changed = 0, runs = 0, run_start = 0;
    bool in_run = false;

    /* A device may have written memory behind the cache. */
    ccdma_plat_cache_clean_invalidate((void *)(uintptr_t)MON_POISON_BASE,
                                      MON_POISON_TOP - MON_POISON_BASE);
    for (uint64_t i = 0; i <= n; i++) {
        bool bad = i < n && p[i] != POISON_WORD;

        if (bad && !in_run) {
            in_run = true;
            run_start = i;
        } else if (!bad && in_run) {
            in_run = false;
            if (runs++ < MAX_RUNS_REPORTED)
                printf("monitor: LEAK: host memory PA 0x%llx-0x%llx changed "
                       "(first word now 0x%016llx)\n",
                       (unsigned long long)(MON_POISON_BASE + run_start * 8),
                       (unsigned long long)(MON_POISON_BASE + i * 8),
                       (unsigned long long)p[run_start]);
        }
        changed += bad;
    }
    if (runs > MAX_RUNS_REPORTED)
        printf("monitor: LEAK: ... %llu more changed runs\n",
               (unsigned long long)(runs - MAX_RUNS_REPORTED));
    if (changed == 0)
        printf("monitor: poison window PA 0x%llx-0x%llx intact\n",
               (unsigned long long)MON_POISON_BASE, (unsigned long long)MON_POISON_TOP);
    else
        printf("monitor: LEAK: %llu bytes of the poison window changed: a device "
               "reached host memory through a protected IPA\n",
               (unsigned long long)(changed * 8));
    return changed == 0;
}
