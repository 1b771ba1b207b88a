/* SPDX-License-Identifier: MIT */
/*
 * The Realm Management Interface, version 1.0 (Arm DEN0137, "Realm
 * Management Monitor specification"): the commands a host issues to an RMM,
 * their status codes, and the three NS granules whose layout the ABI fixes
 * (RmiRealmParams, RmiRecParams, RmiRecRun). Constants only: the host and
 * the emulated RMM both include it, and neither owns it.
 *
 * Offsets are those of the 1.0 ABI. Fields that only 1.1 defines are not
 * named; a 1.0 host leaves them zero.
 */
#ifndef CCDMA_MONITOR_RMI_ABI_H
#define CCDMA_MONITOR_RMI_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ---- Calls ------------------------------------------------------------------------ */

/* SMC64 fast calls in the Standard Service range, FNUM 0x150..0x18F. */
#define RMI_FID(n) (0xC4000150u + (n))
#define RMI_FID_FIRST RMI_FID(0x00)
#define RMI_FID_LAST RMI_FID(0x3f)

#define RMI_VERSION RMI_FID(0x00)
#define RMI_GRANULE_DELEGATE RMI_FID(0x01)
#define RMI_GRANULE_UNDELEGATE RMI_FID(0x02)
#define RMI_DATA_CREATE RMI_FID(0x03)
#define RMI_DATA_CREATE_UNKNOWN RMI_FID(0x04)
#define RMI_DATA_DESTROY RMI_FID(0x05)
#define RMI_REALM_ACTIVATE RMI_FID(0x07)
#define RMI_REALM_CREATE RMI_FID(0x08)
#define RMI_REALM_DESTROY RMI_FID(0x09)
#define RMI_REC_CREATE RMI_FID(0x0a)
#define RMI_REC_DESTROY RMI_FID(0x0b)
#define RMI_REC_ENTER RMI_FID(0x0c)
#define RMI_RTT_CREATE RMI_FID(0x0d)
#define RMI_RTT_DESTROY RMI_FID(0x0e)
#define RMI_RTT_MAP_UNPROTECTED RMI_FID(0x0f)
#define RMI_RTT_READ_ENTRY RMI_FID(0x11)
#define RMI_RTT_UNMAP_UNPROTECTED RMI_FID(0x12)
#define RMI_PSCI_COMPLETE RMI_FID(0x14)
#define RMI_FEATURES RMI_FID(0x15)
#define RMI_RTT_FOLD RMI_FID(0x16)
#define RMI_REC_AUX_COUNT RMI_FID(0x17)
#define RMI_RTT_INIT_RIPAS RMI_FID(0x18)
#define RMI_RTT_SET_RIPAS RMI_FID(0x19)

/* Command slots FNUM 0x150 + n for n below this; counters are kept per slot. */
#define RMI_NUM_SLOTS 0x1a

#define RMI_ABI_VERSION(major, minor) (((uint64_t)(major) << 16) | (minor))
#define RMI_ABI_VERSION_1_0 RMI_ABI_VERSION(1, 0)

/* ---- Return codes: status in [7:0], index in [15:8] ----------------------------------- */

#define RMI_SUCCESS 0u
#define RMI_ERROR_INPUT 1u
#define RMI_ERROR_REALM 2u
#define RMI_ERROR_REC 3u
#define RMI_ERROR_RTT 4u
#define RMI_ERROR_NOT_SUPPORTED 6u

#define RMI_STATUS(ret) ((unsigned int)((ret) & 0xff))
#define RMI_INDEX(ret) ((unsigned int)(((ret) >> 8) & 0xff))
#define RMI_RETURN(status, index) ((uint64_t)(status) | ((uint64_t)(index) << 8))

/* RMI_ERROR_REALM's index from REC_ENTER. */
#define RMI_REALM_INDEX_NEW 0u
#define RMI_REALM_INDEX_SYSTEM_OFF 1u

