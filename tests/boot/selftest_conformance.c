/* SPDX-License-Identifier: MIT */
/*
 * The realm's half of the differential conformance suite: one table of RSI
 * calls, PSCI calls and memory accesses, each answered by whichever RMM
 * runs this realm, printed as one canonical line
 *
 *   # conf: NAME x0=... x1=... x2=... x3=... kept=0|1 fault=none|esr=...
 *
 * (kept: x4..x17 came back as they went in). Addresses in the pages the
 * table uses print as base+OFFSET: where the page allocator put them
 * depends on the size of the DTB, which each machine's host is free to
 * choose. The harness
 * (tests/qemu/conformance_diff.py) compares the lines of a run under the
 * emulated RMM with those of a run under TF-RMM; every difference must be
 * listed in docs/realm.md with its reason. Both runs have the same host,
 * so the realm's translation tables, and the answers that depend on them,
 * are the same. Rows that change RIPAS restore it.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/rsi.h"
#include "arch/arm64/smccc_conduit.h"
#include "arch/arm64/sysregs.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"
#include "tests/boot/conformance.h"
#include "tests/boot/test_env.h"

#define VIEW_VA (1ull << 37)          /* spare VAs far above the identity map */
#define OUTSIDE_RAM_IPA 0x10000000ull /* protected, not RAM: RIPAS EMPTY */
#define BEYOND_IPA 0x100000000ull     /* at 2^32: outside a 32-bit IPA space */
#define MARK 0x5a5a000000000000ull
#define HOST_CALL_NOOP 0x1234u        /* a number no host serves */
#define A64_RET 0xd65f03c0u

#define SMCCC_VERSION_FID_ 0x80000000u
#define PSCI_VERSION 0x84000000u
#define PSCI_FEATURES 0x8400000au
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_CPU_ON_64 0xC4000003u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define RMI_VERSION_FID 0xC4000150u
#define SIP_FID 0xC2000000u
#define UNKNOWN_RSI_FID 0xC40001FFu

static unsigned int rows, rsi_clobbered;
uint64_t conf_base;

static void value(const char *key, uint64_t v)
{
    if (v >= conf_base && v - conf_base < 16 * CCDMA_PAGE_SIZE)
        printf(" %s=base+0x%llx", key, (unsigned long long)(v - conf_base));
    else
        printf(" %s=0x%llx", key, (unsigned long long)v);
}

/* RsiHostCall: imm at 0, gprs[31] at 8. */
struct host_call {
    uint32_t imm;
    uint32_t pad;
    uint64_t gprs[31];
    uint8_t rest[8];
} __attribute__((aligned(RSI_HOST_CALL_ALIGN)));

static struct host_call hc;

void conf_row(const char *name, const struct smccc_regs *r, bool kept, bool faulted)
{
    const struct fault_info *f = fault_last();

    printf("# conf: %s", name);
    value("x0", r->x[0]);
    value("x1", r->x[1]);
    value("x2", r->x[2]);
    value("x3", r->x[3]);
    printf(" kept=%d", kept);
    if (faulted)
        printf(" fault=esr=0x%llx\n", (unsigned long long)f->esr);
    else
        printf(" fault=none\n");
    rows++;
}

/* One SMC with x5..x17 marked, to see whether x4 and up come back. */
static void smc_row(const char *name, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                    uint64_t a4)
{
    struct smccc_regs r = {{fid, a1, a2, a3, a4}};
    bool kept;

    for (unsigned int i = 5; i < SMCCC_NUM_REGS; i++)
        r.x[i] = MARK | i;
    ccdma_smccc_call(&r);
    kept = r.x[4] == a4;
    for (unsigned int i = 5; i < SMCCC_NUM_REGS; i++)
        kept &= r.x[i] == (MARK | i);
    /* SMCCC: what a call does not return is preserved. Only
     * MEASUREMENT_READ returns more than x0..x3. */
    if (!kept && fid != RSI_MEASUREMENT_READ)
        rsi_clobbered++;
    conf_row(name, &r, kept, false);
}

