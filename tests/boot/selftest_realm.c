/* SPDX-License-Identifier: MIT */
/*
 * The realm: RSI detection, sharing round trips, wrong-alias aborts, input
 * checks and the host's injected misbehaviour. Each check looks at a real
 * effect: bytes in memory, a fault taken, RIPAS from IPA_STATE_GET, SMCs
 * counted at the conduit. In plain mode the parts that apply still run.
 */
#include <ccdma/errors.h>
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/mem_share.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/rsi.h"
#include "arch/arm64/smccc_conduit.h"
#include "arch/arm64/sysregs.h"
#include "boot/boot.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"
#include "tests/boot/test_env.h"

#define FSC_SEA 0x10
/* Second virtual views of a page, far above the identity map. */
#define VIEW_VA(pa) ((1ull << 37) | (pa))

static bool all_bytes(const void *p, size_t n, uint8_t v)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

static void fill_words(uint64_t *p, uint64_t seed)
{
    for (size_t i = 0; i < CCDMA_PAGE_SIZE / 8; i++)
        p[i] = seed ^ (i * 0x9e3779b97f4a7c15ull);
}

static bool any_word_survives(const uint64_t *p, uint64_t seed)
{
    for (size_t i = 0; i < CCDMA_PAGE_SIZE / 8; i++)
        if (p[i] == (seed ^ (i * 0x9e3779b97f4a7c15ull)))
            return true;
    return false;
}

SELFTEST(20, rsi_detect)
{
    if (!rt.realm) {
        if (boot_smc_is_safe()) {
            struct smccc_regs r = {{RSI_VERSION, RSI_ABI_VERSION_1_0}};
            ccdma_smccc_call(&r);
            st_check(r.x[0] == (uint64_t)-1, "plain: RSI_VERSION answered SMCCC_NOT_SUPPORTED",
                     "x0=0x%llx", (unsigned long long)r.x[0]);
        } else {
            st_check(rt.plat.psci != DT_PSCI_SMC,
                     "plain: no SMC conduit named, so RSI was not asked (as Linux)",
                     "psci=%d", (int)rt.plat.psci);
        }
        st_check(rt.shared_bit == 0 && ccdma_plat_phys_to_dma(0x40001000, true) == 0x40001000,
                 "plain: shared and private encodings are the same address", "shared_bit=0x%llx",
                 (unsigned long long)rt.shared_bit);
        return;
    }
    st_check(rt.rsi_major == 1 && rt.rsi_minor == 0, "RSI 1.0 negotiated", "%u.%u",
             rt.rsi_major, rt.rsi_minor);
    st_check(rt.ipa_width >= 32 && rt.shared_bit == 1ull << (rt.ipa_width - 1),
             "shared bit is 1 << (ipa_width - 1)", "ipa_width=%u bit=0x%llx", rt.ipa_width,
             (unsigned long long)rt.shared_bit);
    bool all_ram = true;
    for (unsigned int i = 0; i < rt.plat.n_mem; i++) {
        uint64_t top = 0;
        unsigned int r = 0;
        int err = rsi_ipa_state_get(rt.plat.mem[i].base,
                                    rt.plat.mem[i].base + rt.plat.mem[i].size, &top, &r);
        all_ram &= err == 0 && r == RSI_RIPAS_RAM;
    }
    st_check(all_ram, "IPA_STATE_GET: all RAM claimed as RIPAS RAM at boot", "not all RAM");
}

