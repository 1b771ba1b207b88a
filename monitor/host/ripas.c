/* SPDX-License-Identifier: MIT */
/*
 * A RIPAS_CHANGE exit: the realm asked for [base, top) to become EMPTY
 * (share) or RAM (unshare). The host decides how much to accept, then
 * RTT_SET_RIPAS applies it (one table per call, tables created when the
 * RMM asks for them), then the memory behind the pages follows
 * (realm_ram.c). Refusing is always the host's right; the RMM turns it
 * into REJECT for a change to RAM, and into ACCEPT with partial progress
 * for a change to EMPTY (DEN0137, RSI_IPA_STATE_SET).
 *
 * Policies chosen at boot (ccdma.inject): refuse changes to RAM, refuse
 * all, accept one granule per request; each after ccdma.fail_after
 * requests.
 */
#include <stdio.h>

#include "host.h"

static uint64_t changes_seen;

/* How far the host lets this change go: [base, limit). *refuse says the
 * host will not do the rest either (the realm must not just ask again),
 * as opposed to progress it merely chose to make in parts. */
static uint64_t accepted_limit(uint64_t base, uint64_t top, bool to_ram,
                               const struct host_policy *p, bool *refuse)
{
    bool injecting = changes_seen++ >= p->fail_after;
    uint64_t limit = top;

    /* RAM the host cannot back: outside realm RAM nothing is given. */
    *refuse = false;
    if (to_ram && (base < REALM_RAM_IPA || top > REALM_RAM_TOP)) {
        limit = base < REALM_RAM_IPA ? base : REALM_RAM_TOP > base ? REALM_RAM_TOP : base;
        *refuse = true;
    }
    if (!injecting)
        return limit;
    if ((to_ram && p->reject_ram) || p->reject_empty) {
        limit = base;
        *refuse = true;
    } else if (p->one_granule && limit > base + GRANULE) {
        limit = base + GRANULE;
    }
    if (limit != top)
        host_cnt.ripas_injected++;
    return limit;
}

/* RTT_SET_RIPAS from base up to limit; returns how far it got, with
 * *stopped when the RMM would go no further (a DESTROYED page without
 * CHANGE_DESTROYED). */
static uint64_t set_ripas(uint64_t base, uint64_t limit, bool *stopped)
{
    *stopped = false;
    while (base < limit) {
        struct rmi_regs r;
        uint64_t ret =
            rmi_call(RMI_RTT_SET_RIPAS, realm.rd, realm.recs[realm.cur].rec, base, limit, 0, &r);
        char st[32];

        if (ret == RMI_SUCCESS && r.x[1] > base && r.x[1] <= limit) {
            base = r.x[1];
        } else if (RMI_STATUS(ret) == RMI_ERROR_RTT && RMI_INDEX(ret) < 3 &&
                   rtt_fill(base, (int)RMI_INDEX(ret), (int)RMI_INDEX(ret) + 1)) {
            continue;
        } else {
            /* A DESTROYED page without CHANGE_DESTROYED stops the change;
             * the realm sees how far it went. */
            if (ret != RMI_SUCCESS && RMI_STATUS(ret) != RMI_ERROR_RTT)
                printf("monitor: RTT_SET_RIPAS(0x%llx, 0x%llx) = %s\n",
                       (unsigned long long)base, (unsigned long long)limit,
                       rmi_status_str(ret, st, sizeof(st)));
            *stopped = true;
            break;
        }
    }
    return base;
}

void ripas_change(const struct rmi_rec_exit *exit, const struct host_policy *p,
                  struct entry_answer *ans)
{
    uint64_t base = exit->ripas_base, top = exit->ripas_top;
    bool to_ram = (exit->ripas_value & 0xff) == RMI_RAM;
    uint64_t limit, done;
    bool refuse, stopped;

    host_cnt.ripas_changes++;
    /* The RMM checked the request against the protected range; the host
     * still reads the values once and sanity-checks them. */
    if ((base | top) & GRANULE_MASK || top <= base || top > REALM_SHARED_BIT ||
        ((exit->ripas_value & 0xff) != RMI_RAM && (exit->ripas_value & 0xff) != RMI_EMPTY)) {
        printf("monitor: malformed RIPAS_CHANGE exit [0x%llx, 0x%llx) value %llu\n",
               (unsigned long long)base, (unsigned long long)top,
               (unsigned long long)exit->ripas_value);
        el2_fatal("the RMM reported a RIPAS change no realm can ask for");
    }
    limit = accepted_limit(base, top, to_ram, p, &refuse);
    done = set_ripas(base, limit, &stopped);
    if (to_ram)
        realm_ram_private(base, done);
    else
        realm_ram_shared(base, done, p->share_fill);
    if (done != top && (refuse || stopped)) {
        ans->flags |= RMI_ENTRY_RIPAS_RESPONSE_REJECT;
        host_cnt.ripas_rejects++;
    }
}