/* One access through a VA mapped to ipa (the stage-1 output address);
 * returns the ESR_EL1 of the abort it took, or 0. */
static uint64_t access_row(const char *name, uint64_t ipa, bool write, bool fetch)
{
    struct smccc_regs r = {{0}};
    uint64_t va = VIEW_VA + (ipa & 0xfff), v = 0;
    int rc;

    if (mmu_map(VIEW_VA, ipa & ~0xfffull, CCDMA_PAGE_SIZE, MMU_NORMAL) != 0) {
        st_note("conf: %s: cannot map a view of 0x%llx", name, (unsigned long long)ipa);
        return 0;
    }
    fault_clear();
    rc = fetch ? probe_exec(va) : write ? probe_write64(va, 0x77) : probe_read64(va, &v);
    r.x[1] = !write && !fetch && rc == 0 && v == 0; /* a fresh page reads zero */
    r.x[2] = rc == 0 ? 0 : fault_last()->far == va;
    mmu_map(VIEW_VA, 0, CCDMA_PAGE_SIZE, MMU_UNMAPPED);
    conf_row(name, &r, true, rc != 0);
    return rc != 0 ? fault_last()->esr : 0;
}

#define FSC_SEA 0x10

/* An external abort as TF-RMM injects it: a current-EL abort class, FSC
 * SEA with EA set, and the ISS of the access kept (for a data abort the
 * syndrome ISV, SAS, SRT, SF, WnR). */
static bool injected_sea(uint64_t esr, bool data, bool write)
{
    if (esr_fsc(esr) != FSC_SEA || !(esr & (1ull << 9)))
        return false;
    if (!data)
        return esr_ec(esr) == EC_IABT_CUR;
    return esr_ec(esr) == EC_DABT_CUR && (esr & ESR_ISV) && ESR_SAS(esr) == 3 &&
           (esr & ESR_SF) && !!(esr & ESR_WNR) == write;
}

static void version_rows(void)
{
    smc_row("version_1_0", RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0, 0);
    smc_row("version_1_1", RSI_VERSION, RSI_VERSION_MAKE(1, 1), 0, 0, 0);
    smc_row("version_2_0", RSI_VERSION, RSI_VERSION_MAKE(2, 0), 0, 0, 0);
    smc_row("version_0_9", RSI_VERSION, RSI_VERSION_MAKE(0, 9), 0, 0, 0);
    smc_row("version_res0_set", RSI_VERSION, RSI_ABI_VERSION_1_0 | (1ull << 31), 0, 0, 0);
    smc_row("features_0", RSI_FEATURES, 0, 0, 0, 0);
    smc_row("features_1", RSI_FEATURES, 1, 0, 0, 0);
    smc_row("features_max", RSI_FEATURES, UINT64_MAX, 0, 0, 0);
}

static void realm_config_rows(uint64_t page, uint64_t shared)
{
    const struct rsi_realm_config *cfg = (const void *)(uintptr_t)page;
    struct smccc_regs r = {{RSI_REALM_CONFIG, page}};
    uint8_t *tail = (uint8_t *)(uintptr_t)page + RSI_REALM_CONFIG_RPV + RSI_REALM_CONFIG_RPV_SIZE;
    char name[64];

    memset((void *)(uintptr_t)page, 0xee, CCDMA_PAGE_SIZE);
    ccdma_smccc_call(&r);
    /* What was written, and whether the RMM left the rest of the granule. */
    snprintf(name, sizeof(name), "realm_config_ok width=%llu algo=%u rest_kept=%d",
             (unsigned long long)cfg->ipa_width, cfg->hash_algo, tail[0] == 0xee);
    conf_row(name, &r, true, false);
    smc_row("realm_config_unaligned", RSI_REALM_CONFIG, page + 8, 0, 0, 0);
    smc_row("realm_config_beyond_par", RSI_REALM_CONFIG, rt.shared_bit, 0, 0, 0);
    smc_row("realm_config_empty_outside_ram", RSI_REALM_CONFIG, OUTSIDE_RAM_IPA, 0, 0, 0);
    smc_row("realm_config_shared_page", RSI_REALM_CONFIG, shared, 0, 0, 0);
}

