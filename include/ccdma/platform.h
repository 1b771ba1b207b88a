/* SPDX-License-Identifier: MIT */
/*
 * The platform seam: everything dma/ and drivers/ need from the machine.
 *
 * The firmware implements these in arch/arm64 (and arch/arm), the host port
 * in arch/host, and a unikernel that embeds ccdma implements them itself.
 * dma/ and drivers/ never include an arch header; this file is their only
 * view of the machine. Each function states its contract; an implementation
 * that cannot keep a contract must fail the call, never pretend.
 */
#ifndef CCDMA_PLATFORM_H
#define CCDMA_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Canonical physical address: the protected IPA in a realm, the address
 * without any encryption bit elsewhere. Never hand one to a device. */
typedef uint64_t ccdma_phys_t;

/* An address as a device sees it. Only ccdma_plat_phys_to_dma() makes one. */
typedef uint64_t ccdma_dma_t;

#define CCDMA_PAGE_SHIFT 12u
#define CCDMA_PAGE_SIZE (1u << CCDMA_PAGE_SHIFT)

/* ---- Pages ------------------------------------------------------------ */

/*
 * Allocate npages contiguous, page-aligned, private pages whose last byte
 * lies at or below phys_limit (use UINT64_MAX for no limit). The contents
 * are unspecified. Returns the CPU (linear map) address, or NULL.
 */
void *ccdma_plat_pages_alloc(size_t npages, ccdma_phys_t phys_limit);

/* Return pages from ccdma_plat_pages_alloc(). They must be private again. */
void ccdma_plat_pages_free(void *va, size_t npages);

/* ---- Linear map -------------------------------------------------------- */

/* Canonical physical address of a linear-map CPU address. */
ccdma_phys_t ccdma_plat_virt_to_phys(const void *va);

/* Linear-map CPU address of a canonical physical address. A shared page is
 * reached through the same CPU address as when it was private. */
void *ccdma_plat_phys_to_virt(ccdma_phys_t pa);

/* ---- Memory encryption state -------------------------------------------- */

/* True when guest memory is private by default (a realm, an SEV guest). When
 * false, every page counts as shared and share/unshare convert nothing. */
bool ccdma_plat_cc_active(void);

/* Granule of share/unshare, a power of two >= CCDMA_PAGE_SIZE. */
size_t ccdma_plat_share_granule(void);

/*
 * Make [va, va+size) shared with the host (the realm's RSI_IPA_STATE_SET to
 * EMPTY, then a remap of the same CPU addresses through the unprotected
 * alias). va and size must be granule-aligned and the memory owned by the
 * caller. Contents do not survive: callers must clear or fill afterwards.
 *
 * Returns 0, or a negative CCDMA_E* code. On failure the range is in an
 * unknown state and quarantined by the platform: the caller must never reuse
 * it or free it back to the page allocator.
 */
int ccdma_plat_mem_share(void *va, size_t size);

/* The reverse: shared back to private (RIPAS RAM). Same rules on failure. */
int ccdma_plat_mem_unshare(void *va, size_t size);

/*
 * Optional: 1 when every page of [va, va+size) is shared with the host now,
 * 0 when some page is not, a negative CCDMA_E* code when the platform
 * cannot tell. A platform may leave it out (the reference is weak); dma-
 * debug uses it to check a CC_SHARED mapping's claim against the pages.
 */
int ccdma_plat_mem_is_shared(const void *va, size_t size) __attribute__((weak));

/* ---- DMA address encoding --------------------------------------------------- */

/*
 * Encode a canonical physical address as a device address: the shared
 * encoding (CCA: IPA | shared bit; SEV: C-bit clear) or the private one
 * (CCA: the plain IPA; SEV: C-bit set). With !ccdma_plat_cc_active() both
 * encodings are the plain bus address.
 */
ccdma_dma_t ccdma_plat_phys_to_dma(ccdma_phys_t pa, bool shared);

/* Decode either encoding back to the canonical physical address. */
ccdma_phys_t ccdma_plat_dma_to_phys(ccdma_dma_t addr);

/* True when addr carries the shared encoding. */
bool ccdma_plat_dma_is_shared(ccdma_dma_t addr);

