/* SPDX-License-Identifier: MIT */
/*
 * The boot sequence at EL1, in the order the machine allows:
 *   1. an early identity map of the image and the DTB, MMU and caches on
 *      (nothing before this may make an unaligned access or call libc);
 *   2. picolibc's TLS (errno), then the DTB, validated;
 *   3. realm detection (RSI), which decides how devices are mapped;
 *   4. the final map from the DTB: RAM Normal, MMIO Device-nGnRE;
 *   5. the console, the boot line, the page allocator;
 *   6. the self-tests, and the verdict as the exit status.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/realm.h"
#include "boot/arch.h"
#include "boot/cpus.h"
#include "boot/irq.h"
#include "boot/boot.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"

#define SZ_2M 0x200000ull
#define PAGE_MASK 0xfffull

struct runtime rt;

extern char __image_start[], __image_end[];

unsigned int stack_guard_seed(const uint8_t *seed, size_t len);

static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static uintptr_t find_dtb(uintptr_t x0)
{
    if (dt_looks_like_fdt(x0)) {
        rt.dtb_source = BOOT_DTB_REG;
        return x0;
    }
    /* QEMU's firmware and ELF boots leave the DTB at the base of RAM; the
     * platform build names that address. */
    if (dt_looks_like_fdt(CCDMA_DTB_FALLBACK)) {
        rt.dtb_source = "ram-base";
        return CCDMA_DTB_FALLBACK;
    }
#ifdef CCDMA_HAVE_BUILTIN_DTB
    /* A model started without a DTB (FVP): the built-in description. */
    extern const char builtin_dtb[];
    rt.dtb_source = "built-in";
    return (uintptr_t)builtin_dtb;
#else
    return 0;
#endif
}

static void map_or_die(uint64_t base, uint64_t size, enum mmu_attr attr, const char *what)
{
    uint64_t b = align_down(base, CCDMA_PAGE_SIZE);
    uint64_t s = align_up(base + size, CCDMA_PAGE_SIZE) - b;
    if (mmu_map(b, b, s, attr) != 0) {
        printf("ccdma: cannot map %s at 0x%llx+0x%llx\n", what, (unsigned long long)base,
               (unsigned long long)size);
        runtime_fail_stop("page-table setup failed");
    }
}

/* The DTB's size is not known until it is mapped: map a window that any
 * sane tree fits in, then check totalsize against it. */
#define DTB_WINDOW (2 * SZ_2M)

static void mmu_early(uintptr_t dtb)
{
    if (!mmu_tables_begin())
        runtime_fail_stop("no page-table memory");
    /* The window may overlap the image (-bios puts the DTB at the RAM
     * base, just below us): map it first so the image's mapping wins. */
    if (dtb)
        map_or_die(dtb, DTB_WINDOW, MMU_NORMAL_RO, "DTB");
    map_or_die((uintptr_t)__image_start, (uintptr_t)__image_end - (uintptr_t)__image_start,
               MMU_NORMAL, "image");
    mmu_activate();
}

/* MMIO goes through the unprotected alias in a realm (the host emulates
 * it); the CPU address stays the one the DTB gave. */
static void map_mmio(uint64_t base, uint64_t size, const char *what)
{
    uint64_t b = align_down(base, CCDMA_PAGE_SIZE);
    uint64_t s = align_up(base + size, CCDMA_PAGE_SIZE) - b;
    if (mmu_map(b, b | rt.shared_bit, s, MMU_DEVICE) != 0) {
        printf("ccdma: cannot map %s at 0x%llx\n", what, (unsigned long long)base);
        runtime_fail_stop("page-table setup failed");
    }
}

/* RAM the CPU cannot address is left out: on AArch32 the identity map is
 * the 32-bit address space, and QEMU virt puts RAM beyond 3 GiB above it. */
static void drop_unaddressable_ram(void)
{
    unsigned int kept = 0;
    for (unsigned int i = 0; i < rt.plat.n_mem; i++) {
        struct dt_range r = rt.plat.mem[i];
        if (r.base + r.size - 1 > UINTPTR_MAX) {
            uint64_t usable = r.base > UINTPTR_MAX ? 0 : (uint64_t)UINTPTR_MAX - r.base + 1;
            printf("ccdma: RAM 0x%llx+0x%llx: 0x%llx bytes above the address space left out\n",
                   (unsigned long long)r.base, (unsigned long long)r.size,
                   (unsigned long long)(r.size - usable));
            r.size = usable;
        }
        if (r.size)
            rt.plat.mem[kept++] = r;
    }
    rt.plat.n_mem = kept;
    if (!kept)
        runtime_fail_stop("no RAM the CPU can address");
}

