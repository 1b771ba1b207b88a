/* SPDX-License-Identifier: MIT */
/*
 * (c) Why atomic pools exist: ccdma_alloc_coherent()+free from the atomic
 * pool (memory converted once, at init) against the converting path (pages
 * shared at allocation and made private again at free). The conversion is
 * counted in RSI calls (RSI_IPA_STATE_SET) and granules on the host's realm
 * model; its time here is the model's, far cheaper than a real RMM's.
 */
#include "bench.h"

#include "host_platform.h"

struct alloc_ctx {
    struct ccdma_device *dev;
    size_t size;
    unsigned int flags;
};

static int op_alloc_free(void *p)
{
    struct alloc_ctx *c = p;
    ccdma_dma_t handle;
    void *cpu;
    int err = ccdma_alloc_coherent(c->dev, c->size, c->flags, 0, &cpu, &handle);

    if (err)
        return err;
    return ccdma_free_coherent(c->dev, c->size, cpu, handle);
}

/* RSI work per operation while one path alone runs. */
struct rsi_cost {
    double rsi_calls, state_sets, granules;
};

static struct rsi_cost rsi_cost_of(struct alloc_ctx *c, unsigned int reps)
{
    struct host_realm_counters a, b;
    struct rsi_cost r;

    host_realm_get_counters(&a);
    for (unsigned int i = 0; i < reps; i++)
        if (op_alloc_free(c))
            bench_die("coherent allocation of %zu bytes failed", c->size);
    host_realm_get_counters(&b);
    r.rsi_calls = (double)(b.rsi_calls - a.rsi_calls) / reps;
    r.state_sets = (double)(b.ipa_state_set - a.ipa_state_set) / reps;
    r.granules = (double)(b.granules_to_shared - a.granules_to_shared + b.granules_to_private -
                          a.granules_to_private) / reps;
    return r;
}

void bench_coherent(struct ccdma_device *dev)
{
    static const size_t full_sizes[] = {4096, 16384, 65536};
    static const size_t quick_sizes[] = {4096, 65536};
    const size_t *sizes = bench_opts.quick ? quick_sizes : full_sizes;
    size_t nsizes = bench_opts.quick ? 2 : 3;
    static const char *const names[] = {"atomic_pool", "converting"};
    FILE *csv;

    csv = bench_csv_open("host_coherent.csv",
                         "size,path,alloc_free_ns,iqr_ns,rsi_calls_per_op,"
                         "ipa_state_set_per_op,granules_converted_per_op,samples");
    printf("\n(c) ccdma_alloc_coherent()+free: atomic pool against a converting allocation\n");
    printf("%8s  %-12s %18s %10s %14s %10s\n", "size", "path", "alloc+free ns", "RSI calls",
           "IPA_STATE_SET", "granules");
    for (size_t i = 0; i < nsizes; i++) {
        struct alloc_ctx atomic = {dev, sizes[i], CCDMA_ALLOC_ATOMIC};
        struct alloc_ctx convert = {dev, sizes[i], 0};
        bench_op_fn ops[] = {op_alloc_free, op_alloc_free};
        void *ctx[] = {&atomic, &convert};
        struct alloc_ctx *paths[] = {&atomic, &convert};
        struct bench_summary r[2];
        struct bench_row row;

        bench_row_init(&row, 2, ops, ctx);
        for (unsigned int p = 0; p < bench_opts.passes; p++)
            bench_row_pass(&row);
        for (int k = 0; k < 2; k++)
            bench_row_summary(&row, (size_t)k, &r[k]);
        bench_row_free(&row);
        for (int k = 0; k < 2; k++) {
            struct rsi_cost c = rsi_cost_of(paths[k], 16);

            printf("%8zu  %-12s %9.1f [%6.1f] %10.2f %14.2f %10.2f\n", sizes[i], names[k],
                   r[k].median_ns, r[k].iqr_ns, c.rsi_calls, c.state_sets, c.granules);
            fprintf(csv, "%zu,%s,%.2f,%.2f,%.3f,%.3f,%.3f,%u\n", sizes[i], names[k],
                    r[k].median_ns, r[k].iqr_ns, c.rsi_calls, c.state_sets, c.granules,
                    r[k].samples);
        }
    }
    bench_csv_close(csv, "host_coherent.csv");
}
