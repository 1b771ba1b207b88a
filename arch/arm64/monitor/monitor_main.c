/* SPDX-License-Identifier: MIT */
/*
 * The realm monitor's boot, entered at EL2 from boot/head.S with the MMU
 * off (docs/realm.md, "Boot"):
 *   1. .bss, the EL2 identity map (MMU and caches on), picolibc's TLS;
 *   2. the host DTB, validated, and the console;
 *   3. bootargs -> fault injection, wipe pattern, strict mode;
 *   4. the RIPAS model, the realm's DTB, stage 2, the virtio traps, the
 *      poison window;
 *   5. EL2 controls for a realm guest, then ERET to the payload at EL1.
 */
#include <picolibc.h> /* defines PICOLIBC_TLS, which picotls.h needs */
#include <picotls.h>
#include <stdio.h>
#include <string.h>

#include <ccdma/platform.h>

#include "arch/arm64/sysregs.h"
#include "boot/runtime.h"
#include "monitor.h"

#define IMAGE_MAGIC_OFF 56       /* arm64 Image header: "ARM\x64" */
#define IMAGE_MAGIC 0x644d5241u

#define REALM_HCR ((uint64_t)HCR_RW | HCR_TSC | HCR_VM)
#define CNTHCTL_EL1PCTEN_EL1PCEN 3u
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

struct runtime rt;
struct monitor mon;

static uint8_t ripas_table[REALM_MODEL_TABLE_LEN(MON_REALM_RAM_SIZE)];

extern char __image_start[], __image_end[], __bss_start[], __bss_end[], __tls_block[];
extern char __realm_payload_start[], __realm_payload_end[];
extern uintptr_t __stack_chk_guard;

void stack_guard_mix(const uint8_t *seed, size_t len);

/* Before the MMU: FP/SIMD untrapped at EL2 (libfdt and picolibc use it,
 * and CPTR_EL2 is UNKNOWN at reset), drop any stale cache lines over the
 * image (what the loader wrote is in memory), zero .bss, seed the guard. */
__attribute__((no_stack_protector)) static void early_memory(void)
{
    write_sysreg(cptr_el2, CPTR_EL2_RES1);
    __asm__ volatile("isb");
    ccdma_plat_cache_invalidate(__image_start,
                                (size_t)(__image_end - __image_start));
    for (volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)__bss_start;
         p < (volatile uint64_t *)(uintptr_t)__bss_end; p++)
        *p = 0;
    __stack_chk_guard = (read_sysreg(cntpct_el0) ^ read_sysreg(midr_el1)) *
                        0x9e3779b97f4a7c15ull;
}

/* True when one /memory range holds [base, top): the monitor only touches
 * host RAM the DTB vouches for. */
static bool ram_holds(uint64_t base, uint64_t top)
{
    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        if (base >= rt.plat.mem[i].base &&
            top <= rt.plat.mem[i].base + rt.plat.mem[i].size)
            return true;
    return false;
}

static void check_layout(void)
{
    static const struct {
        uint64_t base, top;
        const char *what;
    } need[] = {
        {MON_POISON_BASE, MON_POISON_TOP, "the poison window (with the host DTB)"},
        {CCDMA_MONITOR_BASE, 0, "the monitor"},
        {MON_REALM_RAM_PA, MON_REALM_RAM_PA + MON_REALM_RAM_SIZE, "realm RAM"},
    };

    for (unsigned int i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        uint64_t top = need[i].top ? need[i].top : (uintptr_t)__image_end;

        if (!ram_holds(need[i].base, top)) {
            printf("monitor: RAM does not hold %s at PA 0x%llx-0x%llx (run with -m 3G)\n",
                   need[i].what, (unsigned long long)need[i].base, (unsigned long long)top);
            runtime_fail_stop("monitor: the machine does not fit the realm layout");
        }
    }
    if (!rt.plat.has_uart || rt.plat.uart.base >= MON_DEVICE_PA_TOP ||
        rt.plat.uart.size > MON_DEVICE_PA_TOP - rt.plat.uart.base)
        runtime_fail_stop("monitor: no PL011 below RAM to pass through to the realm");
}

/* ---- Bootargs (docs/realm.md) ---------------------------------------------------- */

static noreturn void bad_option(const char *key, const char *val)
{
    printf("monitor: bad bootarg %s=%s\n", key, val);
    runtime_fail_stop("monitor: unusable ccdma.* bootargs");
}

/* Decimal or 0x-prefixed hex, no sign, no trailing garbage. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    unsigned int base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        unsigned int d;

        if (*s >= '0' && *s <= '9')
            d = (unsigned int)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (unsigned int)((*s | 0x20) - 'a' + 10);
        else
            return false;
        if (v > (max - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* ccdma.inject takes a comma-separated list, e.g. "reject,one_granule". */
