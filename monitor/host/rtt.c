/* SPDX-License-Identifier: MIT */
/*
 * The realm's translation tables as the host provides them: a table is
 * created when a command needs it (RMI_ERROR_RTT says at which level the
 * walk stopped), and every one is remembered so the teardown can destroy
 * them leaves first, as the RMM requires.
 */
#include <stdio.h>

#include "host.h"

#define MAX_RTTS 1024

static struct {
    uint64_t ipa; /* aligned to what one entry of the parent level maps */
    int level;
    uint64_t pa;
} rtts[MAX_RTTS];
static unsigned int n_rtts;

static uint64_t entry_size(int level)
{
    return 1ull << (12 + 9 * (3 - level));
}

static bool create(uint64_t ipa, int level)
{
    uint64_t base = ipa & ~(entry_size(level - 1) - 1);
    uint64_t pa, ret;
    char st[32];

    if (n_rtts == MAX_RTTS)
        el2_fatal("the host's table of RTTs is full");
    pa = granule_alloc_delegated();
    ret = rmi_call(RMI_RTT_CREATE, realm.rd, pa, base, (uint64_t)level, 0, NULL);
    if (ret == RMI_SUCCESS) {
        rtts[n_rtts].ipa = base;
        rtts[n_rtts].level = level;
        rtts[n_rtts].pa = pa;
        n_rtts++;
        return true;
    }
    (void)granule_undelegate(pa);
    /* Another table is already there: fine. */
    if (RMI_STATUS(ret) == RMI_ERROR_RTT && (int)RMI_INDEX(ret) == level - 1)
        return true;
    printf("monitor: RTT_CREATE(ipa 0x%llx, level %d) = %s\n", (unsigned long long)base, level,
           rmi_status_str(ret, st, sizeof(st)));
    return false;
}

bool rtt_fill(uint64_t ipa, int reached, int level)
{
    if (reached < realm.level_start || reached >= level)
        return false;
    for (int l = reached + 1; l <= level; l++)
        if (!create(ipa, l))
            return false;
    return true;
}

bool rtt_destroy_all(void)
{
    bool ok = true;

    for (int level = 3; level > realm.level_start; level--) {
        for (unsigned int i = n_rtts; i-- > 0;) {
            struct rmi_regs r;
            uint64_t ret;
            char st[32];

            if (rtts[i].level != level)
                continue;
            ret = rmi_call(RMI_RTT_DESTROY, realm.rd, rtts[i].ipa, (uint64_t)level, 0, 0, &r);
            if (ret != RMI_SUCCESS || r.x[1] != rtts[i].pa) {
                printf("monitor: RTT_DESTROY(ipa 0x%llx, level %d) = %s (table 0x%llx)\n",
                       (unsigned long long)rtts[i].ipa, level,
                       rmi_status_str(ret, st, sizeof(st)), (unsigned long long)r.x[1]);
                ok = false;
                continue;
            }
            ok &= granule_undelegate(rtts[i].pa);
        }
    }
    n_rtts = 0;
    return ok;
}