/* ---- Values ---------------------------------------------------------------------------- */

/* DATA_CREATE flags. */
#define RMI_NO_MEASURE_CONTENT 0u
#define RMI_MEASURE_CONTENT 1u

/* RTT entry states and RIPAS, as RTT_READ_ENTRY reports them. */
#define RMI_UNASSIGNED 0u
#define RMI_ASSIGNED 1u
#define RMI_TABLE 2u
#define RMI_EMPTY 0u
#define RMI_RAM 1u
#define RMI_DESTROYED 2u

#define RMI_HASH_SHA_256 0u
#define RMI_HASH_SHA_512 1u

/* RmiFeatureRegister0 (RMI_FEATURES index 0). */
#define RMI_FEAT0_S2SZ(v) ((unsigned int)((v) & 0xff))
#define RMI_FEAT0_LPA2 (1ull << 8)
#define RMI_FEAT0_SVE_EN (1ull << 9)
#define RMI_FEAT0_NUM_BPS(v) ((unsigned int)(((v) >> 14) & 0x3f))
#define RMI_FEAT0_NUM_WPS(v) ((unsigned int)(((v) >> 20) & 0x3f))
#define RMI_FEAT0_PMU_EN (1ull << 26)
#define RMI_FEAT0_PMU_NUM_CTRS(v) ((unsigned int)(((v) >> 27) & 0x1f))
#define RMI_FEAT0_HASH_SHA_256 (1ull << 32)
#define RMI_FEAT0_HASH_SHA_512 (1ull << 33)
#define RMI_FEAT0_GICV3_NUM_LRS(v) ((unsigned int)(((v) >> 34) & 0xf))
#define RMI_FEAT0_MAX_RECS_ORDER(v) ((unsigned int)(((v) >> 38) & 0xf))

/* RTT_MAP_UNPROTECTED descriptor: the only bits a host may set besides the
 * output address. MemAttr is the FEAT_S2FWB encoding. */
#define RMI_NS_MEMATTR_SHIFT 2
#define RMI_NS_MEMATTR_MASK (7ull << RMI_NS_MEMATTR_SHIFT)
#define RMI_NS_MEMATTR_NORMAL_WB (6ull << RMI_NS_MEMATTR_SHIFT)
#define RMI_NS_MEMATTR_NORMAL_NC (5ull << RMI_NS_MEMATTR_SHIFT)
#define RMI_NS_MEMATTR_RESERVED (4ull << RMI_NS_MEMATTR_SHIFT)
#define RMI_NS_S2AP_SHIFT 6
#define RMI_NS_S2AP_MASK (3ull << RMI_NS_S2AP_SHIFT)
#define RMI_NS_S2AP_RW (3ull << RMI_NS_S2AP_SHIFT)
#define RMI_NS_DESC_RW_WB (RMI_NS_S2AP_RW | RMI_NS_MEMATTR_NORMAL_WB)

/* ---- RmiRealmParams: one NS granule given to REALM_CREATE ------------------------------- */

#define RMI_REALM_FLAG_LPA2 (1ull << 0)
#define RMI_REALM_FLAG_SVE (1ull << 1)
#define RMI_REALM_FLAG_PMU (1ull << 2)
#define RMI_RPV_SIZE 64

struct rmi_realm_params {
    uint64_t flags;               /* 0x000 */
    uint64_t s2sz;                /* 0x008: IPA width in bits */
    uint64_t sve_vl;              /* 0x010 */
    uint64_t num_bps;             /* 0x018: minus-one encoding, at least 1 */
    uint64_t num_wps;             /* 0x020: minus-one encoding, at least 1 */
    uint64_t pmu_num_ctrs;        /* 0x028 */
    uint8_t hash_algo;            /* 0x030 */
    uint8_t reserved0[0x400 - 0x031];
    uint8_t rpv[RMI_RPV_SIZE];    /* 0x400: personalization value, not measured */
    uint8_t reserved1[0x800 - 0x440];
    uint16_t vmid;                /* 0x800 */
    uint8_t reserved2[6];
    uint64_t rtt_base;            /* 0x808: PA of the first starting-level RTT */
    int64_t rtt_level_start;      /* 0x810 */
    uint32_t rtt_num_start;       /* 0x818: concatenated starting-level RTTs */
    uint8_t reserved3[0x1000 - 0x81c];
};

