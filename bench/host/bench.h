/* SPDX-License-Identifier: MIT */
/*
 * The host benchmark: what bounce buffering costs next to direct mapping
 * and a plain memcpy, how the bounce allocator behaves as its pool fills
 * up, and what a converting coherent allocation costs next to the atomic
 * pool. See docs/benchmarks.md for the method.
 */
#ifndef CCDMA_BENCH_HOST_H
#define CCDMA_BENCH_HOST_H

#include <ccdma/dma.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* How long each measurement runs, and how often. */
struct bench_opts {
    bool quick;              /* CI smoke run: few samples, short batches */
    unsigned int passes;     /* passes over all the rows of a table */
    unsigned int rounds;     /* timed batches per row and pass */
    uint64_t batch_ns;       /* a batch repeats the operation for at least this long */
    const char *out_dir;     /* CSV files go here */
};

/* Timed batches per row: the median of these is reported. */
#define BENCH_SAMPLES (bench_opts.passes * bench_opts.rounds)

extern struct bench_opts bench_opts;

/* ---- measurement --------------------------------------------------------- */

/* One operation under test; ctx is its state. Returns 0 or an error, which
 * stops the benchmark (a failed map is a bug, not a slow path). */
typedef int (*bench_op_fn)(void *ctx);

struct bench_summary {
    double median_ns;        /* per operation */
    double iqr_ns;           /* interquartile range of the per-operation times */
    unsigned int samples;
    uint64_t iters;          /* operations per batch */
};

/*
 * A row: several operations measured side by side. Each is calibrated on
 * first use (which warms it up); each call then appends bench_opts.rounds
 * rounds of batches, interleaved, the order rotating every round, so drift
 * and noise from the machine fall on all of them alike. Tables call it
 * once per pass for every row, so that a burst of load on the machine
 * lands on a few batches of every row, not on all the batches of one.
 */
#define BENCH_MAX_OPS 4

struct bench_row {
    size_t n;
    bench_op_fn ops[BENCH_MAX_OPS];
    void *ctx[BENCH_MAX_OPS];
    uint64_t iters[BENCH_MAX_OPS];
    double *per_op[BENCH_MAX_OPS]; /* BENCH_SAMPLES batch times per operation */
    unsigned int filled;
};

void bench_row_init(struct bench_row *row, size_t n, const bench_op_fn *ops, void *const *ctx);
void bench_row_pass(struct bench_row *row);
/* Median and IQR of the batches of operation k. */
void bench_row_summary(struct bench_row *row, size_t k, struct bench_summary *out);
void bench_row_free(struct bench_row *row);

uint64_t bench_now_ns(void);
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- output ---------------------------------------------------------------- */

FILE *bench_csv_open(const char *name, const char *header);
void bench_csv_close(FILE *f, const char *name);

/* ---- (a) and its instruction counts: what one case of a size and direction is */

#define BENCH_MIN_SIZE 64u
#define BENCH_MAX_SIZE (256u << 10)

/* The four ways a row measures. */
enum { BENCH_BOUNCE, BENCH_DIRECT, BENCH_MEMCPY, BENCH_LIMIT, BENCH_PATHS };

struct bench_map_ctx {
    struct ccdma_device *dev;
    void *buf;      /* what is mapped; the caller's buffer for memcpy and limit */
    void *slot;     /* memcpy and limit: stands for the bounce slot */
    size_t size;
    enum ccdma_dir dir;
    unsigned int attrs;
};

struct bench_buffers {
    struct ccdma_device *dev;
    uint8_t *priv;  /* private: bounces */
    uint8_t *slot, *user;
    void *shared;   /* coherent, shared: direct with CC_SHARED */
    ccdma_dma_t handle;
};

int bench_buffers(struct ccdma_device *dev, struct bench_buffers *b);
void bench_buffers_free(struct bench_buffers *b);
/* The four cases of one size and direction, over b. */
void bench_cases(const struct bench_buffers *b, size_t size, enum ccdma_dir dir,
                 struct bench_map_ctx out[BENCH_PATHS]);
int bench_op_map_unmap(void *ctx);
int bench_op_memcpy(void *ctx);
/* The least the CPU must do for the direction (docs/dma.md, "What a bounce
 * copies"): a memcpy toward the device, the zero fill and a memcpy back for
 * FROM_DEVICE, both memcpys for BIDIRECTIONAL. */
int bench_op_limit(void *ctx);
/* Dies unless a mapping of c goes through bounce exactly when want_bounce. */
void bench_check_path(struct bench_map_ctx *c, bool want_bounce);

/* ---- the parts ----------------------------------------------------------------- */

/* (a) map+unmap through bounce and direct, memcpy and the physical limit,
 * per size and direction. */
void bench_map(struct ccdma_device *dev);
/* (b) mappings of each size from 2 KiB to 256 KiB against the occupancy and
 * fragmentation of a pool filled with mixed sizes. */
void bench_occupancy(struct ccdma_device *dev);
/* (c) coherent allocation: atomic pool against a converting allocation. */
void bench_coherent(struct ccdma_device *dev);

/* (d) map+unmap throughput with 1, 2 and 4 threads, the bounce pool under
 * one lock and in per-thread areas. Restarts the runtime under base with
 * each layout, and leaves it running under base. */
void bench_scaling(struct ccdma_device *dev, const struct ccdma_config *base);

/* Instruction counts of (a), for callgrind (instructions.c). */
void bench_instructions(struct ccdma_device *dev);

const char *bench_dir_name(enum ccdma_dir dir);

#endif /* CCDMA_BENCH_HOST_H */
