/* SPDX-License-Identifier: MIT */
/*
 * The one report function of dma/. Every warning, leak and dma-debug
 * finding goes through here, so the firmware console, the host tests and a
 * quiet configuration all see the same lines and the same count.
 */
#include "dma_internal.h"

#include <stdarg.h>
#include <stdio.h>

#define RATELIMIT_INTERVAL_NS 1000000000ull
#define RATELIMIT_BURST 10u

static bool report_quiet;
static uint64_t report_lines;
static ccdma_lock_t report_lock = CCDMA_LOCK_INIT;

void dma_report(const char *fmt, ...)
{
    unsigned long flags = ccdma_plat_lock(&report_lock);
    va_list ap;

    report_lines++;
    if (!report_quiet) {
        printf("dma: ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    ccdma_plat_unlock(&report_lock, flags);
}

void dma_report_set_quiet(bool quiet)
{
    report_quiet = quiet;
}

uint64_t dma_report_count(void)
{
    unsigned long flags = ccdma_plat_lock(&report_lock);
    uint64_t n = report_lines;

    ccdma_plat_unlock(&report_lock, flags);
    return n;
}

/* Callers hold the lock of the state the limiter belongs to. */
bool dma_ratelimit_ok(struct dma_ratelimit *rl)
{
    uint64_t now = ccdma_plat_time_ns();

    if (now - rl->window_start >= RATELIMIT_INTERVAL_NS) {
        if (rl->suppressed)
            dma_report("%u reports suppressed", (unsigned)rl->suppressed);
        rl->window_start = now;
        rl->in_window = 0;
        rl->suppressed = 0;
    }
    if (rl->in_window < RATELIMIT_BURST) {
        rl->in_window++;
        return true;
    }
    rl->suppressed++;
    return false;
}