/* Share a page, see the scrub and the device view, unshare, see the scrub. */
SELFTEST(21, realm_share)
{
    uint64_t *page = ccdma_plat_pages_alloc(1, UINT64_MAX);
    uint64_t pa = (uintptr_t)page;
    uint64_t pa_out;

    if (!st_check(page != NULL, "page for the round trip", "allocator empty"))
        return;
    fill_words(page, 0x1111);
    uint64_t calls0 = test_rsi_state_set_calls();
    int err = ccdma_plat_mem_share(page, CCDMA_PAGE_SIZE);

    if (!rt.realm) {
        st_check(err == 0 && any_word_survives(page, 0x1111),
                 "plain: share converts nothing, contents stay", "err=%d", err);
        st_check(test_rsi_state_set_calls() == calls0, "plain: no RSI call made", "calls made");
        err = ccdma_plat_mem_unshare(page, CCDMA_PAGE_SIZE);
        st_check(err == 0, "plain: unshare succeeds", "err=%d", err);
        ccdma_plat_pages_free(page, 1);
        return;
    }
    if (!test_conversion(err, true, "share refused by the injected host: clean error"))
        return; /* the page is quarantined; realm_inject checks the rest */
    int r = test_ripas(pa);
    st_check(r == RSI_RIPAS_EMPTY, "IPA_STATE_GET says EMPTY after share", "ripas=%d", r);
    bool ok = mmu_translate(pa, &pa_out, NULL, NULL);
    st_check(ok && pa_out == (pa | rt.shared_bit),
             "the same CPU address now goes through the unprotected alias", "out=0x%llx",
             (unsigned long long)pa_out);
    /* Architecture: the RMM scrubs the granule, so nothing private
     * survives. Policy: what the host then puts in the page. */
    st_check(!any_word_survives(page, 0x1111), "private contents gone after share",
             "first word 0x%llx", (unsigned long long)page[0]);
    uint8_t fill;
    if (test_host_share_fill(&fill))
        st_check(all_bytes(page, CCDMA_PAGE_SIZE, fill),
                 "the shared page holds the host's advertised fill", "first word 0x%llx, fill 0x%02x",
                 (unsigned long long)page[0], fill);
    else
        st_skip("the shared page's fill", "the host does not advertise one");

    fill_words(page, 0x2222);
    uint64_t view = VIEW_VA(pa);
    err = mmu_map(view, pa | rt.shared_bit, CCDMA_PAGE_SIZE, MMU_NORMAL);
    uint64_t v = 0;
    int rc = err ? -1 : probe_read64(view + 8, &v);
    st_check(rc == 0 && v == page[1],
             "the device view (unprotected IPA) sees what the realm wrote", "rc=%d v=0x%llx", rc,
             (unsigned long long)v);
    mmu_map(view, 0, CCDMA_PAGE_SIZE, MMU_UNMAPPED);

    err = ccdma_plat_mem_unshare(page, CCDMA_PAGE_SIZE);
    if (!test_conversion(err, false, "unshare refused by the injected host: clean error"))
        return;
    r = test_ripas(pa);
    st_check(r == RSI_RIPAS_RAM, "unshare: IPA_STATE_GET says RAM", "err=%d ripas=%d", err, r);
    /* The page comes back as a fresh delegated granule: none of what the
     * host could see or write survives into private memory. */
    st_check(!any_word_survives(page, 0x2222), "shared contents gone after unshare",
             "first word 0x%llx", (unsigned long long)page[0]);
    uint64_t calls = test_rsi_state_set_calls() - calls0;
    st_check(calls == 2, "one IPA_STATE_SET per conversion of a granule",
             "%llu calls", (unsigned long long)calls);
    ccdma_plat_pages_free(page, 1);
}

/* A shared page through the protected IPA: RIPAS EMPTY, so the RMM itself
 * injects an external abort. A private page through the unprotected alias:
 * the access exits to the host, and an abort is the host's answer where it
 * advertises one (ccdma,alias-abort). */
