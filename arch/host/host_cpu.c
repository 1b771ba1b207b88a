/* SPDX-License-Identifier: MIT */
/*
 * Host port: cache maintenance (counted no-ops: the host is coherent),
 * barriers, the lock and the clock.
 */
#define _GNU_SOURCE
#include "host_port.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void count(uint64_t *calls, uint64_t *bytes, size_t size)
{
    pthread_mutex_lock(&host_port.mu);
    (*calls)++;
    *bytes += size;
    pthread_mutex_unlock(&host_port.mu);
}

void ccdma_plat_cache_clean(const void *va, size_t size)
{
    (void)va;
    count(&host_port.c.cache_clean, &host_port.c.cache_clean_bytes, size);
}

void ccdma_plat_cache_invalidate(void *va, size_t size)
{
    (void)va;
    count(&host_port.c.cache_invalidate, &host_port.c.cache_invalidate_bytes, size);
}

void ccdma_plat_cache_clean_invalidate(void *va, size_t size)
{
    (void)va;
    count(&host_port.c.cache_clean_invalidate,
          &host_port.c.cache_clean_invalidate_bytes, size);
}

void ccdma_plat_dma_wmb(void)
{
    atomic_thread_fence(memory_order_release);
}

void ccdma_plat_dma_rmb(void)
{
    atomic_thread_fence(memory_order_acquire);
}

void ccdma_plat_mb(void)
{
    atomic_thread_fence(memory_order_seq_cst);
}

/*
 * A spinlock on the lock word, holding the owner's thread id, so that
 * taking a lock twice on one thread (a deadlock on the firmware) aborts
 * with a message instead of hanging the test.
 */
unsigned long ccdma_plat_lock(ccdma_lock_t *lock)
{
    uint32_t self = (uint32_t)gettid();
    uint32_t *word = (uint32_t *)&lock->word;
    uint32_t expected = 0;

    if (__atomic_load_n(word, __ATOMIC_RELAXED) == self) {
        fprintf(stderr, "host: lock %p taken twice by thread %u\n", (void *)lock, self);
        abort();
    }
    while (!__atomic_compare_exchange_n(word, &expected, self, false,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        expected = 0;
        sched_yield();
    }
    return 0;
}

void ccdma_plat_unlock(ccdma_lock_t *lock, unsigned long flags)
{
    (void)flags;
    __atomic_store_n((uint32_t *)&lock->word, 0, __ATOMIC_RELEASE);
}

/* A thread's CPU number: chosen (host_platform_set_cpu) or handed out on
 * its first call, round robin. Thread-local, so asking costs a TLS load. */
static _Thread_local unsigned int thread_cpu; /* number + 1; 0: none yet */
static unsigned int next_cpu;

unsigned int ccdma_plat_cpu_count(void)
{
    unsigned int n = host_port.cfg.cpus;

    return n ? n : HOST_CPUS_DEFAULT;
}

void host_platform_set_cpu(unsigned int cpu)
{
    thread_cpu = cpu % ccdma_plat_cpu_count() + 1;
}

unsigned int ccdma_plat_cpu_id(void)
{
    if (__builtin_expect(!thread_cpu, 0))
        thread_cpu = __atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) % ccdma_plat_cpu_count() + 1;
    return thread_cpu - 1;
}

uint64_t ccdma_plat_time_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
