/* SPDX-License-Identifier: MIT */
/*
 * The example unikernel's side of the ccdma platform seam
 * (<ccdma/platform.h>; contracts in docs/porting.md). Plain mode: no memory
 * encryption, so every page counts as shared, share/unshare convert
 * nothing, and both DMA encodings are the physical address. The linear map
 * is start.S's identity map.
 */
#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "example.h"

/* ---- Pages: first-fit over a bitmap of the .pages pool --------------------- */

#define POOL_MAX_PAGES 4096u

static uint64_t page_used[POOL_MAX_PAGES / 64];
static unsigned int pages_in_use;
static ccdma_lock_t page_lock = CCDMA_LOCK_INIT;

static unsigned int pool_pages(void)
{
    unsigned int n = (unsigned int)((__pages_end - __pages_start) / CCDMA_PAGE_SIZE);
    return n < POOL_MAX_PAGES ? n : POOL_MAX_PAGES;
}

static bool page_is_used(unsigned int i) { return page_used[i / 64] >> (i % 64) & 1; }

static void page_set(unsigned int first, size_t n, bool used)
{
    for (unsigned int i = first; i < first + n; i++) {
        if (used)
            page_used[i / 64] |= 1ull << (i % 64);
        else
            page_used[i / 64] &= ~(1ull << (i % 64));
    }
}

void *ccdma_plat_pages_alloc(size_t npages, ccdma_phys_t phys_limit)
{
    unsigned int total = pool_pages(), run = 0;
    uintptr_t base = (uintptr_t)__pages_start;
    void *va = NULL;

    if (npages == 0 || npages > total)
        return NULL;
    unsigned long flags = ccdma_plat_lock(&page_lock);
    for (unsigned int i = 0; i < total; i++) {
        run = page_is_used(i) ? 0 : run + 1;
        if (run < npages)
            continue;
        unsigned int first = i + 1 - (unsigned int)npages;
        /* Pages ascend with i: once the run's last byte is past the
         * limit, no later run fits either. */
        if (base + (uintptr_t)(i + 1) * CCDMA_PAGE_SIZE - 1 > phys_limit)
            break;
        page_set(first, npages, true);
        pages_in_use += (unsigned int)npages;
        va = (void *)(base + (uintptr_t)first * CCDMA_PAGE_SIZE);
        break;
    }
    ccdma_plat_unlock(&page_lock, flags);
    return va;
}

void ccdma_plat_pages_free(void *va, size_t npages)
{
    uintptr_t off = (uintptr_t)va - (uintptr_t)__pages_start;
    unsigned int first = (unsigned int)(off / CCDMA_PAGE_SIZE);
    bool ok = (uintptr_t)va >= (uintptr_t)__pages_start && off % CCDMA_PAGE_SIZE == 0 &&
              npages != 0 && npages <= pool_pages() && first <= pool_pages() - npages;

    /* A free of pages not allocated is a caller bug: refuse it and say so
     * rather than corrupt the bitmap (the contract has no error return). */
    unsigned long flags = ccdma_plat_lock(&page_lock);
    for (unsigned int i = first; ok && i < first + npages; i++)
        ok = page_is_used(i);
    if (ok) {
        page_set(first, npages, false);
        pages_in_use -= (unsigned int)npages;
    }
    ccdma_plat_unlock(&page_lock, flags);
    if (!ok)
        printf("example: refused free of %zu pages at %p (not allocated)\n", npages, va);
}

unsigned int example_pages_in_use(void) { return pages_in_use; }

/* ---- Linear map: the identity over the RAM this image owns ------------------ */

ccdma_phys_t ccdma_plat_virt_to_phys(const void *va) { return (uintptr_t)va; }

/* dma/ tells RAM from anything else (MMIO, a stray pointer) by this round
 * trip, so only RAM may translate. */
void *ccdma_plat_phys_to_virt(ccdma_phys_t pa)
{
    if (pa >= EXAMPLE_RAM_BASE && pa < (uintptr_t)__image_end)
        return (void *)(uintptr_t)pa;
    return NULL;
}

/* ---- Memory encryption state: none (plain mode) ------------------------------- */

bool ccdma_plat_cc_active(void) { return false; }

size_t ccdma_plat_share_granule(void) { return CCDMA_PAGE_SIZE; }

/* Plain mode converts nothing, so no range is ever quarantined here; a
 * realm port converts (RSI) and must quarantine on failure. The argument
 * checks stay, so misuse fails the same way as on a realm. */
static int convert(void *va, size_t size)
{
    uintptr_t a = (uintptr_t)va;

    if (!va || size == 0 || ((a | size) & (ccdma_plat_share_granule() - 1)) ||
        a < (uintptr_t)__pages_start || size > (size_t)(__pages_end - (char *)va))
        return CCDMA_EINVAL;
    return 0;
}

