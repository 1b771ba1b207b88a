/* SPDX-License-Identifier: MIT */
/*
 * A REC's EL1 timers, as TF-RMM's runtime/core/timers.c treats them: the
 * realm programs them itself, and before every run of the realm a timer
 * whose output is asserted is masked, so its physical interrupt does not
 * take the CPU out of the realm again at once; the host sees each timer's
 * CTL and CVAL at exit and injects the interrupt, and an entry that finds
 * a timer's output changed since the last exit exits again with
 * RMI_EXIT_IRQ for the host to see it.
 *
 * TF-RMM masks through CNTHCTL_EL2.CNTVMASK/CNTPMASK, which exist only in
 * the Realm security state; this RMM runs the realm in Non-secure state
 * and masks with the timer's own CTL.IMASK instead, taken back as soon as
 * the output drops (the realm wrote CTL or CVAL). The exit shows the CTL
 * the realm wrote; a realm that reads CTL meanwhile sees IMASK set.
 */
#include "el2_sysreg.h"
#include "rmm.h"

#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u

static bool asserted(uint64_t realm_ctl)
{
    return (realm_ctl & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS);
}

/* One timer: mask it while its output is up, unmask it once down. True
 * when the output differs from what the last exit reported. */
static bool check_one(struct rmm_timer *t, uint64_t ctl, uint64_t *write)
{
    uint64_t realm_ctl = t->masked ? ctl & ~(uint64_t)CTL_IMASK : ctl;
    bool up = asserted(realm_ctl);

    *write = UINT64_MAX;
    if (up && !(ctl & CTL_IMASK))
        *write = ctl | CTL_IMASK;
    else if (!up && t->masked && (ctl & CTL_IMASK))
        *write = ctl & ~(uint64_t)CTL_IMASK;
    t->masked = up;
    t->ctl = realm_ctl;
    return up != t->reported;
}

bool rmm_timers_check(struct rmm_rec *rec)
{
    uint64_t wv, wp;
    bool changed = check_one(&rec->vtimer, read_sysreg(cntv_ctl_el0), &wv);

    changed |= check_one(&rec->ptimer, read_sysreg(cntp_ctl_el0), &wp);
    if (wv != UINT64_MAX)
        write_sysreg(cntv_ctl_el0, wv);
    if (wp != UINT64_MAX)
        write_sysreg(cntp_ctl_el0, wp);
    isb();
    return changed;
}

void rmm_timers_exit(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    /* Masked now too: the host's own run is not interrupted by the
     * realm's timer, whose registers stay loaded until another REC's
     * replace them. */
    (void)rmm_timers_check(rec);
    exit->cntv_ctl = rec->vtimer.ctl;
    exit->cntv_cval = read_sysreg(cntv_cval_el0); /* CNTVOFF_EL2 is 0 */
    exit->cntp_ctl = rec->ptimer.ctl;
    exit->cntp_cval = read_sysreg(cntp_cval_el0);
    rec->vtimer.reported = asserted(rec->vtimer.ctl);
    rec->ptimer.reported = asserted(rec->ptimer.ctl);
}