/* In a realm MMIO is reached at (address | shared bit): a window at or
 * above the shared bit has no such alias. */
static bool below_shared_bit(uint64_t base, uint64_t size, void *ctx)
{
    (void)ctx;
    return base + size <= rt.shared_bit;
}

/* mmu_final maps device windows after RAM, the image and the DTB, as
 * Device memory (shared, in a realm): a window over the image's code,
 * data, stacks or page tables, or over the DTB, would hand those pages to
 * whoever emulates the device. The tree's own RAM list was checked when it
 * was parsed; what the runtime occupies need not be in it. */
static bool clear_of_runtime(uint64_t base, uint64_t size, void *ctx)
{
    const struct dt_range *own = ctx;
    return !dt_range_overlaps(base, size, own, 2);
}

static bool realm_window_is_mmio(uint64_t base, uint64_t size, void *ctx)
{
    (void)ctx;
    return arch_realm_window_is_mmio(base, size);
}

/* Device windows the tree may not have, left unmapped: those over memory
 * are counted in rt, for the boot line; returns those out of reach. */
static unsigned int drop_unsafe_mmio(void)
{
    const struct dt_range own[2] = {
        {(uintptr_t)__image_start, (uintptr_t)__image_end - (uintptr_t)__image_start},
        {rt.dtb, rt.plat.dtb_size},
    };
    unsigned int unreachable = 0;

    rt.mmio_over_runtime = dt_platform_drop_windows(&rt.plat, clear_of_runtime, (void *)own);
    if (rt.realm) {
        unreachable = dt_platform_drop_windows(&rt.plat, below_shared_bit, NULL);
        rt.mmio_over_ram = dt_platform_drop_windows(&rt.plat, realm_window_is_mmio, NULL);
    }
    return unreachable;
}

static void mmu_final(void)
{
    if (!mmu_tables_begin())
        runtime_fail_stop("no page-table memory");
    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        map_or_die(rt.plat.mem[i].base, rt.plat.mem[i].size, MMU_NORMAL, "RAM");
    /* The image is inside RAM on QEMU, but not necessarily elsewhere. */
    map_or_die((uintptr_t)__image_start, (uintptr_t)__image_end - (uintptr_t)__image_start,
               MMU_NORMAL, "image");
    map_or_die(rt.dtb, rt.plat.dtb_size, MMU_NORMAL_RO, "DTB");
    if (rt.plat.has_uart)
        map_mmio(rt.plat.uart.base, rt.plat.uart.size, "UART");
    for (unsigned int i = 0; i < rt.plat.n_virtio; i++)
        map_mmio(rt.plat.virtio[i].base, rt.plat.virtio[i].size, "virtio-mmio");
    /* A realm's GIC is the host's to emulate, through the unprotected
     * alias like any device; only a GICv3 can be (its CPU interface is the
     * hardware's virtual one, where a GICv2's would be MMIO too). */
    if (rt.plat.gic.version == 3 || (rt.plat.gic.version && !rt.realm)) {
        map_mmio(rt.plat.gic.dist.base, rt.plat.gic.dist.size, "GIC distributor");
        map_mmio(rt.plat.gic.cpu.base, rt.plat.gic.cpu.size, "GIC CPU interface");
    }
    mmu_activate();
}

/* Where the stack guard's randomness came from; in a realm, whether the
 * host could know it. */
static void print_entropy_line(void)
{
    if (rt.entropy_words)
        printf("ccdma: entropy: %u words of RNDR (FEAT_RNG), then %u bytes of the DTB's "
               "rng-seed mixed in as untrusted\n", rt.entropy_words, rt.plat.rng_seed_len);
    else if (rt.realm)
        printf("ccdma: entropy: no trusted source in this realm (no FEAT_RNG): the stack "
               "guard comes from the counter and the DTB's rng-seed, which the host knows\n");
    else
        printf("ccdma: entropy: no FEAT_RNG: the stack guard comes from the counter and the "
               "DTB's rng-seed (%u bytes)\n", rt.plat.rng_seed_len);
}