static void state_set_rows(uint64_t page)
{
    uint64_t g = CCDMA_PAGE_SIZE, par = rt.shared_bit;

    smc_row("state_set_unaligned_base", RSI_IPA_STATE_SET, page + 8, page + g, RSI_RIPAS_RAM, 0);
    smc_row("state_set_unaligned_top", RSI_IPA_STATE_SET, page, page + 8, RSI_RIPAS_RAM, 0);
    smc_row("state_set_empty_range", RSI_IPA_STATE_SET, page, page, RSI_RIPAS_RAM, 0);
    smc_row("state_set_reversed", RSI_IPA_STATE_SET, page + g, page, RSI_RIPAS_RAM, 0);
    smc_row("state_set_leaves_par", RSI_IPA_STATE_SET, par - g, par + g, RSI_RIPAS_EMPTY, 0);
    smc_row("state_set_ripas_destroyed", RSI_IPA_STATE_SET, page, page + g, RSI_RIPAS_DESTROYED, 0);
    smc_row("state_set_ripas_dev", RSI_IPA_STATE_SET, page, page + g, RSI_RIPAS_DEV, 0);
    /* Values whose high halves an RMM may not look at: harmless requests
     * (RAM for a RAM page) if it does not. */
    smc_row("state_set_ripas_wide", RSI_IPA_STATE_SET, page, page + g, (1ull << 32) | RSI_RIPAS_RAM,
            0);
    smc_row("state_set_flags_3", RSI_IPA_STATE_SET, page, page + g, RSI_RIPAS_RAM, 3);
    smc_row("state_set_flags_wide", RSI_IPA_STATE_SET, page, page + g, RSI_RIPAS_RAM,
            (1ull << 32) | RSI_CHANGE_DESTROYED);
    smc_row("state_set_ram_on_ram", RSI_IPA_STATE_SET, page, page + g, RSI_RIPAS_RAM,
            RSI_CHANGE_DESTROYED);
}

static void state_get_rows(uint64_t page, uint64_t shared)
{
    uint64_t g = CCDMA_PAGE_SIZE, par = rt.shared_bit;

    smc_row("state_get_unaligned_base", RSI_IPA_STATE_GET, page + 8, page + g, 0, 0);
    smc_row("state_get_unaligned_end", RSI_IPA_STATE_GET, page, page + 8, 0, 0);
    smc_row("state_get_empty_range", RSI_IPA_STATE_GET, page, page, 0, 0);
    smc_row("state_get_reversed", RSI_IPA_STATE_GET, page + g, page, 0, 0);
    smc_row("state_get_end_beyond_par", RSI_IPA_STATE_GET, par - g, par + g, 0, 0);
    smc_row("state_get_page", RSI_IPA_STATE_GET, page, page + g, 0, 0);
    smc_row("state_get_shared_page", RSI_IPA_STATE_GET, shared, shared + g, 0, 0);
    smc_row("state_get_table_pages", RSI_IPA_STATE_GET, page, page + 3 * g, 0, 0);
    smc_row("state_get_outside_ram", RSI_IPA_STATE_GET, OUTSIDE_RAM_IPA, OUTSIDE_RAM_IPA + (2u << 20),
            0, 0);
    smc_row("state_get_zero", RSI_IPA_STATE_GET, 0, g, 0, 0);
}

static void host_call_rows(uint64_t page)
{
    struct smccc_regs r = {{RSI_HOST_CALL, (uintptr_t)&hc}};
    bool same = true;

    smc_row("host_call_unaligned", RSI_HOST_CALL, (uintptr_t)&hc + 8, 0, 0, 0);
    smc_row("host_call_crosses_granule", RSI_HOST_CALL, page + CCDMA_PAGE_SIZE - 0x80, 0, 0, 0);
    smc_row("host_call_beyond_par", RSI_HOST_CALL, rt.shared_bit, 0, 0, 0);
    hc.imm = HOST_CALL_NOOP;
    for (unsigned int i = 0; i < 31; i++)
        hc.gprs[i] = MARK | i;
    ccdma_smccc_call(&r);
    for (unsigned int i = 0; i < 31; i++)
        same &= hc.gprs[i] == (MARK | i);
    /* x1 of the answer: the structure came back as the host returned it. */
    r.x[1] = same;
    conf_row("host_call_unknown_number", &r, true, false);
}