/* ---- RmiRecParams: one NS granule given to REC_CREATE ---------------------------------- */

#define RMI_REC_FLAG_RUNNABLE (1ull << 0)
#define RMI_REC_CREATE_NR_GPRS 8
#define RMI_REC_MAX_AUX 16

struct rmi_rec_params {
    uint64_t flags;               /* 0x000 */
    uint8_t reserved0[0x100 - 0x008];
    uint64_t mpidr;               /* 0x100: Aff0 [3:0], Aff1 [15:8], Aff2 [23:16], Aff3 [31:24] */
    uint8_t reserved1[0x200 - 0x108];
    uint64_t pc;                  /* 0x200 */
    uint8_t reserved2[0x300 - 0x208];
    uint64_t gprs[RMI_REC_CREATE_NR_GPRS]; /* 0x300: x0..x7 at first entry */
    uint8_t reserved3[0x800 - 0x340];
    uint64_t num_aux;             /* 0x800: must equal REC_AUX_COUNT */
    uint64_t aux[RMI_REC_MAX_AUX]; /* 0x808 */
    uint8_t reserved4[0x1000 - 0x888];
};

/* ---- RmiRecRun: one NS granule given to every REC_ENTER --------------------------------- */

#define RMI_REC_NR_GPRS 31
#define RMI_REC_GIC_NUM_LRS 16

/* Entry flags. */
#define RMI_ENTRY_EMUL_MMIO (1ull << 0)
#define RMI_ENTRY_INJECT_SEA (1ull << 1)
#define RMI_ENTRY_TRAP_WFI (1ull << 2)
#define RMI_ENTRY_TRAP_WFE (1ull << 3)
#define RMI_ENTRY_RIPAS_RESPONSE_REJECT (1ull << 4)

/* Exit reasons. */
#define RMI_EXIT_SYNC 0u
#define RMI_EXIT_IRQ 1u
#define RMI_EXIT_FIQ 2u
#define RMI_EXIT_PSCI 3u
#define RMI_EXIT_RIPAS_CHANGE 4u
#define RMI_EXIT_HOST_CALL 5u
#define RMI_EXIT_SERROR 6u
#define RMI_EXIT_NUM_REASONS 7u

struct rmi_rec_entry {
    uint64_t flags;                          /* 0x000 */
    uint8_t reserved0[0x200 - 0x008];
    uint64_t gprs[RMI_REC_NR_GPRS];          /* 0x200 */
    uint8_t reserved1[0x300 - 0x2f8];
    uint64_t gicv3_hcr;                      /* 0x300 */
    uint64_t gicv3_lrs[RMI_REC_GIC_NUM_LRS]; /* 0x308 */
    uint8_t reserved2[0x800 - 0x388];
};

