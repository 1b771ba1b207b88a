/* SPDX-License-Identifier: MIT */
/*
 * DESTROYED memory: the host may take a data granule back at any time
 * (RMI_DATA_DESTROY), and the realm must then see RIPAS DESTROYED, find
 * that a change to RAM without RSI_CHANGE_DESTROYED stops there (REJECT,
 * no progress), and get the page back only by asking with exactly that
 * flag. The host takes the page back when asked through ccdma's test host
 * call, where it advertises it (ccdma,test-host-calls).
 *
 * With ccdma.selftest=touch_destroyed the test instead reads the page while
 * it is DESTROYED: that is a REC exit with no progress, not an abort the
 * realm could handle, and the host ends the run (a boot test expects it).
 */
#include <ccdma/errors.h>
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include <libfdt.h>

#include "arch/arm64/rsi.h"
#include "arch/arm64/smccc_conduit.h"
#include "boot/boot.h"
#include "boot/runtime.h"
#include "tests/boot/conformance.h"
#include "tests/boot/test_env.h"

#define HOST_CALL_DESTROY_PAGE 0xCCD1u
#define NOT_SERVED UINT64_MAX

static struct {
    uint32_t imm;
    uint32_t pad;
    uint64_t gprs[31];
} hc __attribute__((aligned(RSI_HOST_CALL_ALIGN)));

static bool host_serves_test_calls(void)
{
    const void *fdt = (const void *)rt.dtb;
    int chosen = fdt_path_offset(fdt, "/chosen"), len;

    return chosen >= 0 && fdt_getprop(fdt, chosen, "ccdma,test-host-calls", &len) != NULL;
}

static uint64_t destroy_page(uint64_t ipa)
{
    struct smccc_regs r = {{RSI_HOST_CALL, (uintptr_t)&hc}};

    hc.imm = HOST_CALL_DESTROY_PAGE;
    hc.gprs[0] = ipa;
    hc.gprs[1] = NOT_SERVED;
    ccdma_smccc_call(&r);
    return r.x[0] == RSI_SUCCESS ? hc.gprs[1] : NOT_SERVED;
}

/* The clean error an IPA_STATE_SET answer amounts to, as the RSI client
 * maps them (0 for ACCEPT, whatever the progress). */
static int answer_error(const struct smccc_regs *r)
{
    if (r->x[0] != RSI_SUCCESS)
        return CCDMA_ERSI;
    return r->x[2] == RSI_REJECT ? CCDMA_EREJECT : 0;
}

static struct smccc_regs set_ram(uint64_t page, uint64_t flags)
{
    struct smccc_regs r = {{RSI_IPA_STATE_SET, page, page + CCDMA_PAGE_SIZE, RSI_RIPAS_RAM, flags}};

    ccdma_smccc_call(&r);
    return r;
}

SELFTEST(26, realm_destroyed)
{
    if (!rt.realm) {
        st_skip("DESTROYED memory", "no RMM in plain mode");
        return;
    }
    if (!host_serves_test_calls()) {
        st_skip("DESTROYED memory", "the host does not serve ccdma's test host calls");
        return;
    }
    volatile uint64_t *p = ccdma_plat_pages_alloc(1, UINT64_MAX);
    uint64_t page = (uintptr_t)p;
    struct smccc_regs r;

    if (!st_check(p != NULL, "destroyed: page", "allocator empty"))
        return;
    conf_base = page;
    p[0] = 0x1234;
    if (!st_check(destroy_page(page) == 0, "destroyed: the host took the page's granule back",
                  "host call answered otherwise"))
        return; /* the page's state is unknown: leak it */
    int ripas = test_ripas(page);
    st_check(ripas == RSI_RIPAS_DESTROYED, "destroyed: IPA_STATE_GET says DESTROYED",
             "ripas=%d", ripas);
    if (boot_bootarg_u64("ccdma.selftest_touch_destroyed", 0) != 0) {
        st_note("destroyed: reading the page now; the host must end the run");
        (void)p[0];
        st_check(false, "destroyed: a DESTROYED page is never readable", "the read returned");
        return;
    }
    /* This boot's host may refuse every change to RAM (or its RMM fail
     * them): then the answers are its injected error, and the page stays
     * DESTROYED, so it is leaked, never freed. */
    int injected = test_injected_error(false);
    r = set_ram(page, RSI_NO_CHANGE_DESTROYED);
    conf_row("destroyed_set_ram_no_flag", &r, true, false);
    if (answer_error(&r) == 0 || injected == 0)
        st_check(r.x[0] == RSI_SUCCESS && r.x[1] == page && r.x[2] == RSI_REJECT,
                 "destroyed: a change to RAM without CHANGE_DESTROYED stops there: REJECT",
                 "x0=0x%llx x1=0x%llx x2=0x%llx", (unsigned long long)r.x[0],
                 (unsigned long long)r.x[1], (unsigned long long)r.x[2]);
    r = set_ram(page, 3);
    conf_row("destroyed_set_ram_flags_3", &r, true, false);
    if (answer_error(&r) == 0 || injected == 0)
        st_check(r.x[0] == RSI_SUCCESS && r.x[2] == RSI_REJECT,
                 "destroyed: flags other than exactly CHANGE_DESTROYED do not count",
                 "x0=0x%llx x2=0x%llx", (unsigned long long)r.x[0], (unsigned long long)r.x[2]);
    /* Reserved flag bits set: what an RMM makes of them is its own (TF-RMM
     * reads 32 bits, and sees CHANGE_DESTROYED); the conformance row
     * records it, the check does not judge it. */
    r = set_ram(page, (1ull << 32) | RSI_CHANGE_DESTROYED);
    conf_row("destroyed_set_ram_flags_wide", &r, true, false);
    r = set_ram(page, RSI_CHANGE_DESTROYED);
    conf_row("destroyed_set_ram_change_destroyed", &r, true, false);
    bool back = r.x[0] == RSI_SUCCESS && r.x[1] == page + CCDMA_PAGE_SIZE && r.x[2] == RSI_ACCEPT;
    if (!back && injected != 0) {
        st_check(answer_error(&r) == injected,
                 "destroyed: the page stays DESTROYED: this boot's injected refusal",
                 "x0=0x%llx x1=0x%llx x2=0x%llx", (unsigned long long)r.x[0],
                 (unsigned long long)r.x[1], (unsigned long long)r.x[2]);
        return;
    }
    if (!st_check(back, "destroyed: with CHANGE_DESTROYED the page becomes RAM again",
                  "x0=0x%llx x1=0x%llx x2=0x%llx", (unsigned long long)r.x[0],
                  (unsigned long long)r.x[1], (unsigned long long)r.x[2]))
        return;
    ripas = test_ripas(page);
    st_check(ripas == RSI_RIPAS_RAM && p[0] == 0,
             "destroyed: RAM again, a fresh zeroed granule behind it", "ripas=%d first=0x%llx",
             ripas, (unsigned long long)p[0]);
    ccdma_plat_pages_free((void *)(uintptr_t)page, 1);
}
