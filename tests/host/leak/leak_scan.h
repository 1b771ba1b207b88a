/* SPDX-License-Identifier: MIT */
/*
 * Canaries for leak scans, and the scan that finds them. Portable C11
 * (memchr only), so a boot self-test can use the same format.
 *
 * A canary is a 64-bit word repeated through a buffer, little-endian bytes
 *     C5 class tag ~tag 1E A7 3D 9B
 * class LEAK_SECRET marks private bytes the host must never see;
 * LEAK_SHOWN marks private bytes a caller maps toward the device, which may
 * appear only in the bounce slots that carried them to the device (the
 * caller chose to show them; they may stay there after unmap). tag names
 * the buffer.
 *
 * The scan finds any run of at least 8 canary bytes at any byte alignment
 * (so any copy of 8 or more consecutive bytes of a canary buffer), with its
 * class and tag; a random or device-written run matches with odds of about
 * 2^-40. Each maximal run counts once.
 */
#ifndef CCDMA_TEST_LEAK_SCAN_H
#define CCDMA_TEST_LEAK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum leak_class {
    LEAK_SECRET = 0x53,
    LEAK_SHOWN = 0x54,
};

#define LEAK_MIN_RUN 8u
#define LEAK_KEEP 4 /* hits kept for the report */

uint64_t leak_canary(enum leak_class cls, uint8_t tag);
/* Fill [buf, buf+len) with the canary, word-aligned to buf. */
void leak_fill(void *buf, size_t len, enum leak_class cls, uint8_t tag);

/* A physical range where LEAK_SHOWN bytes are allowed: the slots of a
 * bounce mapping toward the device. */
struct leak_allow {
    uint64_t lo, hi;
};

struct leak_hit {
    uint64_t pa;
    size_t len;
    uint8_t cls, tag;
};

struct leak_scan {
    const struct leak_allow *allow;
    unsigned int nallow;
    uint64_t bytes, ranges;
    uint64_t secret, shown, allowed; /* runs found: violations, then allowed */
    struct leak_hit hit[LEAK_KEEP];  /* the first violations */
    unsigned int nhit;
};

/* Zero the counters, keeping the allowances. */
void leak_scan_reset(struct leak_scan *s, const struct leak_allow *allow,
                     unsigned int nallow);
/* Scan [va, va+bytes), whose physical address is pa. */
void leak_scan_range(struct leak_scan *s, const void *va, uint64_t pa,
                     size_t bytes);
static inline uint64_t leak_violations(const struct leak_scan *s)
{
    return s->secret + s->shown;
}

#endif /* CCDMA_TEST_LEAK_SCAN_H */
