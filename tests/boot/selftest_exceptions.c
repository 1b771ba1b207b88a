/* SPDX-License-Identifier: MIT */
/* Deliberate faults are taken, decoded and recovered from. */
#include <ccdma/selftest.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/sysregs.h"

/* Inside the 39-bit VA space but never mapped (above every alias we use). */
#define UNMAPPED_VA 0x7ff0000008ull

SELFTEST(11, exceptions)
{
    const struct fault_info *f = fault_last();
    uint64_t v;

    fault_clear();
    int rc = probe_read64(UNMAPPED_VA, &v);
    st_check(rc == -1 && f->taken && esr_ec(f->esr) == EC_DABT_CUR &&
                 (esr_fsc(f->esr) & 0x3c) == 0x04 && f->far == UNMAPPED_VA,
             "load from an unmapped address: data abort, translation fault, FAR",
             "rc=%d ec=0x%x fsc=0x%x far=0x%llx", rc, esr_ec(f->esr), esr_fsc(f->esr),
             (unsigned long long)f->far);
    st_check(rc == -1 && exc_class_name(esr_ec(f->esr))[0] == 'd',
             "decoded class name", "%s", exc_class_name(esr_ec(f->esr)));

    fault_clear();
    rc = probe_brk();
    st_check(rc == -1 && esr_ec(f->esr) == EC_BRK64 && (f->esr & 0xffff) == 0x77,
             "BRK #0x77 is taken with its immediate", "rc=%d esr=0x%llx", rc,
             (unsigned long long)f->esr);

    fault_clear();
    rc = probe_udf();
    st_check(rc == -1 && esr_ec(f->esr) == EC_UNKNOWN,
             "undefined instruction is taken as EC=0", "rc=%d esr=0x%llx", rc,
             (unsigned long long)f->esr);

    fault_clear();
    rc = probe_read64((uintptr_t)&v, &v);
    st_check(rc == 0 && !f->taken, "a good access through the same probe does not fault",
             "rc=%d taken=%d", rc, f->taken);
}
