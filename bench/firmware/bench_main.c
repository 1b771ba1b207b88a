/* SPDX-License-Identifier: MIT */
/*
 * The benchmark boot mode: the memory benchmark, convert or bounce, then
 * virtio-blk, then the run's own RSI totals for the host to cross-check with the monitor's
 * counters line, then the exit. With ccdma.bench_scaling=1 the scaling
 * benchmark runs instead of the first three: it needs several vCPUs and the
 * host's clock, the others one vCPU under -icount.
 */
#include <stdio.h>

#include <ccdma/errors.h>

#include "arch/arm64/mem_share.h"
#include "arch/arm64/rsi_abi.h"
#include "arch/arm64/smccc_conduit.h"
#include "bench/firmware/bench_fw.h"
#include "bench/firmware/boot_bench.h"
#include "boot/cpus.h"
#include "boot/devices.h"
#include "boot/runtime.h"

struct bench_fw bench_fw;

uint64_t bench_ticks(void)
{
    uint64_t v;

    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

void bench_counters(struct bench_counters *out)
{
    struct smccc_counters c;
    struct mem_share_stats m;

    smccc_get_counters(&c);
    mem_share_get_stats(&m);
    out->rsi_calls = 0;
    for (unsigned int i = 0; i < RSI_NUM_CMDS; i++)
        out->rsi_calls += c.rsi[i];
    out->ipa_state_set = c.rsi[RSI_IPA_STATE_SET - RSI_FID_BASE];
    out->granules_shared = m.granules_shared;
    out->granules_private = m.granules_unshared;
}

void bench_counters_delta(const struct bench_counters *a, const struct bench_counters *b,
                          struct bench_counters *out)
{
    out->rsi_calls = b->rsi_calls - a->rsi_calls;
    out->ipa_state_set = b->ipa_state_set - a->ipa_state_set;
    out->granules_shared = b->granules_shared - a->granules_shared;
    out->granules_private = b->granules_private - a->granules_private;
}

/* The boot brought the DMA layers up with dma-debug on, for the self-tests.
 * Its tracking would be timed with every map; a production runtime runs
 * without it, so bring the layers (and the devices on them) up again with
 * the same configuration but dma-debug off, and the bounce pool cut in the
 * given number of areas. */
int bench_fw_restart(unsigned int swiotlb_areas)
{
    if (boot_dma.init_err)
        return boot_dma.init_err;
    boot_virtio_remove();
    int leaks = ccdma_shutdown();
    if (leaks)
        printf("bench: note %d live mappings at the re-init\n", leaks);
    boot_dma.cfg.debug = false;
    boot_dma.cfg.swiotlb_areas = swiotlb_areas;
    boot_dma.init_err = ccdma_init(&boot_dma.cfg);
    if (boot_dma.init_err)
        return boot_dma.init_err;
    boot_virtio_probe();
    return 0;
}

noreturn void boot_bench_run(void)
{
    struct bench_counters end;
    uint64_t frq;

    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    bench_fw.quick = boot_bootarg_u64("ccdma.bench", 0) == 0;
    bench_fw.cntfrq = frq;
    bench_fw.scaling = boot_bootarg_u64("ccdma.bench_scaling", 0) != 0;
    int err = bench_fw_restart(boot_dma.cfg.swiotlb_areas);
    printf("bench: begin mode=%s quick=%d scaling=%d cntfrq=%llu dma_debug=0 swiotlb_kib=%zu "
           "cpus=%u\n", rt.realm ? "realm" : "plain", bench_fw.quick ? 1 : 0,
           bench_fw.scaling ? 1 : 0, (unsigned long long)frq, boot_dma.cfg.swiotlb_bytes >> 10,
           boot_cpus_online);
    if (err || frq == 0) {
        printf("bench: error %s\n", err ? ccdma_strerror(err) : "CNTFRQ_EL0 is 0");
        runtime_exit(1);
    }
    uint64_t t0 = bench_ticks();
    if (bench_fw.scaling) {
        bench_fw_scaling();
    } else {
        bench_fw_mem();
        bench_fw_convert();
        bench_fw_blk();
    }
    printf("bench: elapsed ticks=%llu\n", (unsigned long long)(bench_ticks() - t0));

    boot_virtio_remove();
    boot_runtime_fini();
    /* After every conversion the run makes, before the exit host call. */
    bench_counters(&end);
    printf("bench: totals rsi_calls=%llu ipa_state_set=%llu granules_to_shared=%llu "
           "granules_to_private=%llu\n",
           (unsigned long long)end.rsi_calls, (unsigned long long)end.ipa_state_set,
           (unsigned long long)end.granules_shared, (unsigned long long)end.granules_private);
    printf("bench: end errors=%d\n", bench_fw.errors);
    runtime_exit(bench_fw.errors ? 1 : 0);
}
