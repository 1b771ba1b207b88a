/* SPDX-License-Identifier: MIT */
/*
 * Every RMI call the host makes goes through rmi_call(): one counter per
 * command for the counters line, and an optional trace of each call with
 * its answer (`ccdma.rmi_trace=1`), since TF-RMM logs only some commands.
 */
#include <stdio.h>

#include "host.h"

struct rmi_counters rmi_cnt;
static bool trace;

static const char *const names[RMI_NUM_SLOTS] = {
    [0x00] = "version",
    [0x01] = "granule_delegate",
    [0x02] = "granule_undelegate",
    [0x03] = "data_create",
    [0x04] = "data_create_unknown",
    [0x05] = "data_destroy",
    [0x07] = "realm_activate",
    [0x08] = "realm_create",
    [0x09] = "realm_destroy",
    [0x0a] = "rec_create",
    [0x0b] = "rec_destroy",
    [0x0c] = "rec_enter",
    [0x0d] = "rtt_create",
    [0x0e] = "rtt_destroy",
    [0x0f] = "rtt_map_unprotected",
    [0x11] = "rtt_read_entry",
    [0x12] = "rtt_unmap_unprotected",
    [0x14] = "psci_complete",
    [0x15] = "features",
    [0x16] = "rtt_fold",
    [0x17] = "rec_aux_count",
    [0x18] = "rtt_init_ripas",
    [0x19] = "rtt_set_ripas",
};

static const char *const statuses[] = {
    "SUCCESS", "ERROR_INPUT", "ERROR_REALM", "ERROR_REC", "ERROR_RTT", "ERROR_DEVICE",
    "ERROR_NOT_SUPPORTED", "ERROR_RTT_AUX",
};

void rmi_set_trace(bool on)
{
    trace = on;
}

const char *rmi_name(uint32_t fid)
{
    unsigned int slot = fid - RMI_FID_FIRST;

    return slot < RMI_NUM_SLOTS && names[slot] ? names[slot] : "?";
}

const char *rmi_status_str(uint64_t ret, char *buf, size_t len)
{
    unsigned int st = RMI_STATUS(ret);

    if (ret == (uint64_t)-1)
        snprintf(buf, len, "SMC_UNKNOWN");
    else if (st >= sizeof(statuses) / sizeof(statuses[0]) || (ret >> 16) != 0)
        snprintf(buf, len, "0x%llx", (unsigned long long)ret);
    else if (RMI_INDEX(ret) != 0)
        snprintf(buf, len, "%s(%u)", statuses[st], RMI_INDEX(ret));
    else
        snprintf(buf, len, "%s", statuses[st]);
    return buf;
}

uint64_t rmi_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                  uint64_t a5, struct rmi_regs *out)
{
    struct rmi_regs r = {{fid, a1, a2, a3, a4, a5, 0, 0}};
    unsigned int slot = fid - RMI_FID_FIRST;

    if (slot < RMI_NUM_SLOTS)
        rmi_cnt.calls[slot]++;
    rmi_conduit(&r);
    if (trace && fid != RMI_REC_ENTER) {
        char st[32];

        printf("host: rmi %s(0x%llx, 0x%llx, 0x%llx, 0x%llx) = %s x1=0x%llx x2=0x%llx\n",
               rmi_name(fid), (unsigned long long)a1, (unsigned long long)a2,
               (unsigned long long)a3, (unsigned long long)a4,
               rmi_status_str(r.x[0], st, sizeof(st)), (unsigned long long)r.x[1],
               (unsigned long long)r.x[2]);
    }
    if (out != NULL)
        *out = r;
    return r.x[0];
}
