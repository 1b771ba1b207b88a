/* SPDX-License-Identifier: MIT */
/*
 * The REC_ENTER loop. After each exit the host reads the exit half of the
 * run granule once into its own memory, serves the exit and writes the
 * entry half afresh (flags cleared every time: a stale EMUL_MMIO would fail
 * the next entry).
 *
 *   SYNC, data abort, protected IPA   the realm touched RAM with no data
 *                                     granule yet: populate it; anything
 *                                     else there (DESTROYED) is a broken
 *                                     realm
 *   SYNC, data abort, unprotected     emulate the device (EMUL_MMIO), or
 *                                     answer with an external abort
 *   RIPAS_CHANGE                      ripas.c
 *   HOST_CALL                         the verdict ends the run; other
 *                                     numbers are answered unchanged
 *   PSCI                              CPU_ON / AFFINITY_INFO completed
 *                                     (RMI_PSCI_COMPLETE); CPU_OFF of the
 *                                     last REC, SYSTEM_OFF / RESET end
 *                                     the run
 *   IRQ, FIQ                          the host's time slice (preempt.c),
 *                                     or a line the virtual GIC forwards
 *
 * Around every REC_ENTER the virtual GIC (vgic.c) reads the REC's list
 * registers back from the exit and fills them for the next entry.
 *
 * Every REC runs on the host's one physical CPU in turn, round-robin: the
 * next runnable one gets the CPU when the running one's slice ends or it
 * waits (WFI, WFE where they trap), as kvmtool's single-thread mode would
 * schedule its vCPUs. Any other exit is served and the same REC re-entered.
 */
#include <stdio.h>
#include <string.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/sysregs.h"
#include "host.h"

#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_SUCCESS 0u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_SMC64 0x40000000u
#define REPORTED_SEAS 16

struct host_counters host_cnt;

static noreturn void broken(const char *why, const struct rmi_rec_exit *e,
                            const struct host_policy *p)
{
    printf("monitor: REC exit %llu: esr 0x%llx far 0x%llx hpfar 0x%llx: %s\n",
           (unsigned long long)e->exit_reason, (unsigned long long)e->esr,
           (unsigned long long)e->far, (unsigned long long)e->hpfar, why);
    host_finish(1, why, p);
}

/* Policy for an unprotected IPA no device answers: an external abort, as
 * KVM gives a realm (advertised in the realm's DTB, ccdma,alias-abort). */
static void inject_sea(uint64_t ipa, const struct rmi_rec_exit *e, struct entry_answer *ans)
{
    if (host_cnt.sea_injected < REPORTED_SEAS)
        printf("monitor: external abort for the realm: %s unprotected IPA 0x%llx (no device, "
               "not shared)\n", (e->esr & ESR_WNR) ? "write to" : "read from",
               (unsigned long long)ipa);
    else if (host_cnt.sea_injected == REPORTED_SEAS)
        printf("monitor: further external aborts are counted, not reported\n");
    host_cnt.sea_injected++;
    ans->flags |= RMI_ENTRY_INJECT_SEA;
}

static void data_abort(const struct rmi_rec_exit *e, const struct host_policy *p,
                       struct entry_answer *ans)
{
    uint64_t ipa = RMI_HPFAR_IPA(e->hpfar) | (e->far & GRANULE_MASK);
    struct mmio_access a;

    if (ipa < REALM_SHARED_BIT) {
        unsigned int ripas = RMI_EMPTY;

        /* DESTROYED memory is gone for good in RMI 1.0: the realm cannot
         * run on. Anything else unpopulated gets its page now. */
        if (realm_ram_ripas(ipa, &ripas) && ripas == RMI_DESTROYED)
            broken("the realm touched protected memory whose RIPAS is DESTROYED", e, p);
        if (realm_ram_state(ipa) == RAM_UNPOPULATED && ipa >= REALM_RAM_IPA &&
            ipa < REALM_RAM_TOP && realm_ram_populate(ipa))
            return;
        broken("the realm touched protected memory this host cannot give it", e, p);
    }
    a = (struct mmio_access){.pa = ipa - REALM_SHARED_BIT,
                             .size = 1u << ESR_SAS(e->esr),
                             .write = (e->esr & ESR_WNR) != 0,
                             .value = e->gprs[0]};
    /* Without a syndrome (a pair, a writeback form) nothing can be
     * replayed. */
    if ((e->esr & ESR_ISV) && mmio_emulate(&a, p)) {
        ans->flags |= RMI_ENTRY_EMUL_MMIO;
        if (!a.write) {
            ans->gprs0 = a.value;
            ans->gprs0_set = true;
        }
        return;
    }
    inject_sea(ipa, e, ans);
}