/*
 * Optional: the linear map and the encodings above as arithmetic, so that
 * the DMA layer translates inline instead of calling the seam on every
 * mapping. A platform may leave it out (the reference is weak); one that
 * fills it in returns 0 and promises, from then until ccdma_shutdown():
 *  - for va in [va_base, va_base + size): virt_to_phys(va) is
 *    pa_base + (va - va_base), and phys_to_virt() is its inverse (the
 *    window is one contiguous part of the linear map; addresses outside it
 *    are still asked of the functions above);
 *  - for every pa: phys_to_dma(pa, shared) is pa | (shared ? shared_bits :
 *    private_bits), dma_to_phys(addr) is addr & ~enc_mask, and
 *    dma_is_shared(addr) is (addr & enc_mask) == shared_bits; enc_mask holds
 *    no bit of any physical address the platform has, so an encoding
 *    leaves a page offset, and an offset added to an encoded address, as
 *    they are.
 * ccdma_init() asks it once.
 */
struct ccdma_plat_linear {
    uintptr_t va_base;
    ccdma_phys_t pa_base;
    size_t size;
    ccdma_dma_t shared_bits, private_bits, enc_mask;
};
int ccdma_plat_linear_describe(struct ccdma_plat_linear *out) __attribute__((weak));

/* ---- Cache maintenance for non-coherent devices ------------------------------ */

void ccdma_plat_cache_clean(const void *va, size_t size);           /* CPU -> device */
void ccdma_plat_cache_invalidate(void *va, size_t size);            /* device -> CPU */
void ccdma_plat_cache_clean_invalidate(void *va, size_t size);      /* both */

/* ---- Device registers -------------------------------------------------------- */

/* Device MMIO at the CPU address the platform mapped for it (the unprotected
 * alias in a realm). The host port routes these to fake devices. */
uint32_t ccdma_plat_mmio_read32(uintptr_t addr);
void ccdma_plat_mmio_write32(uintptr_t addr, uint32_t value);
uint8_t ccdma_plat_mmio_read8(uintptr_t addr);
void ccdma_plat_mmio_write8(uintptr_t addr, uint8_t value);
uint16_t ccdma_plat_mmio_read16(uintptr_t addr);
void ccdma_plat_mmio_write16(uintptr_t addr, uint16_t value);

/* ---- Barriers toward devices ------------------------------------------------- */

/* Order CPU writes before later writes a device may observe (ring publish). */
void ccdma_plat_dma_wmb(void);
/* Order a read of a device-written index before reads of the data it covers. */
void ccdma_plat_dma_rmb(void);
/* Full barrier, including toward MMIO (before a doorbell write). */
void ccdma_plat_mb(void);

/* ---- CPUs ------------------------------------------------------------------------ */

/*
 * Optional (the references are weak): the calling CPU's number, from 0 to
 * ccdma_plat_cpu_count() - 1, and how many numbers there are, fixed from
 * ccdma_init() on. dma/ uses the number only to spread work, choosing the
 * bounce area a CPU maps from first, so nothing depends on it for
 * correctness: two callers may share a number, and a caller that moves to
 * another CPU may keep its old one. It is asked on every bounce mapping:
 * it must be cheap, safe with a seam lock held, and take no lock. Without
 * them every caller counts as CPU 0 and the bounce pools have one area.
 */
unsigned int ccdma_plat_cpu_id(void) __attribute__((weak));
unsigned int ccdma_plat_cpu_count(void) __attribute__((weak));

/* ---- Lock and clock ------------------------------------------------------------ */

/* A lock for state shared between callers; the platform decides what it
 * masks (IRQs on the single-core firmware, a real mutex on the host). */
typedef struct ccdma_lock {
    volatile uint32_t word;
} ccdma_lock_t;

#define CCDMA_LOCK_INIT {0}

unsigned long ccdma_plat_lock(ccdma_lock_t *lock);
void ccdma_plat_unlock(ccdma_lock_t *lock, unsigned long flags);

/* Monotonic time in nanoseconds. Used only for wait budgets and benchmarks. */
uint64_t ccdma_plat_time_ns(void);

/* Let the device or host make progress during a bounded wait (may be a
 * no-op; the host port uses it to run the fake device). */
void ccdma_plat_relax(void);

/* Wait during a bounded wait until *pending is non-zero or deadline_ns has
 * passed; may return early, and callers check again. A platform that takes
 * device interrupts sleeps here: the handler that sets *pending wakes it,
 * and *pending is checked with interrupts masked, so a wake-up that comes
 * between the caller's last check and the sleep is never lost. One that
 * does not is ccdma_plat_relax(). */
void ccdma_plat_wait_irq(const uint32_t *pending, uint64_t deadline_ns);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_PLATFORM_H */
