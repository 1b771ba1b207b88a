/* SPDX-License-Identifier: MIT */
/*
 * (a) Streaming map+unmap per size and direction: through bounce (private
 * memory, a device that reaches only shared memory), direct (memory already
 * shared, CCDMA_ATTR_CC_SHARED), and a plain memcpy of the same size.
 *
 * What one bounce operation counts is exactly what the guest CPU pays in
 * ccdma_map_single() + ccdma_unmap_single(): the slot search, the copy in
 * (TO_DEVICE, BIDIRECTIONAL) or zero-fill (FROM_DEVICE) at map, the copy
 * back (FROM_DEVICE, BIDIRECTIONAL) and the scrub at unmap. The device's
 * own access to the buffer is not counted: it is the device's work, the
 * same whichever path the data took, and not guest CPU time.
 */
#include "bench.h"

#include <string.h>

#define MIN_SIZE 64u
#define MAX_SIZE (256u << 10)

struct map_ctx {
    struct ccdma_device *dev;
    void *buf;
    size_t size;
    enum ccdma_dir dir;
    unsigned int attrs;
};

struct copy_ctx {
    void *dst;
    const void *src;
    size_t size;
};

static int op_map_unmap(void *p)
{
    struct map_ctx *c = p;
    ccdma_dma_t addr;
    int err = ccdma_map_single(c->dev, c->buf, c->size, c->dir, c->attrs, &addr);

    if (err)
        return err;
    return ccdma_unmap_single(c->dev, addr, c->size, c->dir, c->attrs);
}

static int op_memcpy(void *p)
{
    struct copy_ctx *c = p;

    memcpy(c->dst, c->src, c->size);
    /* The copy's result is never read: keep the compiler from dropping it. */
    __asm__ volatile("" : : "r"(c->dst) : "memory");
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
static void check_path(struct map_ctx *c, bool want_bounce)
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

#define NDIRS 3
#define NSIZES 13 /* 64 B .. 256 KiB */

/* One row of the table: a size and a direction, three ways. */
struct map_row {
    struct map_ctx bounce, direct;
    struct copy_ctx copy;
    struct bench_row row;
};

void bench_map(struct ccdma_device *dev)
{
    static const enum ccdma_dir dirs[NDIRS] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE,
                                               CCDMA_BIDIRECTIONAL};
    static struct map_row rows[NSIZES * NDIRS];
    const size_t pages = MAX_SIZE / CCDMA_PAGE_SIZE;
    uint8_t *priv = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    uint8_t *dst = ccdma_plat_pages_alloc(pages, UINT64_MAX);
    void *shared = NULL;
    ccdma_dma_t handle;
    int err = ccdma_alloc_coherent(dev, MAX_SIZE, 0, 0, &shared, &handle);
    size_t n = 0;
    FILE *csv;

    if (!priv || !dst || err)
        bench_die("buffers: %s", err ? ccdma_strerror(err) : "no pages");
    if (!ccdma_coherent_is_shared(dev, handle))
        bench_die("coherent memory is not shared: the direct path would not be measured");
    memset(priv, 0x5a, MAX_SIZE);
    memset(dst, 0, MAX_SIZE);

    for (size_t size = MIN_SIZE; size <= MAX_SIZE; size *= 2) {
        for (size_t d = 0; d < NDIRS; d++, n++) {
            struct map_row *m = &rows[n];
            bench_op_fn ops[] = {op_map_unmap, op_map_unmap, op_memcpy};
            void *ctx[] = {&m->bounce, &m->direct, &m->copy};

            m->bounce = (struct map_ctx){dev, priv, size, dirs[d], 0};
            m->direct = (struct map_ctx){dev, shared, size, dirs[d], CCDMA_ATTR_CC_SHARED};
            m->copy = (struct copy_ctx){dst, priv, size};
            check_path(&m->bounce, true);
            check_path(&m->direct, false);
            bench_row_init(&m->row, 3, ops, ctx);
        }
    }
    for (unsigned int p = 0; p < bench_opts.passes; p++)
        for (size_t i = 0; i < n; i++)
            bench_row_pass(&rows[i].row);

    csv = bench_csv_open("host_map.csv",
                         "size,direction,bounce_ns,bounce_iqr_ns,direct_ns,direct_iqr_ns,"
                         "memcpy_ns,memcpy_iqr_ns,bounce_over_memcpy,direct_over_memcpy,"
                         "samples");
    printf("\n(a) map+unmap per operation, median of %u batches [IQR]; ratio = path / memcpy\n",
           BENCH_SAMPLES);
    printf("%8s  %-13s %18s %16s %16s %8s %8s\n", "size", "direction", "bounce ns",
           "direct ns", "memcpy ns", "bounce/", "direct/");
    printf("%8s  %-13s %18s %16s %16s %8s %8s\n", "", "", "", "", "", "memcpy", "memcpy");
    for (size_t i = 0; i < n; i++) {
        struct map_row *m = &rows[i];
        struct bench_summary r[3];

        for (size_t k = 0; k < 3; k++)
            bench_row_summary(&m->row, k, &r[k]);
        bench_row_free(&m->row);
        double rb = r[0].median_ns / r[2].median_ns;
        double rd = r[1].median_ns / r[2].median_ns;
        const char *dir = bench_dir_name(m->bounce.dir);
        printf("%8zu  %-13s %9.1f [%6.1f] %8.1f [%5.1f] %8.1f [%5.1f] %8.2f %8.2f\n",
               m->bounce.size, dir, r[0].median_ns, r[0].iqr_ns, r[1].median_ns, r[1].iqr_ns,
               r[2].median_ns, r[2].iqr_ns, rb, rd);
        fprintf(csv, "%zu,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.4f,%.4f,%u\n", m->bounce.size, dir,
                r[0].median_ns, r[0].iqr_ns, r[1].median_ns, r[1].iqr_ns, r[2].median_ns,
                r[2].iqr_ns, rb, rd, r[0].samples);
    }
    bench_csv_close(csv, "host_map.csv");
    ccdma_free_coherent(dev, MAX_SIZE, shared, handle);
    ccdma_plat_pages_free(dst, pages);
    ccdma_plat_pages_free(priv, pages);
}
