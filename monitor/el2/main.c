/* SPDX-License-Identifier: MIT */
/*
 * The EL2 program's boot, from head.S with the MMU off:
 *   1. the identity map for the device space, the DTB and the image, MMU
 *      and caches on; picolibc's TLS and the stack guard;
 *   2. the host DTB, validated, and the console it names;
 *   3. every RAM range the DTB vouches for (reserved ones left out);
 *   4. the RMM behind rmi_conduit(), then the host, which never returns.
 */
#include <picolibc.h> /* defines PICOLIBC_TLS, which picotls.h needs */
#include <picotls.h>
#include <stdio.h>

#include "arch/arm64/exception.h"
#include "el2.h"
#include "el2_sysreg.h"

#define SYS_ERRNO 0x13
#define SYS_WRITE0 0x04

struct el2_machine machine;

extern char __image_start[], __image_end[], __tls_block[];

uintptr_t __stack_chk_guard;

noreturn void __stack_chk_fail(void);
noreturn void __stack_chk_fail(void)
{
    el2_fatal("stack smashing detected (stack-protector canary changed)");
}

/* The guard: RNDR where FEAT_RNG has it, mixed with the counter. Called
 * from a frame that never returns, before any protected frame exists. */
__attribute__((no_stack_protector)) static void seed_stack_guard(void)
{
    uint64_t g = read_sysreg(cntpct_el0) ^ read_sysreg(midr_el1) << 17;

    if (((read_sysreg(id_aa64isar0_el1) >> 60) & 0xf) != 0) {
        uint64_t r;
        uint64_t ok;

        __asm__ volatile("mrs %0, s3_3_c2_c4_0\n cset %1, ne" : "=r"(r), "=r"(ok) :: "cc");
        if (ok)
            g ^= r;
    }
    /* A zero low byte stops string overflows from copying the canary. */
    __stack_chk_guard = (uintptr_t)((g * 0x9e3779b97f4a7c15ull) & ~0xffull);
}

static uintptr_t find_dtb(uintptr_t x0)
{
    if (dt_looks_like_fdt(x0))
        return x0;
    return dt_looks_like_fdt(EL2_DTB_PA) ? EL2_DTB_PA : 0;
}

/* RAM the DTB names, less what it reserves (under TF-A, the RMM's own
 * realm-PAS carve-out: an NS access there is a granule protection fault). */
static void map_dram(void)
{
    const struct dt_platform *p = &machine.dt;

    for (unsigned int i = 0; i < p->n_mem; i++) {
        uint64_t base = p->mem[i].base, top = base + p->mem[i].size;

        while (base < top) {
            uint64_t end = top;

            for (unsigned int r = 0; r < p->n_reserved; r++) {
                uint64_t rb = p->reserved[r].base, rt = rb + p->reserved[r].size;

                if (rb <= base && rt > base) { /* base is reserved: skip it */
                    base = rt;
                    end = base;
                    break;
                }
                if (rb > base && rb < end)
                    end = rb;
            }
            if (end > base)
                el2_mmu_map_ram(base, end - base);
            base = end > base ? end : base;
        }
    }
}

noreturn void monitor_main(uintptr_t x0, unsigned int entry_el);
noreturn void monitor_main(uintptr_t x0, unsigned int entry_el)
{
    unsigned int skipped = 0;
    uintptr_t ret;
    int err;

    seed_stack_guard();
    el2_mmu_enable();
    _init_tls(__tls_block);
    _set_tls(__tls_block);

    machine.entry_el = entry_el;
    machine.image.base = (uintptr_t)__image_start;
    machine.image.size = (uintptr_t)__image_end - (uintptr_t)__image_start;
    machine.semihosting = probe_semihost(SYS_ERRNO, 0, &ret) == 0;
    machine.dtb = find_dtb(x0);
    if (machine.dtb == 0)
        el2_fatal("no device tree in x0 or at the base of RAM");
    err = dt_platform_parse((const void *)machine.dtb, EL2_DTB_MAX, &machine.dt, &skipped);
    if (err != 0) {
        printf("monitor: host device tree rejected (error %d)\n", err);
        el2_fatal("invalid device tree");
    }
    if (machine.dt.has_uart && machine.dt.uart.base + machine.dt.uart.size <= EL2_DEVICE_TOP)
        el2_console_attach(machine.dt.uart.base);
    if (skipped)
        printf("monitor: host device tree: %u malformed entries ignored\n", skipped);
    map_dram();

    rmm_platform_init(&machine);
    host_main(&machine);
}

/* Entered at EL1 or EL3 (head.S): nothing here can run. */
noreturn void monitor_wrong_el(unsigned int el);
noreturn void monitor_wrong_el(unsigned int el)
{
    static const char msg1[] = "monitor: entered at EL1; the host needs EL2 "
                               "(-M virt,virtualization=on, or TF-A's BL33)\n";
    static const char msg3[] = "monitor: entered at EL3; the host needs EL2 "
                               "(boot TF-A with it as BL33)\n";
    uintptr_t ret;

    (void)probe_semihost(SYS_WRITE0, (uintptr_t)(el == 1 ? msg1 : msg3), &ret);
    el2_exit(1);
}
