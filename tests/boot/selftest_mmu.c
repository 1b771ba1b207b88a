/* SPDX-License-Identifier: MIT */
/* Page-table attributes take effect, and live remaps behave. */
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/sysregs.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"

/* A second virtual alias of a page, far from the identity map (bit 38). */
#define ALIAS_OFFSET (1ull << 38)

SELFTEST(10, mmu)
{
    uint64_t sctlr, pa;
    uint8_t attr;
    unsigned int fsc = 0;

    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    st_check((sctlr & (SCTLR_M | SCTLR_C | SCTLR_I)) == (SCTLR_M | SCTLR_C | SCTLR_I),
             "MMU, D-cache and I-cache on", "SCTLR_EL1=0x%llx", (unsigned long long)sctlr);

    uint64_t ram_va = (uintptr_t)&rt;
    bool ok = mmu_translate(ram_va, &pa, &attr, &fsc);
    st_check(ok && attr == MAIR_NORMAL_WB && pa == ram_va,
             "RAM is Normal write-back, identity mapped",
             "translate ok=%d attr=0x%x pa=0x%llx", ok, attr, (unsigned long long)pa);

    uint64_t uart = rt.plat.uart.base;
    ok = mmu_translate(uart, &pa, &attr, &fsc);
    st_check(ok && attr == MAIR_DEVICE_NGNRE && pa == (uart | rt.shared_bit),
             "UART is Device-nGnRE (through the shared alias in a realm)",
             "ok=%d attr=0x%x pa=0x%llx", ok, attr, (unsigned long long)pa);

    /* Live remaps on a scratch page: read-only alias, then unmapped. */
    uint64_t *page = ccdma_plat_pages_alloc(1, UINT64_MAX);
    if (!st_check(page != NULL, "scratch page", "page allocator empty"))
        return;
    uint64_t alias = (uintptr_t)page + ALIAS_OFFSET;
    page[0] = 0x5ca1ab1e0ddba11ull;
    int err = mmu_map(alias, (uintptr_t)page, CCDMA_PAGE_SIZE, MMU_NORMAL_RO);
    uint64_t v = 0;
    st_check(err == 0 && probe_read64(alias, &v) == 0 && v == page[0],
             "read-only alias sees data written through the identity map",
             "err=%d value=0x%llx", err, (unsigned long long)v);

    fault_clear();
    int rc = probe_write64(alias, 1);
    const struct fault_info *f = fault_last();
    st_check(rc == -1 && f->taken && esr_ec(f->esr) == EC_DABT_CUR &&
                 (esr_fsc(f->esr) & 0x3c) == 0x0c && f->far == alias && page[0] != 1,
             "write to the read-only alias takes a permission fault",
             "rc=%d esr=0x%llx far=0x%llx", rc, (unsigned long long)f->esr,
             (unsigned long long)f->far);

    err = mmu_map(alias, (uintptr_t)page, CCDMA_PAGE_SIZE, MMU_UNMAPPED);
    fault_clear();
    rc = probe_read64(alias, &v);
    st_check(err == 0 && rc == -1 && (esr_fsc(f->esr) & 0x3c) == 0x04,
             "unmapped alias takes a translation fault (break-before-make took effect)",
             "err=%d rc=%d esr=0x%llx", err, rc, (unsigned long long)f->esr);
    ok = mmu_translate(alias, NULL, NULL, &fsc);
    st_check(!ok, "AT agrees the alias is gone", "still translates");
    ccdma_plat_pages_free(page, 1);
    st_note("page tables: %u of %u pool pages used", mmu_tables_used(), mmu_tables_total());
}