SELFTEST(22, realm_wrong_alias)
{
    if (!rt.realm) {
        st_skip("wrong-alias external aborts", "plain mode has no aliases");
        return;
    }
    uint64_t *page = ccdma_plat_pages_alloc(1, UINT64_MAX);
    uint64_t pa = (uintptr_t)page, v;
    const struct fault_info *f = fault_last();

    if (!st_check(page != NULL, "page", "allocator empty"))
        return;
    uint64_t view = VIEW_VA(pa);
    mmu_map(view, pa | rt.shared_bit, CCDMA_PAGE_SIZE, MMU_NORMAL);
    fault_clear();
    int rc;
    if (test_host_alias_abort()) {
        rc = probe_read64(view, &v);
        st_check(rc == -1 && esr_ec(f->esr) == EC_DABT_CUR && esr_fsc(f->esr) == FSC_SEA,
                 "private page through the unprotected alias: synchronous external abort",
                 "rc=%d esr=0x%llx", rc, (unsigned long long)f->esr);
    } else {
        st_skip("private page through the unprotected alias",
                "what the host answers is its policy, and it advertises none");
    }

    int err = ccdma_plat_mem_share(page, CCDMA_PAGE_SIZE);
    if (!test_conversion(err, true, "share refused by the injected host: clean error")) {
        mmu_map(view, 0, CCDMA_PAGE_SIZE, MMU_UNMAPPED);
        return;
    }
    mmu_map(view, pa, CCDMA_PAGE_SIZE, MMU_NORMAL); /* the protected IPA */
    fault_clear();
    rc = probe_read64(view, &v);
    st_check(err == 0 && rc == -1 && esr_fsc(f->esr) == FSC_SEA && f->far == view,
             "shared page through the protected IPA: synchronous external abort",
             "err=%d rc=%d esr=0x%llx far=0x%llx", err, rc, (unsigned long long)f->esr,
             (unsigned long long)f->far);
    mmu_map(view, 0, CCDMA_PAGE_SIZE, MMU_UNMAPPED);
    if (err == 0 && ccdma_plat_mem_unshare(page, CCDMA_PAGE_SIZE) == 0)
        ccdma_plat_pages_free(page, 1);
}

static uint64_t raw_state_set(uint64_t base, uint64_t top, uint64_t ripas_v, uint64_t flags)
{
    struct smccc_regs r = {{RSI_IPA_STATE_SET, base, top, ripas_v, flags}};
    ccdma_smccc_call(&r);
    return r.x[0];
}

SELFTEST(23, realm_rsi_inputs)
{
    if (!rt.realm) {
        st_skip("RSI input checks", "no RMM in plain mode");
        return;
    }
    uint64_t base = rt.plat.mem[0].base + (32u << 20);
    uint64_t top_par = rt.shared_bit; /* end of the protected range */
    struct { const char *name; uint64_t b, t, ripas_v; } cases[] = {
        {"unaligned base", base + 8, base + 0x2000, RSI_RIPAS_RAM},
        {"unaligned top", base, base + 0x1008, RSI_RIPAS_RAM},
        {"top == base", base, base, RSI_RIPAS_RAM},
        {"top < base", base + 0x2000, base, RSI_RIPAS_RAM},
        {"range leaves the protected IPA space", top_par - 0x1000, top_par + 0x1000,
         RSI_RIPAS_EMPTY},
        {"target RIPAS DESTROYED", base, base + 0x1000, RSI_RIPAS_DESTROYED},
        {"target RIPAS DEV", base, base + 0x1000, 3},
    };
    for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t st = raw_state_set(cases[i].b, cases[i].t, cases[i].ripas_v, 0);
        st_check(st == RSI_ERROR_INPUT, cases[i].name, "IPA_STATE_SET answered %s",
                 rsi_status_name(st));
    }
    struct smccc_regs r = {{RSI_IPA_STATE_GET, base + 4, base + 0x1000}};
    ccdma_smccc_call(&r);
    st_check(r.x[0] == RSI_ERROR_INPUT, "IPA_STATE_GET with an unaligned base",
             "answered %s", rsi_status_name(r.x[0]));
    int base_ripas = test_ripas(base);
    st_check(base_ripas == RSI_RIPAS_RAM, "rejected requests changed nothing", "ripas=%d",
             base_ripas);
    r = (struct smccc_regs){{0xC40001FFu}};
    ccdma_smccc_call(&r);
    st_check(r.x[0] == (uint64_t)-1, "unknown SMC returns -1", "x0=0x%llx",
             (unsigned long long)r.x[0]);
}

