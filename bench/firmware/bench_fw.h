/* SPDX-License-Identifier: MIT */
/*
 * Internals of the in-firmware benchmark. Every result is one console line
 * starting "bench: " with space-separated fields and key=value pairs, which
 * bench/bench.py turns into CSV. Times are raw CNTVCT ticks plus CNTFRQ on
 * the begin line: the host does the division, the guest needs no floats.
 */
#ifndef CCDMA_BENCH_FIRMWARE_BENCH_FW_H
#define CCDMA_BENCH_FIRMWARE_BENCH_FW_H

#include <stdbool.h>
#include <stdint.h>

struct bench_fw {
    bool quick;
    bool scaling; /* ccdma.bench_scaling=1: the scaling benchmark alone */
    uint64_t cntfrq;
    int errors; /* benchmarks that could not run as asked */
};

extern struct bench_fw bench_fw;

/* CNTVCT_EL0, ordered after earlier instructions. Under -icount shift=0 it
 * advances once per 16 instructions (QEMU 7.2), the same in every run. */
uint64_t bench_ticks(void);

/* RSI and conversion counters the realm keeps itself. */
struct bench_counters {
    uint64_t rsi_calls;       /* RSI SMCs through the conduit */
    uint64_t ipa_state_set;
    uint64_t granules_shared; /* granules converted by mem_share */
    uint64_t granules_private;
};

void bench_counters(struct bench_counters *out);
/* b - a into out. */
void bench_counters_delta(const struct bench_counters *a, const struct bench_counters *b,
                          struct bench_counters *out);

void bench_fw_mem(void);
void bench_fw_blk(void);
void bench_fw_convert(void);
void bench_fw_scaling(void);

/* Start the DMA layers again, dma-debug off, the bounce pool in
 * swiotlb_areas areas (0: one per CPU), and probe the devices again. */
int bench_fw_restart(unsigned int swiotlb_areas);

#endif /* CCDMA_BENCH_FIRMWARE_BENCH_FW_H */
