/* SPDX-License-Identifier: MIT */
/* AArch32: LPAE page-table attributes take effect (ATS1CPR + 64-bit PAR),
 * and live remaps, including a block split, behave. */
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/arm/exception.h"
#include "arch/arm/mmu.h"
#include "arch/arm/sysregs.h"
#include "boot/runtime.h"

/* Spare virtual addresses: QEMU virt's PCIe 32-bit MMIO window, which this
 * runtime never maps (test_env_arm.c borrows 0x2000_0000 up). */
#define ALIAS_VA 0x30000000u

static uint32_t sctlr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
    return v;
}

static uint32_t ttbcr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c2, c0, 2" : "=r"(v));
    return v;
}

static bool attr_is(uint64_t va, uint8_t want, uint64_t want_pa)
{
    uint64_t pa = 0;
    uint8_t attr = 0;
    return mmu_translate(va, &pa, &attr, NULL) && attr == want && pa == want_pa;
}

SELFTEST(10, mmu)
{
    uint64_t pa;
    uint8_t attr;
    unsigned int fsc = 0;
    const struct fault_info *f = fault_last();

    st_check((sctlr() & (SCTLR_M | SCTLR_C | SCTLR_I)) == (SCTLR_M | SCTLR_C | SCTLR_I),
             "MMU, D-cache and I-cache on", "SCTLR=0x%08lx", (unsigned long)sctlr());
    st_check(ttbcr() & TTBCR_EAE, "long-descriptor (LPAE) translation in use",
             "TTBCR=0x%08lx", (unsigned long)ttbcr());

    uint64_t ram_va = (uintptr_t)&rt;
    bool ok = mmu_translate(ram_va, &pa, &attr, &fsc);
    st_check(ok && attr == MAIR_NORMAL_WB && pa == ram_va,
             "RAM is Normal write-back, identity mapped", "ok=%d attr=0x%x pa=0x%llx", ok,
             attr, (unsigned long long)pa);

    uint64_t uart = rt.plat.uart.base;
    ok = mmu_translate(uart, &pa, &attr, &fsc);
    st_check(ok && attr == MAIR_DEVICE_NGNRE && pa == uart, "UART is Device (nGnRE)",
             "ok=%d attr=0x%x pa=0x%llx", ok, attr, (unsigned long long)pa);
    st_check(rt.plat.n_virtio > 0 &&
                 attr_is(rt.plat.virtio[0].base, MAIR_DEVICE_NGNRE, rt.plat.virtio[0].base),
             "virtio-mmio transports are Device", "n_virtio=%u", rt.plat.n_virtio);

    uint64_t *page = ccdma_plat_pages_alloc(2, UINT64_MAX);
    if (!st_check(page != NULL, "scratch pages", "page allocator empty"))
        return;
    page[0] = 0x5ca1ab1e0ddba11ull;

    /* A read-only alias: reads see the data, a write takes a permission
     * fault at level 3 with DFAR and WnR, and changes nothing. */
    int err = mmu_map(ALIAS_VA, (uintptr_t)page, CCDMA_PAGE_SIZE, MMU_NORMAL_RO);
    uint64_t v = 0;
    st_check(err == 0 && probe_read64(ALIAS_VA, &v) == 0 && v == page[0],
             "read-only alias sees data written through the identity map",
             "err=%d value=0x%llx", err, (unsigned long long)v);
    fault_clear();
    int rc = probe_write64(ALIAS_VA, 1);
    st_check(rc == -1 && f->taken && f->kind == EXC_DABT && (f->fsr & FSR_LPAE) &&
                 fsr_status(f->fsr) == 0x0f && (f->fsr & DFSR_WNR) && f->far == ALIAS_VA &&
                 page[0] != 1,
             "write to the read-only alias: permission fault, level 3, DFAR, WnR",
             "rc=%d kind=%lu DFSR=0x%08lx DFAR=0x%08lx", rc, (unsigned long)f->kind,
             (unsigned long)f->fsr, (unsigned long)f->far);

    err = mmu_map(ALIAS_VA, (uintptr_t)page, CCDMA_PAGE_SIZE, MMU_NORMAL_NC);
    st_check(err == 0 && attr_is(ALIAS_VA, MAIR_NORMAL_NC, (uintptr_t)page),
             "remapped live as Normal non-cacheable (MAIR slot 2)", "err=%d", err);

    err = mmu_map(ALIAS_VA, (uintptr_t)page, CCDMA_PAGE_SIZE, MMU_UNMAPPED);
    fault_clear();
    rc = probe_read64(ALIAS_VA, &v);
    st_check(err == 0 && rc == -1 && fsr_status(f->fsr) == 0x07 && !(f->fsr & DFSR_WNR),
             "unmapped alias: translation fault at level 3 (break-before-make took effect)",
             "err=%d rc=%d DFSR=0x%08lx", err, rc, (unsigned long)f->fsr);
    ok = mmu_translate(ALIAS_VA, NULL, NULL, &fsc);
    st_check(!ok && (fsc & 0x3c) == 0x04, "ATS1CPR agrees: PAR reports a translation fault",
             "ok=%d fst=0x%x", ok, fsc);

    /* One identity page changed inside a RAM block: the block is split
     * live, the neighbour keeps its attributes and its data. */
    uint64_t p0 = (uintptr_t)page, p1 = p0 + CCDMA_PAGE_SIZE;
    page[CCDMA_PAGE_SIZE / 8] = 0xfeedc0de;
    unsigned int used = mmu_tables_used();
    /* No dirty line may hide behind the non-cacheable view. */
    ccdma_plat_cache_clean_invalidate(page, CCDMA_PAGE_SIZE);
    err = mmu_map(p0, p0, CCDMA_PAGE_SIZE, MMU_NORMAL_NC);
    st_check(err == 0 && attr_is(p0, MAIR_NORMAL_NC, p0) && attr_is(p1, MAIR_NORMAL_WB, p1) &&
                 page[CCDMA_PAGE_SIZE / 8] == 0xfeedc0de && page[0] == 0x5ca1ab1e0ddba11ull,
             "one page of a RAM block remapped live; its neighbour and the data are intact",
             "err=%d tables %u->%u", err, used, mmu_tables_used());
    err = mmu_map(p0, p0, CCDMA_PAGE_SIZE, MMU_NORMAL);
    st_check(err == 0 && attr_is(p0, MAIR_NORMAL_WB, p0), "and back to write-back", "err=%d",
             err);

    st_check(mmu_map(0xfffff000u, 0, 2 * CCDMA_PAGE_SIZE, MMU_NORMAL) != 0 &&
                 mmu_map(ALIAS_VA + 1, 0, CCDMA_PAGE_SIZE, MMU_NORMAL) != 0,
             "maps past 4 GiB or unaligned are refused", "accepted");
    ccdma_plat_pages_free(page, 2);
    st_note("page tables: %u of %u pool pages used", mmu_tables_used(), mmu_tables_total());
}