static void parse_inject(char *list, struct realm_model_inject *inj)
{
    for (char *tok = list; *tok;) {
        char *end = strchr(tok, ',');

        if (end)
            *end = '\0';
        if (strcmp(tok, "reject") == 0)
            inj->reject_ram = true;
        else if (strcmp(tok, "reject_empty") == 0)
            inj->reject_ram = inj->reject_empty = true;
        else if (strcmp(tok, "one_granule") == 0)
            inj->one_granule = true;
        else if (strcmp(tok, "rsi_error") == 0)
            inj->rsi_error = true;
        else
            bad_option("ccdma.inject", tok);
        tok = end ? end + 1 : tok + strlen(tok);
    }
}

static void parse_options(struct realm_model_inject *inj)
{
    char val[DT_BOOTARGS_MAX];
    uint64_t n;

    *inj = (struct realm_model_inject){.wipe_pattern = REALM_MODEL_DEFAULT_WIPE};
    mon.strict = true;
    if (dt_bootarg(&rt.plat, "ccdma.inject", val, sizeof(val)))
        parse_inject(val, inj);
    if (dt_bootarg(&rt.plat, "ccdma.fail_after", val, sizeof(val))) {
        if (!parse_u64(val, UINT32_MAX, &n))
            bad_option("ccdma.fail_after", val);
        inj->fail_after = (uint32_t)n;
    }
    if (dt_bootarg(&rt.plat, "ccdma.wipe", val, sizeof(val))) {
        if (!parse_u64(val, UINT8_MAX, &n))
            bad_option("ccdma.wipe", val);
        inj->wipe_pattern = (uint8_t)n;
    }
    if (dt_bootarg(&rt.plat, "ccdma.strict", val, sizeof(val))) {
        if (!parse_u64(val, 1, &n))
            bad_option("ccdma.strict", val);
        mon.strict = n != 0;
    }
}

/* ---- The realm -------------------------------------------------------------------------- */

static void model_init(void)
{
    static const struct realm_model_ops ops = {
        .mem_write = realm_mem_write,
        .mem_fill = realm_mem_fill,
        .on_ripas_change = stage2_on_ripas_change,
    };
    const struct realm_model_config cfg = {
        .ram_base = MON_REALM_RAM_IPA,
        .ram_size = MON_REALM_RAM_SIZE,
        .ipa_width = MON_IPA_WIDTH,
        .hash_algo = RSI_HASH_SHA_256,
    };
    struct realm_model_inject inj;

    if (realm_model_init(&mon.model, &cfg, &ops, ripas_table, sizeof(ripas_table)) != 0)
        runtime_fail_stop("monitor: the RIPAS model refused the layout");
    parse_options(&inj);
    realm_model_set_inject(&mon.model, &inj);
}

static void print_options(void)
{
    const struct realm_model_inject *inj = &mon.model.inject;
    const struct {
        bool on;
        const char *name;
    } kinds[] = {
        {inj->reject_ram && !inj->reject_empty, "reject"},
        {inj->reject_empty, "reject_empty"},
        {inj->one_granule, "one_granule"},
        {inj->rsi_error, "rsi_error"},
    };
    const char *sep = "";

    printf("monitor: strict=%d wipe=0x%02x inject=", mon.strict, inj->wipe_pattern);
    for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (kinds[i].on) {
            printf("%s%s", sep, kinds[i].name);
            sep = ",";
        }
    }
    printf("%s fail_after=%u\n", *sep ? "" : "none", (unsigned int)inj->fail_after);
}

/* The payload is the EL1 image ccdma.bin, loaded by QEMU at the PA of the
 * entry IPA (the ELF's p_paddr). */
static uint64_t check_payload(void)
{
    uint64_t size = (uintptr_t)__realm_payload_end - (uintptr_t)__realm_payload_start;

    if ((uintptr_t)__realm_payload_start != realm_pa(MON_REALM_ENTRY_IPA) ||
        size < IMAGE_MAGIC_OFF + 4 ||
        size > MON_REALM_RAM_IPA + MON_REALM_RAM_SIZE - MON_REALM_ENTRY_IPA ||
        *(volatile uint32_t *)(uintptr_t)(__realm_payload_start + IMAGE_MAGIC_OFF) !=
            IMAGE_MAGIC)
        runtime_fail_stop("monitor: no arm64 Image at the realm entry");
    return size;
}