/* What the exit means for the scheduler: keep running this REC, or give
 * the CPU to the next one. */
enum sched { SCHED_STAY, SCHED_YIELD };

static enum sched sync_exit(const struct rmi_rec_exit *e, const struct host_policy *p,
                            struct entry_answer *ans)
{
    switch (esr_ec(e->esr)) {
    case EC_DABT_LOWER:
        data_abort(e, p, ans);
        return SCHED_STAY;
    case EC_IABT_LOWER: {
        uint64_t ipa = RMI_HPFAR_IPA(e->hpfar);

        if (realm_ram_state(ipa) == RAM_UNPOPULATED && ipa >= REALM_RAM_IPA &&
            ipa < REALM_RAM_TOP && realm_ram_populate(ipa))
            return SCHED_STAY;
        broken("the realm fetched from protected memory this host cannot give it", e, p);
    }
    case EC_WFX:
        return SCHED_YIELD; /* it waits: another REC may run */
    case EC_SYSREG:
        /* An SGI raised (the virtual GIC's); any other GIC register write
         * that traps is ignored. */
        vgic_sysreg_write(e->esr, e->gprs[0]);
        return SCHED_STAY;
    default:
        broken("a synchronous exit this host does not know", e, p);
    }
}

int host_rec_of_affinity(uint32_t aff)
{
    for (unsigned int i = 0; i < realm.n_recs; i++)
        if ((uint32_t)realm.recs[i].mpidr == aff)
            return (int)i;
    return -1;
}

/* CPU_ON and AFFINITY_INFO wait for the host: it always agrees, and the RMM
 * answers the realm (ALREADY_ON for a REC that runs, the target's state for
 * AFFINITY_INFO). A CPU_ON'd REC is runnable from now on. */
static void psci_complete(const struct rmi_rec_exit *e, const struct host_policy *p,
                          uint32_t fid)
{
    /* The exit carries the realm's MPIDR_EL1 argument; the RMM already
     * refused one that names no REC. */
    int t = host_rec_of_affinity(host_affinity(e->gprs[1]));
    uint64_t ret;
    char st[32];

    if (t < 0)
        broken("a PSCI request for a CPU the realm has no REC for", e, p);
    ret = rmi_call(RMI_PSCI_COMPLETE, realm.recs[realm.cur].rec, realm.recs[t].rec,
                   PSCI_SUCCESS, 0, 0, NULL);
    if (ret != RMI_SUCCESS) {
        printf("monitor: PSCI_COMPLETE(REC %u, REC %d) = %s\n", realm.cur, t,
               rmi_status_str(ret, st, sizeof(st)));
        host_finish(1, "PSCI_COMPLETE failed", p);
    }
    host_cnt.psci_completes++;
    if (fid == PSCI_CPU_ON) {
        host_cnt.psci_cpu_on++;
        realm.recs[t].runnable = true;
    }
}

static enum sched psci_exit(const struct rmi_rec_exit *e, const struct host_policy *p)
{
    uint32_t fid = (uint32_t)e->gprs[0] & ~PSCI_SMC64;
    unsigned int running = 0;

    if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET)
        host_finish(0, fid == PSCI_SYSTEM_OFF ? "PSCI SYSTEM_OFF" : "PSCI SYSTEM_RESET", p);
    if (fid == PSCI_CPU_ON || fid == PSCI_AFFINITY_INFO) {
        psci_complete(e, p, fid);
        return SCHED_STAY;
    }
    if (fid == PSCI_CPU_OFF) {
        realm.recs[realm.cur].runnable = false;
        for (unsigned int i = 0; i < realm.n_recs; i++)
            running += realm.recs[i].runnable;
        if (running == 0)
            host_finish(0, "PSCI CPU_OFF of the last running REC", p);
        return SCHED_YIELD;
    }
    if (fid != PSCI_CPU_SUSPEND)
        broken("a PSCI request this host does not serve", e, p);
    return SCHED_YIELD;
}

