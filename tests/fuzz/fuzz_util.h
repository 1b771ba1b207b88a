/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the libFuzzer targets: a reader that turns the fuzz
 * input into values (zeros once it runs dry, so every input is usable),
 * an invariant check that aborts, and a copy of the input that ends at a
 * PROT_NONE page, so an over-read is caught even in code ASan does not
 * instrument (Debian's libfdt).
 */
#ifndef CCDMA_FUZZ_UTIL_H
#define CCDMA_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* An invariant break is a crash: libFuzzer saves the input that caused it. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz invariant broken at %s:%d: %s: ", __FILE__,  \
                    __LINE__, #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* CCDMA_FUZZ_TRACE=1 in the environment: say what each input did (for
 * writing seeds and reading crashes; off while fuzzing). */
static bool fz_tracing;
#define FZ_TRACE(...)                                                          \
    do {                                                                       \
        if (fz_tracing)                                                        \
            fprintf(stderr, __VA_ARGS__);                                      \
    } while (0)

static inline void fz_trace_init(void) { fz_tracing = getenv("CCDMA_FUZZ_TRACE") != NULL; }

/* For the harness's own byte-by-byte checks: coverage of them is noise
 * and its tracing would cost most of the time. */
#define FZ_NOCOV __attribute__((no_sanitize("coverage")))

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline bool fz_empty(const struct fz *f) { return f->n == 0; }

static inline uint8_t fz_u8(struct fz *f)
{
    if (f->n == 0)
        return 0;
    f->n--;
    return *f->p++;
}

static inline uint64_t fz_uint(struct fz *f, unsigned int bytes)
{
    uint64_t v = 0;
    for (unsigned int i = 0; i < bytes; i++)
        v = (v << 8) | fz_u8(f);
    return v;
}

static inline uint32_t fz_u32(struct fz *f) { return (uint32_t)fz_uint(f, 4); }
static inline uint64_t fz_u64(struct fz *f) { return fz_uint(f, 8); }

/* Up to max bytes into dst; returns how many there were. */
static inline size_t fz_bytes(struct fz *f, void *dst, size_t max)
{
    size_t n = max < f->n ? max : f->n;
    memcpy(dst, f->p, n);
    f->p += n;
    f->n -= n;
    return n;
}

/*
 * A window of up to max bytes that ends at a PROT_NONE page. fz_guarded()
 * copies len bytes so that they end exactly at the guard and returns their
 * start, which is 4-byte aligned when len is (a DTB's properties are 32-bit
 * aligned relative to its start).
 */
struct fz_guard {
    uint8_t *win;
    size_t max;
};

static inline void fz_guard_init(struct fz_guard *g, size_t max)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t span = (max + (size_t)page - 1) / (size_t)page * (size_t)page;
    uint8_t *m = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m + span, (size_t)page, PROT_NONE) != 0) {
        perror("fuzz guard page");
        abort();
    }
    g->win = m + span; /* the guard page */
    g->max = span;
}

static inline uint8_t *fz_guarded(struct fz_guard *g, const void *src, size_t len)
{
    if (len > g->max)
        abort();
    memcpy(g->win - len, src, len);
    return g->win - len;
}

#endif /* CCDMA_FUZZ_UTIL_H */