static size_t build_realm_dtb(void)
{
    size_t size = 0;
    int err = realm_dtb_build((const void *)rt.dtb, (void *)(uintptr_t)realm_pa(MON_REALM_DTB_IPA),
                              MON_REALM_DTB_MAX, &size);

    if (err != 0) {
        printf("monitor: realm DTB: libfdt error %d\n", err);
        runtime_fail_stop("monitor: cannot build the realm's device tree");
    }
    /* The realm reads it with its MMU off, i.e. from memory. */
    ccdma_plat_cache_clean((const void *)(uintptr_t)realm_pa(MON_REALM_DTB_IPA), size);
    return size;
}

/* EL2 controls for the guest: stage 2 on, SMC trapped, EL1 AArch64; the
 * counter, FP/SIMD and the PMU untrapped; EL1 starts with its MMU off. */
static void el2_guest_controls(void)
{
    write_sysreg(hcr_el2, REALM_HCR);
    write_sysreg(cptr_el2, CPTR_EL2_RES1);
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN_EL1PCEN);
    write_sysreg(cntvoff_el2, 0);
    write_sysreg(mdcr_el2, PMCR_N(read_sysreg(pmcr_el0))); /* HPMN: all counters to EL1 */
    write_sysreg(hstr_el2, 0);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
    write_sysreg(sctlr_el1, SCTLR_EL1_RES1);
    __asm__ volatile("isb\n ic ialluis\n dsb ish\n isb" ::: "memory");
}

/* head.S calls boot_main when the image starts at EL1: without EL2 there
 * is no stage 2 to build a realm on. */
noreturn void boot_main(uintptr_t x0, unsigned int entry_el);
noreturn void boot_main(uintptr_t x0, unsigned int entry_el)
{
    (void)x0;
    _init_tls(__tls_block);
    _set_tls(__tls_block);
    printf("monitor: entered at EL%u; the realm monitor needs EL2 "
           "(-M virt,virtualization=on)\n", entry_el);
    runtime_fail_stop("monitor: no EL2");
}

/* From head.S at EL2 (entered there, or passed down from EL3). */
noreturn void monitor_main(uintptr_t x0, unsigned int entry_el);
noreturn void monitor_main(uintptr_t x0, unsigned int entry_el)
{
    unsigned int skipped = 0;
    uint64_t payload;
    size_t dtb_size;
    int err;

    early_memory();
    el2_mmu_enable();
    _init_tls(__tls_block);
    _set_tls(__tls_block);
    mon.tpidr_el0 = read_sysreg(tpidr_el0);

    rt.entry_el = entry_el;
    rt.run_el = 2;
    /* An ELF boot passes x0 = 0 and the DTB at the base of RAM, the only
     * place the EL2 map covers yet. */
    (void)x0;
    rt.dtb = MON_HOST_DTB_PA;
    rt.dtb_source = "ram-base";
    if (!dt_looks_like_fdt(rt.dtb))
        runtime_fail_stop("monitor: no device tree at the base of RAM");
    err = dt_platform_parse((const void *)rt.dtb, MON_HOST_DTB_MAX, &rt.plat, &skipped);
    if (err != 0) {
        printf("monitor: host device tree rejected (error %d)\n", err);
        runtime_fail_stop("monitor: invalid device tree");
    }
    stack_guard_mix(rt.plat.rng_seed, rt.plat.rng_seed_len);
    console_attach(rt.plat.has_uart ? rt.plat.uart.base : CCDMA_EARLY_UART);
    check_layout();
    el2_mmu_map_realm_ram();

    model_init();
    payload = check_payload();
    dtb_size = build_realm_dtb();
    stage2_init(&rt.plat);
    virtio_trap_init(&rt.plat);
    /* The host DTB is consumed (rt.plat holds copies): poison it too. */
    poison_fill();
    rt.dtb = 0;
    printf("monitor: EL2 realm monitor: RAM IPA 0x%llx+0x%llx at PA 0x%llx, ipa_width=%u, "
           "payload 0x%llx bytes, DTB 0x%zx bytes, %u virtio-mmio, poison PA 0x%llx-0x%llx\n",
           (unsigned long long)MON_REALM_RAM_IPA, (unsigned long long)MON_REALM_RAM_SIZE,
           (unsigned long long)MON_REALM_RAM_PA, MON_IPA_WIDTH, (unsigned long long)payload,
           dtb_size, rt.plat.n_virtio, (unsigned long long)MON_POISON_BASE,
           (unsigned long long)MON_POISON_TOP);
    print_options();
    if (skipped)
        printf("monitor: host device tree: %u malformed entries ignored\n", skipped);

    stage2_activate();
    el2_guest_controls();
    monitor_enter_realm(MON_REALM_ENTRY_IPA, MON_REALM_DTB_IPA);
}