static void host_call_exit(const struct rmi_rec_exit *e, const struct host_policy *p,
                           struct rmi_rec_entry *entry)
{
    host_cnt.host_calls++;
    if ((e->imm & 0xffff) == HOST_CALL_EXIT) {
        uint64_t verdict = e->gprs[0];

        printf("monitor: realm verdict %llu (%s)\n", (unsigned long long)verdict,
               verdict == 0 ? "pass" : "fail");
        /* An exit status is 8 bits: keep every failure non-zero. */
        host_finish(verdict == 0 ? 0 : verdict < 256 ? (int)verdict : 1, "RSI_HOST_CALL exit",
                    p);
    }
    /* Any other number: the results are the arguments, unchanged. */
    memcpy(entry->gprs, e->gprs, sizeof(entry->gprs));
    if ((e->imm & 0xffff) == HOST_CALL_DESTROY_PAGE) {
        bool done = realm_ram_take_back(e->gprs[0]);

        printf("monitor: host call: take back the data granule of IPA 0x%llx: %s\n",
               (unsigned long long)e->gprs[0], done ? "done (RIPAS DESTROYED)" : "refused");
        entry->gprs[1] = done ? 0 : 1;
    }
}

/* The next runnable REC after the current one, round-robin; the current
 * one again when it is the only one. */
static unsigned int next_rec(void)
{
    for (unsigned int i = 1; i <= realm.n_recs; i++) {
        unsigned int r = (realm.cur + i) % realm.n_recs;

        if (realm.recs[r].runnable)
            return r;
    }
    return realm.cur;
}

noreturn void rec_run(const struct host_policy *p)
{
    struct rmi_rec_exit e;

    for (unsigned int i = 0; i < realm.n_recs; i++)
        memset((void *)(uintptr_t)realm.recs[i].run_pa, 0, sizeof(struct rmi_rec_run));
    realm.cur = 0;
    /* One REC has nobody to give the CPU to: no slices. */
    if (realm.n_recs > 1)
        preempt_arm(false);
    for (;;) {
        struct host_rec *hr = &realm.recs[realm.cur];
        struct rmi_rec_run *run = (struct rmi_rec_run *)(uintptr_t)hr->run_pa;
        struct entry_answer ans = {0};
        enum sched next = SCHED_STAY;
        uint64_t ret;
        char st[32];

        vgic_entry(realm.cur, &run->entry);
        ret = rmi_call(RMI_REC_ENTER, hr->rec, hr->run_pa, 0, 0, 0, NULL);

        if (ret == RMI_RETURN(RMI_ERROR_REALM, RMI_REALM_INDEX_SYSTEM_OFF))
            host_finish(0, "the realm is off", p);
        if (ret != RMI_SUCCESS) {
            printf("monitor: REC_ENTER(REC %u) = %s\n", realm.cur,
                   rmi_status_str(ret, st, sizeof(st)));
            host_finish(1, "REC_ENTER failed", p);
        }
        memcpy(&e, &run->exit, sizeof(e)); /* read once */
        vgic_exit(realm.cur, &e);
        if (e.exit_reason < RMI_EXIT_NUM_REASONS)
            rmi_cnt.exits[e.exit_reason]++;
        memset(&run->entry, 0, sizeof(run->entry));
        switch (e.exit_reason) {
        case RMI_EXIT_SYNC: next = sync_exit(&e, p, &ans); break;
        case RMI_EXIT_IRQ:
        case RMI_EXIT_FIQ: next = preempt_take() ? SCHED_YIELD : SCHED_STAY; break;
        case RMI_EXIT_PSCI: next = psci_exit(&e, p); break;
        case RMI_EXIT_RIPAS_CHANGE: ripas_change(&e, p, &ans); break;
        case RMI_EXIT_HOST_CALL: host_call_exit(&e, p, &run->entry); break;
        case RMI_EXIT_SERROR: broken("an SError in the realm", &e, p);
        default: broken("an exit reason RMI 1.0 does not define", &e, p);
        }
        run->entry.flags = ans.flags;
        if (ans.gprs0_set)
            run->entry.gprs[0] = ans.gprs0;
        if (e.exit_reason != RMI_EXIT_IRQ && e.exit_reason != RMI_EXIT_FIQ)
            hr->exited = true;
        if (next == SCHED_YIELD || !hr->runnable) {
            unsigned int n = next_rec();

            /* A REC whose whole slice passed without an exit of its own
             * most likely spins in a wait: its next slice is short. */
            hr->idle = !hr->exited;
            hr->exited = false;
            if (n != realm.cur)
                host_cnt.rec_switches++;
            realm.cur = n;
            if (realm.n_recs > 1)
                preempt_arm(realm.recs[n].idle);
        }
    }
}
