/* SPDX-License-Identifier: MIT */
/*
 * (a) Streaming map+unmap per size and direction: through bounce (private
 * memory, a device that reaches only shared memory), direct (memory already
 * shared, CCDMA_ATTR_CC_SHARED), one plain memcpy of the same size, and the
 * physical limit of the direction: the least a bounce could do.
 *
 * What one bounce operation counts is exactly what the guest CPU pays in
 * ccdma_map_single() + ccdma_unmap_single(): the slot search, the copy in
 * (TO_DEVICE, BIDIRECTIONAL) or zero fill (FROM_DEVICE) at map, and the copy
 * back (FROM_DEVICE, BIDIRECTIONAL) at unmap. The device's own access to the
 * buffer is not counted: it is the device's work, the same whichever path
 * the data took, and not guest CPU time.
 *
 * The limit: one memcpy toward the device for TO_DEVICE; the zero fill rule
 * 8 needs and one memcpy back for FROM_DEVICE; two memcpys for
 * BIDIRECTIONAL (docs/dma.md, "What a bounce copies").
 */
#include "bench.h"

#include <string.h>

int bench_op_map_unmap(void *p)
{
    struct bench_map_ctx *c = p;
    ccdma_dma_t addr;
    int err = ccdma_map_single(c->dev, c->buf, c->size, c->dir, c->attrs, &addr);

    if (err)
        return err;
    return ccdma_unmap_single(c->dev, addr, c->size, c->dir, c->attrs);
}

int bench_op_memcpy(void *p)
{
    struct bench_map_ctx *c = p;

    memcpy(c->slot, c->buf, c->size);
    /* The copy's result is never read: keep the compiler from dropping it. */
    __asm__ volatile("" : : "r"(c->slot) : "memory");
    return 0;
}

/* slot stands for the bounce slot, buf for the caller's buffer. */
int bench_op_limit(void *p)
{
    struct bench_map_ctx *c = p;

    if (c->dir == CCDMA_FROM_DEVICE)
        memset(c->slot, 0, c->size);
    else
        memcpy(c->slot, c->buf, c->size);
    if (c->dir != CCDMA_TO_DEVICE)
        memcpy(c->buf, c->slot, c->size);
    __asm__ volatile("" : : "r"(c->slot), "r"(c->buf) : "memory");
    return 0;
}

const char *bench_dir_name(enum ccdma_dir dir)
{
    switch (dir) {
    case CCDMA_TO_DEVICE:
        return "to_device";
    case CCDMA_FROM_DEVICE:
        return "from_device";
    default:
        return "bidirectional";
    }
}

/* The benchmark is only meaningful if each path is the one it claims. */
void bench_check_path(struct bench_map_ctx *c, bool want_bounce)
{
    ccdma_dma_t addr;
    int err = ccdma_map_single(c->dev, c->buf, c->size, c->dir, c->attrs, &addr);

    if (err)
        bench_die("map of %zu bytes failed: %s", c->size, ccdma_strerror(err));
    if (ccdma_is_bounced(c->dev, addr) != want_bounce)
        bench_die("a %zu-byte mapping went %s, expected %s", c->size,
                  want_bounce ? "direct" : "through bounce",
                  want_bounce ? "bounce" : "direct");
    err = ccdma_unmap_single(c->dev, addr, c->size, c->dir, c->attrs);
    if (err)
        bench_die("unmap failed: %s", ccdma_strerror(err));
}

int bench_buffers(struct ccdma_device *dev, struct bench_buffers *b)
{
    const size_t pages = BENCH_MAX_SIZE / CCDMA_PAGE_SIZE;
    int err;

    b->priv = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    b->slot = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    b->user = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    err = ccdma_alloc_coherent(dev, BENCH_MAX_SIZE, 0, 0, &b->shared, &b->handle);
    if (!b->priv || !b->slot || !b->user || err)
        bench_die("buffers: %s", err ? ccdma_strerror(err) : "no pages");
    if (!ccdma_coherent_is_shared(dev, b->handle))
        bench_die("coherent memory is not shared: the direct path would not be measured");
    memset(b->priv, 0x5a, BENCH_MAX_SIZE);
    memset(b->slot, 0, BENCH_MAX_SIZE);
    memset(b->user, 0x3c, BENCH_MAX_SIZE);
    b->dev = dev;
    return 0;
}

void bench_buffers_free(struct bench_buffers *b)
{
    const size_t pages = BENCH_MAX_SIZE / CCDMA_PAGE_SIZE;

    ccdma_free_coherent(b->dev, BENCH_MAX_SIZE, b->shared, b->handle);
    ccdma_plat_pages_free(b->user, pages);
    ccdma_plat_pages_free(b->slot, pages);
    ccdma_plat_pages_free(b->priv, pages);
}