static void other_smc_rows(void)
{
    smc_row("smc_unknown_rsi_range", UNKNOWN_RSI_FID, 1, 2, 3, 0);
    smc_row("smc_rmi_from_realm", RMI_VERSION_FID, 0x10000, 0, 0, 0);
    smc_row("smc_sip", SIP_FID, 0, 0, 0, 0);
    smc_row("smccc_version", SMCCC_VERSION_FID_, 0, 0, 0, 0);
    smc_row("psci_version", PSCI_VERSION, 0, 0, 0, 0);
    smc_row("psci_features_system_off", PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0, 0);
    smc_row("psci_features_unknown", PSCI_FEATURES, 0x8400001fu, 0, 0, 0);
    smc_row("psci_cpu_on_self", PSCI_CPU_ON_64, 0, rt.plat.mem[0].base, 0, 0);
    smc_row("psci_cpu_on_no_such_cpu", PSCI_CPU_ON_64, 1, rt.plat.mem[0].base, 0, 0);
    smc_row("psci_cpu_on_bad_entry", PSCI_CPU_ON_64, 1, rt.shared_bit, 0, 0);
    smc_row("psci_affinity_self", PSCI_AFFINITY_INFO_64, 0, 0, 0, 0);
    smc_row("psci_affinity_level_1", PSCI_AFFINITY_INFO_64, 0, 1, 0, 0);
    smc_row("psci_unknown", 0x84000014u, 0, 0, 0, 0);
}

static void measurement_rows(void)
{
    char name[32];

    for (unsigned int i = 0; i <= RSI_MEASUREMENT_SLOTS; i++) {
        snprintf(name, sizeof(name), "measurement_read_%u", i);
        smc_row(name, RSI_MEASUREMENT_READ, i, 0, 0, 0);
    }
    smc_row("measurement_extend_rim", RSI_MEASUREMENT_EXTEND, 0, 32, 0, 0);
    smc_row("measurement_extend_index_5", RSI_MEASUREMENT_EXTEND, 5, 32, 0, 0);
    smc_row("measurement_extend_size_65", RSI_MEASUREMENT_EXTEND, 1, 65, 0, 0);
}

static void attestation_rows(uint64_t page)
{
    /* Before any TOKEN_INIT: the inputs first, then the state. */
    smc_row("token_continue_unaligned", RSI_ATTESTATION_TOKEN_CONTINUE, page + 8, 0, 64, 0);
    smc_row("token_continue_offset_granule", RSI_ATTESTATION_TOKEN_CONTINUE, page, 4096, 0, 0);
    smc_row("token_continue_overflow", RSI_ATTESTATION_TOKEN_CONTINUE, page, 8, UINT64_MAX, 0);
    smc_row("token_continue_beyond_par", RSI_ATTESTATION_TOKEN_CONTINUE, rt.shared_bit, 0, 64, 0);
    smc_row("token_continue_before_init", RSI_ATTESTATION_TOKEN_CONTINUE, page, 0, 64, 0);
    /* An RMM with an attestation key starts a token and bounds its size;
     * one without answers as TF-RMM does when it cannot start one. */
    smc_row("token_init", RSI_ATTESTATION_TOKEN_INIT, 0, 0, 0, 0);
}

/* One access per row of the RMM's fault table. The rows the architecture
 * fixes are checked here too; the host's answers (the alias rows) only
 * where it advertises them. */