int ccdma_plat_mem_share(void *va, size_t size) { return convert(va, size); }
int ccdma_plat_mem_unshare(void *va, size_t size) { return convert(va, size); }

ccdma_dma_t ccdma_plat_phys_to_dma(ccdma_phys_t pa, bool shared)
{
    (void)shared; /* one encoding: the bus address is the physical address */
    return pa;
}

ccdma_phys_t ccdma_plat_dma_to_phys(ccdma_dma_t addr) { return addr; }

bool ccdma_plat_dma_is_shared(ccdma_dma_t addr)
{
    (void)addr; /* plain mode: every address counts as shared */
    return true;
}

/* ---- Cache maintenance (QEMU's virtio devices are coherent; a
 * non-coherent device gets these around each transfer) ---------------------- */

enum dc_op { DC_CLEAN, DC_INVALIDATE, DC_CLEAN_INVALIDATE };

static void dcache_range(uintptr_t start, size_t size, enum dc_op op)
{
    uint64_t ctr;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    uintptr_t line = (uintptr_t)4 << ((ctr >> 16) & 0xf), end = start + size;

    for (uintptr_t a = start & ~(line - 1); a < end; a += line) {
        /* A line the range only partly covers also holds someone else's
         * bytes: clean it before dropping it. */
        bool partial = a < start || a + line > end;
        if (op == DC_CLEAN)
            __asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
        else if (op == DC_INVALIDATE && !partial)
            __asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
        else
            __asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
    }
    __asm__ volatile("dsb sy" ::: "memory");
}

void ccdma_plat_cache_clean(const void *va, size_t size)
{
    dcache_range((uintptr_t)va, size, DC_CLEAN);
}

void ccdma_plat_cache_invalidate(void *va, size_t size)
{
    dcache_range((uintptr_t)va, size, DC_INVALIDATE);
}

void ccdma_plat_cache_clean_invalidate(void *va, size_t size)
{
    dcache_range((uintptr_t)va, size, DC_CLEAN_INVALIDATE);
}

/* ---- Device registers: one plain load or store each, never split or merged
 * by the compiler (a trapped MMIO access needs a single-register syndrome) -- */

#define MMIO_ACCESSORS(bits, type, load, store)                                     \
    type ccdma_plat_mmio_read##bits(uintptr_t addr)                                 \
    {                                                                               \
        type v;                                                                     \
        __asm__ volatile(load " %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");       \
        return v;                                                                   \
    }                                                                               \
    void ccdma_plat_mmio_write##bits(uintptr_t addr, type value)                    \
    {                                                                               \
        __asm__ volatile(store " %w0, [%1]" ::"r"(value), "r"(addr) : "memory");    \
    }

MMIO_ACCESSORS(8, uint8_t, "ldrb", "strb")
MMIO_ACCESSORS(16, uint16_t, "ldrh", "strh")
MMIO_ACCESSORS(32, uint32_t, "ldr", "str")

/* ---- Barriers: devices sit in the outer-shareable domain ------------------- */

void ccdma_plat_dma_wmb(void) { __asm__ volatile("dmb oshst" ::: "memory"); }
void ccdma_plat_dma_rmb(void) { __asm__ volatile("dmb oshld" ::: "memory"); }
void ccdma_plat_mb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

/* ---- Lock: one CPU, so masking interrupts is enough; taking a lock twice
 * would deadlock on a real mutex, so it is a fatal bug here ------------------- */

unsigned long ccdma_plat_lock(ccdma_lock_t *lock)
{
    unsigned long daif;
    __asm__ volatile("mrs %0, daif\n msr daifset, #3" : "=r"(daif)::"memory");
    if (lock->word)
        example_fatal("ccdma_plat_lock: lock %p taken twice", (void *)lock);
    lock->word = 1;
    return daif;
}

void ccdma_plat_unlock(ccdma_lock_t *lock, unsigned long flags)
{
    lock->word = 0;
    __asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

/* ---- Clock: the generic timer's physical counter ------------------------------ */

uint64_t ccdma_plat_time_ns(void)
{
    uint64_t cnt, frq;
    __asm__ volatile("isb\n mrs %0, cntpct_el0" : "=r"(cnt)::"memory");
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    if (frq == 0) /* nobody programmed CNTFRQ: a unit-less count is still monotonic */
        return cnt;
    /* Split so that neither product overflows for any real frequency. */
    return cnt / frq * 1000000000ull + cnt % frq * 1000000000ull / frq;
}

void ccdma_plat_relax(void) { __asm__ volatile("yield" ::: "memory"); }

/* Polled: no interrupts in this example. */
void ccdma_plat_wait_irq(const uint32_t *pending, uint64_t deadline_ns)
{
    (void)pending;
    (void)deadline_ns;
    ccdma_plat_relax();
}
