/* SPDX-License-Identifier: MIT */
/*
 * The lock the benchmark runs the DMA layers with (linked in place of the
 * host port's through -Wl,--wrap=ccdma_plat_lock, see bench/CMakeLists.txt).
 *
 * The host port's lock asks the kernel for the thread id (gettid()) on
 * every acquisition, to turn a self-deadlock in a test into an abort. That
 * syscall costs more than a whole small mapping, and a bounce map takes the
 * lock several times: measured through it, "map+unmap" is mostly gettid().
 * The firmware's lock masks interrupts, a few instructions; this is the
 * same spinlock on the same word, without the check.
 */
#include <sched.h>

#include <ccdma/platform.h>

unsigned long __wrap_ccdma_plat_lock(ccdma_lock_t *lock);

unsigned long __wrap_ccdma_plat_lock(ccdma_lock_t *lock)
{
    uint32_t *word = (uint32_t *)&lock->word;
    uint32_t expected = 0;

    while (!__atomic_compare_exchange_n(word, &expected, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        expected = 0;
        sched_yield();
    }
    return 0;
}