static void fault_rows(uint64_t page, uint64_t shared, uint64_t fresh)
{
    uint64_t bit = rt.shared_bit, esr;
    bool sea = test_host_alias_abort();

    esr = access_row("access_private_read", page, false, false);
    st_check(esr == 0, "conformance: private RAM is readable", "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_unpopulated_read", fresh, false, false);
    st_check(esr == 0, "conformance: RAM not yet populated is given on first touch",
             "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_empty_outside_ram_read", OUTSIDE_RAM_IPA, false, false);
    st_check(injected_sea(esr, true, false), "conformance: a read of RIPAS EMPTY: external abort",
             "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_empty_outside_ram_write", OUTSIDE_RAM_IPA, true, false);
    st_check(injected_sea(esr, true, true), "conformance: a write to RIPAS EMPTY: external abort",
             "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_shared_page_protected_read", shared, false, false);
    st_check(injected_sea(esr, true, false),
             "conformance: a shared page through its protected IPA: external abort", "esr=0x%llx",
             (unsigned long long)esr);
    esr = access_row("access_private_alias_read", page | bit, false, false);
    if (sea)
        st_check(injected_sea(esr, true, false),
                 "conformance: a private page through the alias: the host's external abort",
                 "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_private_alias_write", page | bit, true, false);
    if (sea)
        st_check(injected_sea(esr, true, true),
                 "conformance: a write through the alias of a private page: external abort",
                 "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_shared_alias_read", shared | bit, false, false);
    st_check(esr == 0, "conformance: a shared page through its alias is readable", "esr=0x%llx",
             (unsigned long long)esr);
    /* A gap in QEMU virt's map, below its virtio-mmio transports. */
    esr = access_row("access_no_device_read", bit | 0x09f00000ull, false, false);
    if (sea)
        st_check(injected_sea(esr, true, false),
                 "conformance: an unprotected IPA with no device: the host's external abort",
                 "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("access_beyond_ipa_space_read", BEYOND_IPA, false, false);
    st_check(injected_sea(esr, true, false),
             "conformance: an IPA beyond the IPA space: external abort", "esr=0x%llx",
             (unsigned long long)esr);
    esr = access_row("fetch_shared_alias", shared | bit, false, true);
    st_check(injected_sea(esr, false, false),
             "conformance: an instruction fetch from an unprotected IPA: external abort",
             "esr=0x%llx", (unsigned long long)esr);
    esr = access_row("fetch_empty_outside_ram", OUTSIDE_RAM_IPA, false, true);
    st_check(injected_sea(esr, false, false),
             "conformance: an instruction fetch from RIPAS EMPTY: external abort", "esr=0x%llx",
             (unsigned long long)esr);
}

SELFTEST(25, realm_conformance)
{
    uint8_t *pages;
    uint64_t page, shared, fresh;

    if (!rt.realm) {
        st_skip("RMM conformance table", "no RMM in plain mode");
        return;
    }
    pages = ccdma_plat_pages_alloc(3, UINT64_MAX);
    if (!st_check(pages != NULL, "conformance: pages", "allocator empty"))
        return;
    page = conf_base = (uintptr_t)pages;
    shared = page + CCDMA_PAGE_SIZE;
    fresh = page + 2 * CCDMA_PAGE_SIZE;
    memset((void *)(uintptr_t)page, 0, CCDMA_PAGE_SIZE);
    if (ccdma_plat_mem_share((void *)(uintptr_t)shared, CCDMA_PAGE_SIZE) != 0) {
        st_skip("RMM conformance table", "this boot's host refuses to share memory");
        return; /* the page is quarantined by the platform */
    }
    *(volatile uint32_t *)(uintptr_t)shared = A64_RET;
    rows = rsi_clobbered = 0;
    version_rows();
    realm_config_rows(page, shared);
    state_set_rows(page);
    state_get_rows(page, shared);
    host_call_rows(page);
    other_smc_rows();
    measurement_rows();
    attestation_rows(page);
    fault_rows(page, shared, fresh);
    st_check(rsi_clobbered == 0, "conformance: every call kept x4..x17 (SMCCC)",
             "%u calls changed them", rsi_clobbered);
    st_note("conf: %u rows", rows);
    if (ccdma_plat_mem_unshare((void *)(uintptr_t)shared, CCDMA_PAGE_SIZE) == 0)
        ccdma_plat_pages_free(pages, 3);
}
