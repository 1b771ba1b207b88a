/* SPDX-License-Identifier: MIT */
/*
 * The C library's string routines survive an exception taken in their
 * middle.
 *
 * A large memset (with a pattern, then with zeros) and a large memcpy run
 * into a page of their destination made read-only on purpose. The abort
 * handler first does what a real handler might: a memset and a memcpy of
 * its own, whose registers overwrite the interrupted routine's (FP/SIMD
 * ones included: picolibc's release memset keeps its pattern in q0 and
 * zeroes with DC ZVA; newlib's ARM memcpy copies through d0 and d1). Then
 * it makes the page writable again and retries the store. The routine must
 * end as if nothing had happened: every byte right, and the fault taken
 * once, after the routine had started and before it finished. Without the
 * FP/SIMD state kept across the handler (boot/vectors.S on AArch64,
 * arch/arm/vectors.S on AArch32) the pattern memset comes out wrong.
 */
#include <string.h>

#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/pgtable.h"
#include "tests/boot/abort_retry.h"

#define PAGE CCDMA_PAGE_SIZE
#define BUF_PAGES 64u
#define RO_PAGE 37u /* well inside the range, away from both ends */
#define HANDLER_BYTES 4096u

static struct {
    volatile uint8_t *dst;
    size_t len;
    uintptr_t ro;
    uint8_t first, last;  /* what the routine writes at either end */
    unsigned int faults;
    bool started, finished;
    bool remapped;
} T;

static uint8_t handler_buf[2][HANDLER_BYTES];

static bool on_abort(uintptr_t far)
{
    if (far < T.ro || far - T.ro >= PAGE)
        return false;
    T.faults++;
    T.started = T.dst[0] == T.first;
    T.finished = T.dst[T.len - 1] == T.last;
    /* The handler's own string work, with values the routine never uses. */
    memset(handler_buf[0], 0xee, HANDLER_BYTES);
    memcpy(handler_buf[1], handler_buf[0], HANDLER_BYTES);
    __asm__ volatile("" : : "r"(handler_buf) : "memory");
    T.remapped = mmu_map(T.ro, ccdma_plat_virt_to_phys((void *)T.ro), PAGE, MMU_NORMAL) == 0;
    return T.remapped;
}

/* Arm the trap: the read-only page, the expected end bytes, the handler. */
static bool arm(uint8_t *dst, uint8_t first, uint8_t last)
{
    T.dst = dst;
    T.len = (size_t)BUF_PAGES * PAGE;
    T.ro = (uintptr_t)dst + RO_PAGE * PAGE;
    T.first = first;
    T.last = last;
    T.faults = 0;
    T.started = T.finished = T.remapped = false;
    if (mmu_map(T.ro, ccdma_plat_virt_to_phys((void *)T.ro), PAGE, MMU_NORMAL_RO) != 0)
        return false;
    test_abort_retry(on_abort);
    return true;
}

static void disarm(void)
{
    test_abort_retry(NULL);
    if (!T.remapped)
        mmu_map(T.ro, ccdma_plat_virt_to_phys((void *)T.ro), PAGE, MMU_NORMAL);
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void check_trap(const char *what)
{
    st_check(T.faults == 1 && T.started && !T.finished && T.remapped, what,
             "faults=%u started=%d finished=%d remapped=%d", T.faults, T.started, T.finished,
             T.remapped);
}

SELFTEST(16, string_exceptions)
{
    const size_t len = (size_t)BUF_PAGES * PAGE;
    uint8_t *src = ccdma_plat_pages_alloc(BUF_PAGES, UINT64_MAX);
    uint8_t *dst = ccdma_plat_pages_alloc(BUF_PAGES, UINT64_MAX);

    if (!st_check(src && dst, "two 256 KiB buffers", "page allocator empty"))
        return;

    memset(dst, 0x11, len);
    if (arm(dst, 0x5a, 0x5a)) {
        memset(dst, 0x5a, len);
        disarm();
        check_trap("memset of 256 KiB takes an abort in its middle, and resumes");
        st_check(all(dst, len, 0x5a),
                 "memset: every byte right after a handler that ran its own memset",
                 "wrong bytes in the buffer");
    }

    memset(dst, 0x11, len);
    if (arm(dst, 0, 0)) {
        memset(dst, 0, len);
        disarm();
        check_trap("memset to zero of 256 KiB takes an abort in its middle, and resumes");
        st_check(all(dst, len, 0), "memset to zero: every byte right", "wrong bytes in the buffer");
    }

    for (size_t i = 0; i < len; i++)
        src[i] = (uint8_t)(i * 13 + i / 4096);
    memset(dst, 0x11, len);
    if (arm(dst, src[0], src[len - 1])) {
        memcpy(dst, src, len);
        disarm();
        check_trap("memcpy of 256 KiB takes an abort in its middle, and resumes");
        st_check(memcmp(dst, src, len) == 0,
                 "memcpy: every byte right after a handler that ran its own copy",
                 "the copy differs");
    }
    ccdma_plat_pages_free(dst, BUF_PAGES);
    ccdma_plat_pages_free(src, BUF_PAGES);
}