/* The host's injected misbehaviour: partial progress completes; REJECT and
 * errors come back as clear errors and the pages stay quarantined. */
static void check_quarantined(uint8_t *buf, size_t n, uint64_t q0)
{
    struct mem_share_stats st;
    size_t free_before = page_alloc_free_pages();
    uint64_t v;

    mem_share_get_stats(&st);
    ccdma_plat_pages_free(buf, n);
    st_check(st.quarantined_granules - q0 == n && page_alloc_free_pages() == free_before,
             "the pages are quarantined: counted, and a free is refused",
             "quarantined %llu, free %zu -> %zu", (unsigned long long)(st.quarantined_granules - q0),
             free_before, page_alloc_free_pages());
    fault_clear();
    st_check(probe_read64((uintptr_t)buf, &v) == -1 &&
                 (esr_fsc(fault_last()->esr) & 0x3c) == 0x04,
             "quarantined pages are unmapped: a stray access faults", "esr=0x%llx",
             (unsigned long long)fault_last()->esr);
    uint8_t *again = ccdma_plat_pages_alloc(n, UINT64_MAX);
    bool overlap = again && again < buf + n * CCDMA_PAGE_SIZE &&
                   buf < again + n * CCDMA_PAGE_SIZE;
    st_check(again && !overlap, "the allocator never hands them out again",
             "got %p for quarantined %p", (void *)again, (void *)buf);
    if (again)
        ccdma_plat_pages_free(again, n);
}

SELFTEST(24, realm_inject)
{
    const size_t n = 8;
    struct mem_share_stats s0;

    if (!rt.realm) {
        st_skip("host fault injection", "no RMM in plain mode");
        return;
    }
    uint8_t *buf = ccdma_plat_pages_alloc(n, UINT64_MAX);
    if (!st_check(buf != NULL, "pages", "allocator empty"))
        return;
    uint64_t pa = (uintptr_t)buf, calls0 = test_rsi_state_set_calls();
    mem_share_get_stats(&s0);
    int err = ccdma_plat_mem_share(buf, n * CCDMA_PAGE_SIZE);
    uint64_t calls = test_rsi_state_set_calls() - calls0;
    if (!test_conversion(err, true, "share fails with the injected error")) {
        check_quarantined(buf, n, s0.quarantined_granules);
        return;
    }
    /* With ccdma.fail_after=N every injection, partial progress included,
     * starts only after N good calls: the count is exact only from the start. */
    bool gated = boot_bootarg_u64("ccdma.fail_after", 0) != 0;
    if (test_partial_progress() && !gated)
        st_check(calls == n, "partial progress: 8 calls of one granule, completed",
                 "calls=%llu", (unsigned long long)calls);
    else if (test_partial_progress())
        st_check(calls == 1 || calls == n,
                 "8 granules shared, in one call or one per granule (injection gated)",
                 "calls=%llu", (unsigned long long)calls);
    else
        st_check(calls == 1, "8 granules shared by one IPA_STATE_SET", "calls=%llu",
                 (unsigned long long)calls);

    err = ccdma_plat_mem_unshare(buf, n * CCDMA_PAGE_SIZE);
    if (!test_conversion(err, false, "unshare fails with the injected error")) {
        /* With partial progress the granules before the refusal did
         * change; the last one cannot have. */
        int r = test_ripas(pa + (n - 1) * CCDMA_PAGE_SIZE);
        st_check(r == RSI_RIPAS_EMPTY, "after the failed unshare the range's end is still EMPTY",
                 "ripas=%d", r);
        check_quarantined(buf, n, s0.quarantined_granules);
        return;
    }
    int first = test_ripas(pa), last = test_ripas(pa + (n - 1) * CCDMA_PAGE_SIZE);
    st_check(first == RSI_RIPAS_RAM && last == RSI_RIPAS_RAM,
             "unshare completes: every granule RAM again", "ripas %d..%d", first, last);
    ccdma_plat_pages_free(buf, n);
}
