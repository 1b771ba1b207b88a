/* SPDX-License-Identifier: MIT */
/*
 * The end of a realm run, in an order where each step can still see what
 * the one before it might have missed: the strict check of chains no
 * doorbell covered (a device need not wait for one), the counters, the
 * teardown (every object destroyed, every granule undelegated, and
 * checked), and the poison scan. Any failure fails the run.
 */
#include <stdio.h>

#include "host.h"

static bool teardown(void)
{
    bool ok = true;
    uint64_t ret;
    char st[32];

    for (unsigned int r = 0; r < HOST_MAX_RECS && realm.recs[r].rec != 0; r++) {
        const struct host_rec *hr = &realm.recs[r];

        ret = rmi_call(RMI_REC_DESTROY, hr->rec, 0, 0, 0, 0, NULL);
        if (ret != RMI_SUCCESS) {
            printf("monitor: REC_DESTROY(%u) = %s\n", r, rmi_status_str(ret, st, sizeof(st)));
            return false;
        }
        ok &= granule_undelegate(hr->rec);
        for (unsigned int i = 0; i < RMI_REC_MAX_AUX && hr->aux[i]; i++)
            ok &= granule_undelegate(hr->aux[i]);
    }
    ok &= realm_ram_destroy();
    ok &= rtt_destroy_all();
    ret = rmi_call(RMI_REALM_DESTROY, realm.rd, 0, 0, 0, 0, NULL);
    if (ret != RMI_SUCCESS) {
        printf("monitor: REALM_DESTROY = %s\n", rmi_status_str(ret, st, sizeof(st)));
        return false;
    }
    ok &= granule_undelegate(realm.rd);
    ok &= granule_undelegate(realm.rtt_root);
    return ok;
}

noreturn void host_finish(int code, const char *why, const struct host_policy *p)
{
    static bool finishing;

    if (finishing) /* a failure found while finishing: report and go */
        el2_exit(code ? code : 1);
    finishing = true;
    if (!mmio_exit_check(p) && code == 0) {
        code = 1;
        why = "a chain published without a doorbell failed the strict ring check";
    }
    printf("monitor: realm run ends: %s (exit code %d)\n", why, code);
    if (realm.rd != 0 && !(teardown() && granules_all_returned()) && code == 0) {
        printf("monitor: teardown FAILED\n");
        code = 1;
    }
    counters_print();
    rmm_platform_report();
    if (!poison_check() && code == 0)
        code = 1;
    el2_exit(code);
}