struct rmi_rec_exit {
    uint64_t exit_reason;                    /* 0x800 */
    uint8_t reserved0[0x900 - 0x808];
    uint64_t esr;                            /* 0x900 */
    uint64_t far;                            /* 0x908 */
    uint64_t hpfar;                          /* 0x910 */
    uint8_t reserved1[0xa00 - 0x918];
    uint64_t gprs[RMI_REC_NR_GPRS];          /* 0xa00 */
    uint8_t reserved2[0xb00 - 0xaf8];
    uint64_t gicv3_hcr;                      /* 0xb00 */
    uint64_t gicv3_lrs[RMI_REC_GIC_NUM_LRS]; /* 0xb08 */
    uint64_t gicv3_misr;                     /* 0xb88 */
    uint64_t gicv3_vmcr;                     /* 0xb90 */
    uint8_t reserved3[0xc00 - 0xb98];
    uint64_t cntp_ctl;                       /* 0xc00 */
    uint64_t cntp_cval;                      /* 0xc08 */
    uint64_t cntv_ctl;                       /* 0xc10 */
    uint64_t cntv_cval;                      /* 0xc18 */
    uint8_t reserved4[0xd00 - 0xc20];
    uint64_t ripas_base;                     /* 0xd00 */
    uint64_t ripas_top;                      /* 0xd08: exclusive */
    uint64_t ripas_value;                    /* 0xd10: low byte */
    uint8_t reserved5[0xe00 - 0xd18];
    uint64_t imm;                            /* 0xe00: host-call immediate */
    uint8_t reserved6[0xf00 - 0xe08];
    uint64_t pmu_ovf_status;                 /* 0xf00 */
    uint8_t reserved7[0x1000 - 0xf08];
};

struct rmi_rec_run {
    struct rmi_rec_entry entry;
    struct rmi_rec_exit exit;
};

#define RMI_HPFAR_IPA(hpfar) (((hpfar) & 0xfffffffffff0ull) << 8)

_Static_assert(sizeof(struct rmi_realm_params) == 0x1000, "RmiRealmParams is one granule");
_Static_assert(offsetof(struct rmi_realm_params, hash_algo) == 0x030, "hash_algo");
_Static_assert(offsetof(struct rmi_realm_params, rpv) == 0x400, "rpv");
_Static_assert(offsetof(struct rmi_realm_params, vmid) == 0x800, "vmid");
_Static_assert(offsetof(struct rmi_realm_params, rtt_base) == 0x808, "rtt_base");
_Static_assert(offsetof(struct rmi_realm_params, rtt_level_start) == 0x810, "rtt_level_start");
_Static_assert(offsetof(struct rmi_realm_params, rtt_num_start) == 0x818, "rtt_num_start");
_Static_assert(sizeof(struct rmi_rec_params) == 0x1000, "RmiRecParams is one granule");
_Static_assert(offsetof(struct rmi_rec_params, mpidr) == 0x100, "mpidr");
_Static_assert(offsetof(struct rmi_rec_params, pc) == 0x200, "pc");
_Static_assert(offsetof(struct rmi_rec_params, gprs) == 0x300, "gprs");
_Static_assert(offsetof(struct rmi_rec_params, num_aux) == 0x800, "num_aux");
_Static_assert(offsetof(struct rmi_rec_params, aux) == 0x808, "aux");
_Static_assert(sizeof(struct rmi_rec_run) == 0x1000, "RmiRecRun is one granule");
_Static_assert(offsetof(struct rmi_rec_run, exit.esr) == 0x900, "exit.esr");
_Static_assert(offsetof(struct rmi_rec_run, exit.gprs) == 0xa00, "exit.gprs");
_Static_assert(offsetof(struct rmi_rec_run, exit.gicv3_vmcr) == 0xb90, "exit.gicv3_vmcr");
_Static_assert(offsetof(struct rmi_rec_run, exit.cntv_cval) == 0xc18, "exit.cntv_cval");
_Static_assert(offsetof(struct rmi_rec_run, exit.ripas_value) == 0xd10, "exit.ripas_value");
_Static_assert(offsetof(struct rmi_rec_run, exit.imm) == 0xe00, "exit.imm");
_Static_assert(offsetof(struct rmi_rec_run, exit.pmu_ovf_status) == 0xf00, "exit.pmu");
_Static_assert(offsetof(struct rmi_rec_run, entry.gicv3_lrs) == 0x308, "entry.gicv3_lrs");

#endif /* CCDMA_MONITOR_RMI_ABI_H */
