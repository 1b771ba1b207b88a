/* SPDX-License-Identifier: MIT */
/*
 * Instruction counts per operation, for callgrind (docs/benchmarks.md):
 *
 *   valgrind --tool=callgrind --collect-atstart=no ccdma_bench --instructions
 *
 * For each size and direction of (a) (map_bench.c), three operations run
 * INSTR_REPS times each with collection switched on around the loop, then
 * the counts are dumped under a name bench/bench.py parses ("ccdma PATH
 * SIZE DIR REPS"): bounce and direct map+unmap, and "memcpy", the copies
 * the direction needs at the least (its physical limit, bench_op_limit:
 * one memcpy for TO_DEVICE, the zero fill and one memcpy for FROM_DEVICE,
 * two memcpys for BIDIRECTIONAL). The same loop around an operation that does nothing is
 * dumped too ("loop"), so that the loop's own instructions can be taken
 * out. Outside valgrind the client requests do nothing, and the run only
 * checks that every path is the one it claims.
 */
#include "bench.h"

#ifdef CCDMA_BENCH_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(name) ((void)(name))
#endif

#define INSTR_REPS 16u

static int op_nothing(void *c)
{
    __asm__ volatile("" : : "r"(c) : "memory");
    return 0;
}

static void count(const char *path, bench_op_fn op, struct bench_map_ctx *c)
{
    char name[96];
    int err = 0;

    /* Warm: the first map of a size may touch metadata no later one does. */
    for (unsigned int i = 0; i < 2 && !err; i++)
        err = op(c);
    CALLGRIND_TOGGLE_COLLECT;
    for (unsigned int i = 0; i < INSTR_REPS && !err; i++)
        err = op(c);
    CALLGRIND_TOGGLE_COLLECT;
    if (err)
        bench_die("%s %zu %s: %s", path, c->size, bench_dir_name(c->dir), ccdma_strerror(err));
    snprintf(name, sizeof(name), "ccdma %s %zu %s %u", path, c->size, bench_dir_name(c->dir),
             INSTR_REPS);
    CALLGRIND_DUMP_STATS_AT(name);
}

void bench_instructions(struct ccdma_device *dev)
{
    static const enum ccdma_dir dirs[] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE,
                                          CCDMA_BIDIRECTIONAL};
    static const char *const paths[] = {"bounce", "direct", "memcpy"};
    static const unsigned int which[] = {BENCH_BOUNCE, BENCH_DIRECT, BENCH_LIMIT};
    const bench_op_fn ops[] = {bench_op_map_unmap, bench_op_map_unmap, bench_op_limit};
    struct bench_map_ctx loop = {.dev = dev};
    struct bench_buffers b;

    bench_buffers(dev, &b);
    count("loop", op_nothing, &loop);
    for (size_t size = BENCH_MIN_SIZE; size <= BENCH_MAX_SIZE; size *= 2) {
        for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
            struct bench_map_ctx c[BENCH_PATHS];

            bench_cases(&b, size, dirs[d], c);
            bench_check_path(&c[BENCH_BOUNCE], true);
            bench_check_path(&c[BENCH_DIRECT], false);
            for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
                count(paths[k], ops[k], &c[which[k]]);
        }
    }
    printf("instructions: %u operations per path, size and direction; counts in the "
           "callgrind dumps\n", INSTR_REPS);
    bench_buffers_free(&b);
}
