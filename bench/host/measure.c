/* SPDX-License-Identifier: MIT */
/*
 * Timing: batches of one operation, medians and interquartile ranges.
 *
 * One clock read costs tens of nanoseconds, as much as a small map, so an
 * operation is never timed alone: a batch repeats it until it has run for
 * bench_opts.batch_ns, and the batch time is divided by its length.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench_opts bench_opts;

void bench_die(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "ccdma_bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Time of one batch of iters operations, in ns. */
static uint64_t run_batch(bench_op_fn op, void *ctx, uint64_t iters)
{
    uint64_t t0 = bench_now_ns();

    for (uint64_t i = 0; i < iters; i++) {
        int err = op(ctx);

        if (err)
            bench_die("operation failed: %s", ccdma_strerror(err));
    }
    return bench_now_ns() - t0;
}

/* Doubling until a batch lasts batch_ns; the runs double as warm-up (caches,
 * branch predictors, the pool's first touches). */
static uint64_t calibrate(bench_op_fn op, void *ctx)
{
    uint64_t iters = 1;

    while (run_batch(op, ctx, iters) < bench_opts.batch_ns && iters < (1ull << 30))
        iters *= 2;
    /* One more batch at the final length: the last doubling may have been
     * the first to touch some memory. */
    run_batch(op, ctx, iters);
    return iters;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n), linear between neighbours. */
static double quantile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)pos;
    double frac = pos - (double)lo;

    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + frac * (v[lo + 1] - v[lo]);
}

void bench_row_init(struct bench_row *row, size_t n, const bench_op_fn *ops, void *const *ctx)
{
    if (n > BENCH_MAX_OPS)
        bench_die("too many operations in one row");
    *row = (struct bench_row){.n = n};
    for (size_t k = 0; k < n; k++) {
        row->ops[k] = ops[k];
        row->ctx[k] = ctx[k];
        row->per_op[k] = calloc(BENCH_SAMPLES, sizeof(double));
        if (!row->per_op[k])
            bench_die("out of memory");
    }
}

void bench_row_pass(struct bench_row *row)
{
    for (size_t k = 0; k < row->n; k++)
        if (!row->iters[k])
            row->iters[k] = calibrate(row->ops[k], row->ctx[k]);
    for (unsigned int r = 0; r < bench_opts.rounds && row->filled < BENCH_SAMPLES; r++) {
        for (size_t j = 0; j < row->n; j++) {
            size_t k = (j + row->filled) % row->n; /* rotate who goes first */
            uint64_t ns = run_batch(row->ops[k], row->ctx[k], row->iters[k]);

            row->per_op[k][row->filled] = (double)ns / (double)row->iters[k];
        }
        row->filled++;
    }
}

void bench_row_summary(struct bench_row *row, size_t k, struct bench_summary *out)
{
    double *v = row->per_op[k];
    unsigned int n = row->filled;

    qsort(v, n, sizeof(double), cmp_double);
    out->median_ns = quantile(v, n, 0.5);
    out->iqr_ns = quantile(v, n, 0.75) - quantile(v, n, 0.25);
    out->samples = n;
    out->iters = row->iters[k];
}

void bench_row_free(struct bench_row *row)
{
    for (size_t k = 0; k < row->n; k++)
        free(row->per_op[k]);
    row->n = 0;
}

/* ---- CSV ------------------------------------------------------------------ */

FILE *bench_csv_open(const char *name, const char *header)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", bench_opts.out_dir, name);
    f = fopen(path, "w");
    if (!f)
        bench_die("cannot write %s: %s", path, strerror(errno));
    fprintf(f, "%s\n", header);
    return f;
}

void bench_csv_close(FILE *f, const char *name)
{
    if (fclose(f) != 0)
        bench_die("cannot finish %s/%s: %s", bench_opts.out_dir, name, strerror(errno));
    printf("wrote %s/%s\n", bench_opts.out_dir, name);
}
