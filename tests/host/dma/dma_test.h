/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the DMA host tests: TAP-like checks, set-up under one
 * encoding (the first command-line argument), test memory, and a fake
 * device that reaches memory only through the DMA address it was given, the
 * way hardware does.
 */
#ifndef CCDMA_DMA_TEST_H
#define CCDMA_DMA_TEST_H

#include <ccdma/dma.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "host_platform.h"

/* ---- checks ------------------------------------------------------------- */

void t_check(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int t_finish(void);
int t_failures(void);

#define CHECK(cond, name)                                                      \
    t_check((cond), (name), "%s (%s:%d)", #cond, __FILE__, __LINE__)

#define CHECK_EQ(a, b, name)                                                   \
    do {                                                                       \
        unsigned long long a_ = (unsigned long long)(a);                       \
        unsigned long long b_ = (unsigned long long)(b);                       \
        t_check(a_ == b_, (name), "%s = %#llx, expected %#llx (%s:%d)", #a,    \
                a_, b_, __FILE__, __LINE__);                                   \
    } while (0)

#define CHECK_ERR(expr, want, name)                                            \
    do {                                                                       \
        int got_ = (expr), want_ = (want);                                     \
        t_check(got_ == want_, (name), "%s returned %d (%s), expected %d (%s)" \
                " (%s:%d)", #expr, got_, ccdma_strerror(got_), want_,          \
                ccdma_strerror(want_), __FILE__, __LINE__);                    \
    } while (0)

/* Aborts the test binary: for set-up steps that every later check needs. */
#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond))                                                           \
            t_abort(#cond, __FILE__, __LINE__);                                \
    } while (0)

void t_abort(const char *what, const char *file, int line) __attribute__((noreturn));

/* ---- environment ------------------------------------------------------------ */

struct t_env {
    enum host_encoding enc;
    bool cc;                /* the encoding has a private/shared split */
    const char *enc_name;
    bool seam_only;         /* argv[1] ended in "-seam": the port declines the
                             * linear description */
};

extern struct t_env T;

/* Parses argv[1] ("plain", "cca", "sev", each optionally with "-seam")
 * and prints the TAP header. */
void t_start(int argc, char **argv, const char *suite);

/* The test configuration: 1 MiB shared bounce pool, 256 KiB private one,
 * 64 KiB atomic pools, dma-debug on. */
struct ccdma_config t_config(void);
void t_setup(void);
void t_setup_with(const struct host_platform_config *port,
                  const struct ccdma_config *cfg);
/* ccdma_shutdown() then the port; returns what shutdown returned (leaks). */
int t_teardown(void);

/* Runs fn between set-up and shutdown under the test configuration, and
 * checks that the run left no leak, no dma-debug error and no page behind.
 * fn frees what it allocates. */
void t_run(void (*fn)(void), const char *name);
/* t_run under another runtime configuration (for example dma-debug off),
 * with the same clean-exit checks. */
void t_run_with(void (*fn)(void), const char *name, const struct ccdma_config *cfg);
/* Just names the checks: fn does its own set-up (t_setup_with) and its own
 * clean-exit checks, for tests that configure or leak on purpose. */
void t_run_raw(void (*fn)(void), const char *name);

/* ---- memory ----------------------------------------------------------------- */

void *t_pages(size_t n);               /* private pages */
void t_pages_free(void *va, size_t n);
void *t_shared_pages(size_t n);        /* shared by the test itself */
void t_shared_free(void *va, size_t n);
ccdma_phys_t t_pa(const void *va);

/* ---- encodings, computed here, not by the port -------------------------------- */

ccdma_dma_t t_encode(ccdma_phys_t pa, bool shared);
ccdma_phys_t t_decode(ccdma_dma_t addr);
bool t_is_shared(ccdma_dma_t addr);

/* ---- devices ------------------------------------------------------------------ */

/* T=0: shared only under CC (ccdma_device_default). */
void t_dev_t0(struct ccdma_device *dev, const char *name, uint64_t mask);
/* T=1: reaches private and shared memory. */
void t_dev_t1(struct ccdma_device *dev, const char *name, uint64_t mask);

/*
 * The fake device. It decodes addr itself and refuses (returns -1, with
 * the reason in t_dev_error) what the hardware could not do: an address
 * over its mask or bus limit, a state it cannot reach, or a page whose real
 * state does not match the encoding (a shared alias of a private page is
 * unmapped; a private address for a shared page is host memory).
 */
extern char t_dev_error[160];
int t_dev_write(const struct ccdma_device *dev, ccdma_dma_t addr,
                const void *src, size_t len);
int t_dev_fill(const struct ccdma_device *dev, ccdma_dma_t addr, uint8_t byte,
               size_t len);
int t_dev_read(const struct ccdma_device *dev, ccdma_dma_t addr, void *dst,
               size_t len);

/* ---- observations ------------------------------------------------------------- */

uint64_t t_rsi_state_sets(void);     /* RSI_IPA_STATE_SET calls so far */
/* RIPAS of the page at pa from the realm model (0 EMPTY, 1 RAM); -1 plain. */
int t_ripas(ccdma_phys_t pa);
/* True when every page of [pa, pa+size) is shared in both the port's and
 * the model's view (always true under plain). */
bool t_range_shared(ccdma_phys_t pa, size_t size);
bool t_range_private(ccdma_phys_t pa, size_t size);
/* Occurrences of needle in the pages the port holds as shared. */
size_t t_scan_shared(const void *needle, size_t len);
bool t_all_bytes(const void *p, uint8_t byte, size_t len);
struct ccdma_debug_counters t_debug(void);
struct ccdma_dma_stats t_stats(void);
struct host_platform_counters t_port(void);
struct ccdma_swiotlb_stats t_pool_stats(struct ccdma_swiotlb *pool);

#endif /* CCDMA_DMA_TEST_H */