void bench_cases(const struct bench_buffers *b, size_t size, enum ccdma_dir dir,
                 struct bench_map_ctx out[BENCH_PATHS])
{
    out[BENCH_BOUNCE] = (struct bench_map_ctx){b->dev, b->priv, NULL, size, dir, 0};
    out[BENCH_DIRECT] = (struct bench_map_ctx){b->dev, b->shared, NULL, size, dir,
                                               CCDMA_ATTR_CC_SHARED};
    out[BENCH_MEMCPY] = (struct bench_map_ctx){b->dev, b->user, b->slot, size, dir, 0};
    out[BENCH_LIMIT] = out[BENCH_MEMCPY];
}

#define NDIRS 3
#define NSIZES 13 /* 64 B .. 256 KiB */

static const enum ccdma_dir dirs[NDIRS] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE,
                                           CCDMA_BIDIRECTIONAL};

/* One row of the table: a size and a direction, four ways. */
struct map_row {
    struct bench_map_ctx c[BENCH_PATHS];
    struct bench_row row;
};

void bench_map(struct ccdma_device *dev)
{
    static struct map_row rows[NSIZES * NDIRS];
    struct bench_buffers b;
    size_t n = 0;
    FILE *csv;

    bench_buffers(dev, &b);
    for (size_t size = BENCH_MIN_SIZE; size <= BENCH_MAX_SIZE; size *= 2) {
        for (size_t d = 0; d < NDIRS; d++, n++) {
            struct map_row *m = &rows[n];
            bench_op_fn ops[BENCH_PATHS] = {bench_op_map_unmap, bench_op_map_unmap,
                                            bench_op_memcpy, bench_op_limit};
            void *ctx[BENCH_PATHS];

            bench_cases(&b, size, dirs[d], m->c);
            for (size_t k = 0; k < BENCH_PATHS; k++)
                ctx[k] = &m->c[k];
            bench_check_path(&m->c[BENCH_BOUNCE], true);
            bench_check_path(&m->c[BENCH_DIRECT], false);
            bench_row_init(&m->row, BENCH_PATHS, ops, ctx);
        }
    }
    for (unsigned int p = 0; p < bench_opts.passes; p++)
        for (size_t i = 0; i < n; i++)
            bench_row_pass(&rows[i].row);

    csv = bench_csv_open("host_map.csv",
                         "size,direction,bounce_ns,bounce_iqr_ns,direct_ns,direct_iqr_ns,"
                         "memcpy_ns,memcpy_iqr_ns,limit_ns,limit_iqr_ns,bounce_over_memcpy,"
                         "direct_over_memcpy,bounce_over_limit,samples");
    printf("\n(a) map+unmap per operation, median of %u batches [IQR]; limit = the least a "
           "bounce could copy for that direction\n", BENCH_SAMPLES);
    printf("%8s  %-13s %18s %16s %16s %16s %8s %8s\n", "size", "direction", "bounce ns",
           "direct ns", "memcpy ns", "limit ns", "bounce/", "direct/");
    printf("%8s  %-13s %18s %16s %16s %16s %8s %8s\n", "", "", "", "", "", "", "limit",
           "memcpy");
    for (size_t i = 0; i < n; i++) {
        struct map_row *m = &rows[i];
        struct bench_summary r[BENCH_PATHS];

        for (size_t k = 0; k < BENCH_PATHS; k++)
            bench_row_summary(&m->row, k, &r[k]);
        bench_row_free(&m->row);
        double rb = r[BENCH_BOUNCE].median_ns / r[BENCH_MEMCPY].median_ns;
        double rd = r[BENCH_DIRECT].median_ns / r[BENCH_MEMCPY].median_ns;
        double rl = r[BENCH_BOUNCE].median_ns / r[BENCH_LIMIT].median_ns;
        const char *dir = bench_dir_name(m->c[BENCH_BOUNCE].dir);

        printf("%8zu  %-13s %9.1f [%6.1f] %8.1f [%5.1f] %8.1f [%5.1f] %8.1f [%5.1f] %8.2f %8.2f\n",
               m->c[BENCH_BOUNCE].size, dir, r[0].median_ns, r[0].iqr_ns, r[1].median_ns,
               r[1].iqr_ns, r[2].median_ns, r[2].iqr_ns, r[3].median_ns, r[3].iqr_ns, rl, rd);
        fprintf(csv, "%zu,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f,%u\n",
                m->c[BENCH_BOUNCE].size, dir, r[0].median_ns, r[0].iqr_ns, r[1].median_ns,
                r[1].iqr_ns, r[2].median_ns, r[2].iqr_ns, r[3].median_ns, r[3].iqr_ns, rb, rd,
                rl, r[0].samples);
    }
    bench_csv_close(csv, "host_map.csv");
    bench_buffers_free(&b);
}