static void print_boot_line(void)
{
    uint64_t ram = 0;
    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        ram += rt.plat.mem[i].size;
    printf("ccdma: el=%u->%u mode=%s", rt.entry_el, rt.run_el, rt.realm ? "realm" : "plain");
    if (rt.realm)
        printf(" rsi=%u.%u ipa_width=%u", rt.rsi_major, rt.rsi_minor, rt.ipa_width);
    printf(" dtb=0x%llx ram=0x%llx+0x%llx", (unsigned long long)rt.dtb,
           (unsigned long long)rt.plat.mem[0].base, (unsigned long long)rt.plat.mem[0].size);
    if (rt.plat.n_mem > 1)
        printf(" (+%u regions, 0x%llx total)", rt.plat.n_mem - 1, (unsigned long long)ram);
    printf("\n");
    printf("ccdma: dtb from %s, %u virtio-mmio transports, psci=%s, semihosting=%s, "
           "image at 0x%llx\n", rt.dtb_source, rt.plat.n_virtio,
           rt.plat.psci == DT_PSCI_HVC ? "hvc" : rt.plat.psci == DT_PSCI_SMC ? "smc" : "none",
           rt.semihosting ? "on" : "off", (unsigned long long)(uintptr_t)__image_start);
}

static void boot_interrupts(void)
{
    const char *why;

    if (boot_irq_init(&why))
        printf("ccdma: irq: GICv%u at 0x%llx, interrupts on\n", rt.plat.gic.version,
               (unsigned long long)rt.plat.gic.dist.base);
    else
        printf("ccdma: irq: polled: %s\n", why);
}

static void page_alloc_setup(void)
{
    struct page_alloc_exclude ex[] = {
        {(uintptr_t)__image_start, (uintptr_t)__image_end - (uintptr_t)__image_start},
        {rt.dtb, rt.plat.dtb_size},
    };
    if (page_alloc_init(&rt.plat, ex, 2) != 0)
        runtime_fail_stop("no usable RAM for the page allocator");
    printf("ccdma: page allocator: %zu of %zu pages free\n", page_alloc_free_pages(),
           page_alloc_total_pages());
}

noreturn void boot_main(uintptr_t x0, unsigned int entry_el);
noreturn void boot_main(uintptr_t x0, unsigned int entry_el)
{
    rt.entry_el = entry_el;
    rt.run_el = 1;
    rt.dtb = find_dtb(x0);
    mmu_early(rt.dtb);

    boot_libc_init();

    rt.semihosting = boot_probe_semihosting();
    if (!rt.dtb)
        runtime_fail_stop("no device tree: x0 held none and none at the RAM base");
    unsigned int skipped = 0;
    int err = dt_platform_parse((const void *)rt.dtb, DTB_WINDOW, &rt.plat, &skipped);
    if (err) {
        printf("ccdma: device tree at 0x%llx rejected: %s\n", (unsigned long long)rt.dtb,
               ccdma_strerror(err));
        runtime_fail_stop("invalid device tree");
    }
    rt.entropy_words = stack_guard_seed(rt.plat.rng_seed, rt.plat.rng_seed_len);
    drop_unaddressable_ram();

    boot_detect_realm();
    skipped += drop_unsafe_mmio();
    mmu_final();
    if (rt.plat.has_uart)
        console_attach(&rt.plat.uart);

    print_boot_line();
    boot_realm_attest();
    if (skipped)
        printf("ccdma: device tree: %u malformed entries ignored\n", skipped);
    print_entropy_line();
    if (rt.mmio_over_runtime)
        printf("ccdma: device tree: %u device windows over the runtime's own memory refused\n",
               rt.mmio_over_runtime);
    if (rt.mmio_over_ram)
        printf("ccdma: device tree: %u device windows over realm RAM (RIPAS not EMPTY) refused\n",
               rt.mmio_over_ram);
    page_alloc_setup();
    boot_cpus_start();
    boot_interrupts();
    boot_runtime_init();
    if (boot_mode_run)
        boot_mode_run(); /* e.g. ccdma.bench=1: benchmarks instead of the self-tests */

    int failed = selftests_run();
    boot_runtime_fini();
    boot_irq_shutdown();
    runtime_exit(failed ? 1 : 0);
}
