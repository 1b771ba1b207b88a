/* SPDX-License-Identifier: MIT */
/* AArch32: deliberate faults are taken, decoded and recovered from, and
 * SMC goes where this entry mode says it must. */
#include <ccdma/selftest.h>

#include "arch/arm/exception.h"
#include "arch/arm/sysregs.h"
#include "boot/runtime.h"

/* In QEMU virt's PCIe MMIO window, never mapped by this runtime. */
#define UNMAPPED_VA 0x3ff00008u
#define PSCI_VERSION 0x84000000u
#define SYS_ERRNO 0x13

/* d0 and FPSCR across a fault that is taken and fixed up: the handler is
 * hard-float C, so the vector stub must keep the caller-saved VFP state. */
static bool vfp_survives_fault(uint32_t *fpscr_after)
{
    uint32_t lo, hi, fpscr;
    __asm__ volatile(
        "vmrs   r4, fpscr\n"
        "orr    r0, r4, #(3 << 22)\n" /* round toward zero */
        "vmsr   fpscr, r0\n"
        "ldr    r0, =0x01234567\n"
        "ldr    r1, =0x89abcdef\n"
        "vmov   d0, r0, r1\n"
        "bl     probe_udf\n"
        "vmov   %0, %1, d0\n"
        "vmrs   %2, fpscr\n"
        "vmsr   fpscr, r4\n"
        : "=r"(lo), "=r"(hi), "=r"(fpscr)
        :
        : "r0", "r1", "r2", "r3", "r4", "r12", "lr", "d0", "d1", "d2", "d3", "d4", "d5",
          "d6", "d7", "cc", "memory");
    *fpscr_after = fpscr;
    return lo == 0x01234567 && hi == 0x89abcdef && ((fpscr >> 22) & 3) == 3;
}

SELFTEST(11, exceptions)
{
    const struct fault_info *f = fault_last();
    uint64_t v;

    fault_clear();
    int rc = probe_read64(UNMAPPED_VA, &v);
    st_check(rc == -1 && f->taken && f->kind == EXC_DABT && (f->fsr & FSR_LPAE) &&
                 (fsr_status(f->fsr) & 0x3c) == 0x04 && !(f->fsr & DFSR_WNR) &&
                 f->far == UNMAPPED_VA,
             "load from an unmapped address: data abort, translation fault, DFAR",
             "rc=%d kind=%lu DFSR=0x%08lx DFAR=0x%08lx", rc, (unsigned long)f->kind,
             (unsigned long)f->fsr, (unsigned long)f->far);
    st_check(rc == -1 && f->pc == (uintptr_t)probe_read64,
             "the faulting PC is the load (LR_abt - 8)", "pc=0x%08lx probe=%p",
             (unsigned long)f->pc, (void *)probe_read64);

    fault_clear();
    rc = probe_write64(UNMAPPED_VA, 1);
    st_check(rc == -1 && f->kind == EXC_DABT && (f->fsr & DFSR_WNR),
             "store to it: the same abort, with WnR", "rc=%d DFSR=0x%08lx", rc,
             (unsigned long)f->fsr);

    fault_clear();
    rc = probe_bkpt();
    st_check(rc == -1 && f->kind == EXC_PABT && fsr_status(f->fsr) == 0x22 &&
                 f->pc == (uintptr_t)probe_bkpt,
             "BKPT is a prefetch abort with a debug-event status", "rc=%d kind=%lu IFSR=0x%08lx",
             rc, (unsigned long)f->kind, (unsigned long)f->fsr);

    fault_clear();
    rc = probe_udf();
    st_check(rc == -1 && f->kind == EXC_UNDEF && f->pc == (uintptr_t)probe_udf,
             "UDF is an undefined-instruction exception at its own address",
             "rc=%d kind=%lu pc=0x%08lx", rc, (unsigned long)f->kind, (unsigned long)f->pc);

    fault_clear();
    rc = probe_read64((uintptr_t)&v, &v);
    st_check(rc == 0 && !f->taken, "a good access through the same probe does not fault",
             "rc=%d taken=%d", rc, f->taken);

    uint32_t fpscr = 0;
    fault_clear();
    bool vfp_ok = vfp_survives_fault(&fpscr);
    st_check(vfp_ok && f->taken && f->kind == EXC_UNDEF,
             "d0 and FPSCR survive a fault taken and fixed up", "taken=%d FPSCR=0x%08lx",
             f->taken, (unsigned long)fpscr);

    uintptr_t ret = 0;
    fault_clear();
    rc = probe_semihost(SYS_ERRNO, 0, &ret);
    st_check(rc == (rt.semihosting ? 0 : -1) && f->taken == !rt.semihosting,
             "semihosting SVC answers, or reaches our SVC vector when off",
             "rc=%d taken=%d", rc, f->taken);

    /* Who takes an SMC: our Monitor (entered Secure: answers -1), QEMU's
     * PSCI (virtualization=on names the SMC conduit), or nobody (plain:
     * no EL3, so SMC is UNDEFINED). */
    uintptr_t regs[8] = {PSCI_VERSION};
    fault_clear();
    rc = probe_smc(regs);
    if (rt.entry_el == 3)
        st_check(rc == 0 && regs[0] == (uintptr_t)-1 && !f->taken,
                 "SMC reaches our Monitor, which answers NOT_SUPPORTED", "rc=%d r0=0x%08lx",
                 rc, (unsigned long)regs[0]);
    else if (rt.plat.psci == DT_PSCI_SMC)
        st_check(rc == 0 && (regs[0] >> 16) >= 1 && regs[0] != (uintptr_t)-1,
                 "SMC reaches PSCI (the DTB's conduit): PSCI_VERSION >= 1.0",
                 "rc=%d r0=0x%08lx", rc, (unsigned long)regs[0]);
    else
        st_check(rc == -1 && f->kind == EXC_UNDEF && f->pc > (uintptr_t)probe_smc &&
                     f->pc < (uintptr_t)probe_hvc,
                 "SMC with no EL3 is UNDEFINED, taken inside probe_smc",
                 "rc=%d kind=%lu pc=0x%08lx", rc, (unsigned long)f->kind,
                 (unsigned long)f->pc);
}
