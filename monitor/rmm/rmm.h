/* SPDX-License-Identifier: MIT */
/*
 * The emulated RMM: what its files share. It implements RMI 1.0 for the
 * host and RSI 1.0 for the realm the way TF-RMM v0.7.0 does, at EL2 next to
 * the host on a QEMU without FEAT_RME. The host reaches it only through
 * rmi_conduit(); the realm only through its SMCs and the faults stage 2
 * gives it. docs/realm.md lists where it differs from TF-RMM and why.
 *
 * Granules it manages carry a state (NS, DELEGATED, RD, REC, ...), as in
 * the RMM specification's granule life cycle. Realm descriptors and RECs
 * live in the RMM's own memory, keyed by their granule's address; RTTs are
 * the delegated granules themselves, walked by the hardware as stage 2.
 *
 * One CPU, and the realm is stopped while the host or the RMM runs: no
 * locking.
 */
#ifndef CCDMA_MONITOR_RMM_H
#define CCDMA_MONITOR_RMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/rsi_abi.h"
#include "rim.h"
#include "rmi_abi.h"
#include "rmi_conduit.h"

#define GRANULE_SIZE 0x1000ull
#define GRANULE_SHIFT 12
#define GRANULE_MASK (GRANULE_SIZE - 1)

#define RMM_MAX_REALMS 4
#define RMM_MAX_RECS 16
#define RMM_MAX_BANKS 4
#define RMM_REC_AUX_COUNT 16

/* ---- Granules (granule.c) --------------------------------------------------------- */

enum granule_state {
    GRANULE_NS = 0,
    GRANULE_DELEGATED,
    GRANULE_RD,
    GRANULE_REC,
    GRANULE_REC_AUX,
    GRANULE_DATA,
    GRANULE_RTT,
    GRANULE_RESERVED, /* NS, but the RMM's own memory: never delegated */
};

struct rmm_range {
    uint64_t base, size;
};

/* DRAM the RMM manages (as TF-A's boot manifest names it), minus ranges
 * that may never be delegated (the RMM's image). Returns 0 or -1 when the
 * table cannot describe it. */
int granule_init(const struct rmm_range *banks, unsigned int n_banks,
                 const struct rmm_range *reserved, unsigned int n_reserved);
/* True, with the state, when pa is a granule-aligned address in a bank. */
bool granule_lookup(uint64_t pa, enum granule_state *state);
bool granule_is(uint64_t pa, enum granule_state state);
/* NS memory the host may pass by address (parameters, run, a DATA_CREATE
 * source): NS granules, and the NS memory of this program that may never
 * be delegated. */
bool granule_is_ns(uint64_t pa);
void granule_set(uint64_t pa, enum granule_state state);
/* The granule's bytes, through the RMM's mapping of DRAM (el2_mem.c). */
void *granule_map(uint64_t pa);
void granule_zero(uint64_t pa);
/* Write the granule's bytes back to memory, for views that bypass the cache
 * (the realm with its MMU off, a device). */
void granule_clean(uint64_t pa);
/* Granules not in the NS state (or reserved): what teardown must return. */
uint64_t granule_count_delegated(void);
uint64_t smc_granule_delegate(uint64_t pa);
uint64_t smc_granule_undelegate(uint64_t pa);

/* ---- Realms (realm.c) ---------------------------------------------------------------- */

enum realm_state { REALM_NEW = 0, REALM_ACTIVE, REALM_SYSTEM_OFF };

struct s2_ctx {
    unsigned int ipa_bits;   /* s2sz */
    int level_start;
    unsigned int num_root;   /* concatenated starting-level tables */
    uint64_t rtt_base;
    uint16_t vmid;
};

struct rmm_realm {
    bool used;
    uint64_t rd;
    enum realm_state state;
    struct s2_ctx s2;
    uint8_t hash_algo;
    uint8_t rpv[RMI_RPV_SIZE];
    unsigned int num_recs;   /* RECs created so far: the next REC's index */
    struct rim rim;          /* the RIM and the REMs */
};

struct rmm_realm *realm_from_rd(uint64_t rd);
uint64_t realm_ipa_size(const struct rmm_realm *r);
/* The protected range is [0, 2^(s2sz - 1)). */
bool realm_addr_in_par(const struct rmm_realm *r, uint64_t ipa);

uint64_t smc_realm_create(uint64_t rd, uint64_t params_pa);
uint64_t smc_realm_activate(uint64_t rd);
uint64_t smc_realm_destroy(uint64_t rd);

/* ---- Stage-2 translation tables (s2tt.c) --------------------------------------------- */

#define S2TT_ENTRIES 512
#define S2TT_PAGE_LEVEL 3
#define S2TT_MIN_BLOCK_LEVEL 1

/* The software view of one entry. */
enum s2tte_kind {
    S2TTE_UNASSIGNED_EMPTY,
    S2TTE_UNASSIGNED_RAM,
    S2TTE_UNASSIGNED_DESTROYED,
    S2TTE_ASSIGNED_EMPTY,
    S2TTE_ASSIGNED_RAM,
    S2TTE_ASSIGNED_DESTROYED,
    S2TTE_UNASSIGNED_NS,
    S2TTE_ASSIGNED_NS,
    S2TTE_TABLE,
};

struct s2tt_walk {
    int level;          /* the level the walk stopped at */
    uint64_t table;     /* PA of the table holding the entry */
    unsigned int index; /* the entry in that table */
};

uint64_t s2tt_entry_size(int level);
bool s2tt_aligned(uint64_t addr, int level);
/* Walk towards `level` from the root; stops early at a non-table entry. */
void s2tt_walk(const struct s2_ctx *s2, uint64_t ipa, int level, struct s2tt_walk *w);
uint64_t *s2tt_entry(const struct s2tt_walk *w);
enum s2tte_kind s2tte_kind(uint64_t e, int level);
uint64_t s2tte_pa(uint64_t e);
/* RIPAS of an entry of the protected range; false for a table. */
bool s2tte_ripas(uint64_t e, int level, unsigned int *ripas);
/* Entries for each state. `pa` is the output address of an assigned one. */
uint64_t s2tte_make(enum s2tte_kind kind, uint64_t pa, int level);
uint64_t s2tte_make_ns(uint64_t host_desc, int level);
uint64_t s2tte_table(uint64_t pa);
/* The host's descriptor for an ASSIGNED_NS entry, as RTT_READ_ENTRY gives it. */
uint64_t s2tte_ns_host_desc(uint64_t e);
/* True when a host NS descriptor sets only what RMI lets it set. */
bool s2tte_ns_desc_valid(uint64_t desc, int level);
/* Fill a new table so that it maps what its parent entry did. */
void s2tt_init_from_parent(uint64_t table, uint64_t parent, int parent_level);
/* The first IPA after `ipa` (in the table of walk w) that holds a live entry,
 * or the end of that table's range. */
uint64_t s2tt_skip_non_live(const struct s2_ctx *s2, uint64_t ipa, const struct s2tt_walk *w);
/* Stage-2 TLB maintenance for the realm's VMID. */
void s2tt_invalidate(const struct s2_ctx *s2, uint64_t ipa, uint64_t size);

/* ---- RTT and data commands (rtt.c, data.c) --------------------------------------------- */

uint64_t smc_rtt_create(uint64_t rd, uint64_t rtt, uint64_t ipa, uint64_t level);
void smc_rtt_destroy(uint64_t rd, uint64_t ipa, uint64_t level, struct rmi_regs *res);
uint64_t smc_rtt_map_unprotected(uint64_t rd, uint64_t ipa, uint64_t level, uint64_t desc);
void smc_rtt_unmap_unprotected(uint64_t rd, uint64_t ipa, uint64_t level,
                               struct rmi_regs *res);
void smc_rtt_read_entry(uint64_t rd, uint64_t ipa, uint64_t level, struct rmi_regs *res);
void smc_rtt_init_ripas(uint64_t rd, uint64_t base, uint64_t top, struct rmi_regs *res);
void smc_rtt_set_ripas(uint64_t rd, uint64_t rec, uint64_t base, uint64_t top,
                       struct rmi_regs *res);
uint64_t smc_data_create(uint64_t rd, uint64_t data, uint64_t ipa, uint64_t src,
                         uint64_t flags);
uint64_t smc_data_create_unknown(uint64_t rd, uint64_t data, uint64_t ipa);
void smc_data_destroy(uint64_t rd, uint64_t ipa, struct rmi_regs *res);

/* ---- RECs (rec.c) ------------------------------------------------------------------------ */

/* The registers the world switch saves and restores; the layout is shared
 * with world_switch.S. */
struct rmm_cpu_regs {
    uint64_t x[31];     /* 0x000 */
    uint64_t pc;        /* 0x0f8: ELR_EL2 */
    uint64_t pstate;    /* 0x100: SPSR_EL2 */
    uint64_t esr;       /* 0x108: ESR_EL2 at the last exit */
    uint64_t far;       /* 0x110 */
    uint64_t hpfar;     /* 0x118 */
    uint64_t tpidr_el0; /* 0x120 */
    uint64_t pad;
    uint64_t fpregs[64]; /* 0x130: q0..q31 */
    uint64_t fpsr, fpcr; /* 0x330 */
} __attribute__((aligned(16)));

/* The realm's EL1 and EL0 system registers, switched only when another REC
 * ran on this CPU since. */
struct rmm_el1_regs {
    uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
    uint64_t tpidr_el1, tpidrro_el0, sp_el0, sp_el1, elr, spsr, esr, far;
    uint64_t afsr0, afsr1, par, cpacr, cntkctl, csselr, mdscr;
    uint64_t cntv_ctl, cntv_cval, cntp_ctl, cntp_cval;
};

/* A REC's virtual GIC CPU interface between runs (gic.c). */
struct rmm_gic_state {
    uint64_t lrs[RMI_REC_GIC_NUM_LRS];
    uint64_t ap0r[4], ap1r[4];
    uint64_t vmcr, hcr, misr;
};

/* One of a REC's EL1 timers (timers.c). */
struct rmm_timer {
    uint64_t ctl;  /* CTL as the realm wrote it, at the last check */
    bool masked;   /* IMASK is set by this RMM, not by the realm */
    bool reported; /* the output was up at the last exit */
};

struct rmm_rec {
    bool used;
    uint64_t addr;
    struct rmm_realm *realm;
    unsigned int index;
    uint64_t mpidr;
    bool runnable;
    uint64_t aux[RMM_REC_AUX_COUNT];
    struct rmm_cpu_regs regs;
    struct rmm_el1_regs el1;
    /* What the last exit to the host was, for the next entry's checks. */
    struct {
        uint64_t esr, far, hpfar;
    } last_exit;
    /* A RIPAS change the realm asked for and the host is working on. */
    struct {
        uint64_t base, top, addr;
        unsigned int ripas;
        bool change_destroyed;
    } set_ripas;
    bool host_call_pending;
    bool psci_pending;
    bool token_started;      /* a faulty token (rmm_faults) is being given */
    bool trap_wfi, trap_wfe; /* the host asked for WFI/WFE exits this entry */
    struct rmm_gic_state gic;
    struct rmm_timer vtimer, ptimer;
};

struct rmm_rec *rec_from_addr(uint64_t addr);
/* The REC in slot `slot` of this RMM's table, or NULL if it is free. */
struct rmm_rec *rec_from_index(unsigned int slot);
struct rmm_rec *rec_of_realm_index(const struct rmm_realm *r, unsigned int index);
/* The REC index the realm means by an MPIDR_EL1 value. */
unsigned int rec_index_of_mpidr(uint64_t mpidr);

uint64_t smc_rec_create(uint64_t rd, uint64_t rec, uint64_t params_pa);
uint64_t smc_rec_destroy(uint64_t rec);
void smc_rec_aux_count(uint64_t rd, struct rmi_regs *res);
uint64_t smc_psci_complete(uint64_t caller, uint64_t target, uint64_t status);

/* ---- Running a REC (rec_enter.c, realm_exit.c, rsi.c, psci.c) --------------------------- */

uint64_t smc_rec_enter(uint64_t rec, uint64_t run_pa);

/* What one exception from the realm leads to. */
enum exit_action {
    EXIT_RESUME,   /* handled: back into the realm */
    EXIT_TO_HOST,  /* rec_exit is filled: REC_ENTER returns */
};

/* Vector slot groups the world switch returns. */
enum realm_exception { REALM_EXC_SYNC = 0, REALM_EXC_IRQ, REALM_EXC_FIQ, REALM_EXC_SERROR };

enum exit_action realm_handle_exception(struct rmm_rec *rec, enum realm_exception exc,
                                        struct rmi_rec_exit *exit);
/* An SMC from the realm: RSI, PSCI or nothing known. ELR already points
 * past the SMC. */
enum exit_action rsi_handle_smc(struct rmm_rec *rec, struct rmi_rec_exit *exit);
enum exit_action psci_handle(struct rmm_rec *rec, struct rmi_rec_exit *exit);
/* The host's answer to a pending host call, written back into the realm's
 * RsiHostCall on the next entry. False when the structure's granule is no
 * longer mapped (the entry then exits again with a data abort). */
bool rsi_complete_host_call(struct rmm_rec *rec, const struct rmi_rec_entry *entry,
                            struct rmi_rec_exit *exit);
/* A protected IPA the RMM must reach for an RSI command is not mapped:
 * report it to the host as the data abort the access would have been. */
void rsi_report_unmapped(struct rmm_rec *rec, struct rmi_rec_exit *exit, uint64_t ipa,
                         int level);

/* Exceptions injected into the realm's EL1 (inject.c). */
void inject_sync_abort(struct rmm_rec *rec, uint64_t esr_el2);
void inject_undef(struct rmm_rec *rec);

/* Machine side of running a REC (world_switch.S, el2_regs.c). */
enum realm_exception rmm_world_enter(struct rmm_cpu_regs *regs);
void rmm_el2_enter_realm(const struct rmm_rec *rec);
void rmm_el2_exit_realm(void);
/* Make rec's EL1 registers the CPU's, saving those of the REC that ran
 * here last. */
void rmm_el1_switch_to(struct rmm_rec *rec);
/* Bring rec->el1 up to date if rec's registers are the CPU's, and let the
 * next switch load them again from rec->el1. */
void rmm_el1_save(struct rmm_rec *rec);
uint64_t rmm_sanitised_id_reg(unsigned int op0, unsigned int op1, unsigned int crn,
                              unsigned int crm, unsigned int op2, bool *known);

/* The GICv3 virtual CPU interface and the EL1 timers (gic.c, timers.c). */
void rmm_gic_probe(void);
/* Implemented list registers minus one, as RMI_FEATURES reports them. */
unsigned int rmm_gic_num_lrs(void);
void rmm_gic_rec_init(struct rmm_gic_state *g);
bool rmm_gic_entry_valid(const struct rmi_rec_entry *entry);
void rmm_gic_from_entry(struct rmm_gic_state *g, const struct rmi_rec_entry *entry);
void rmm_gic_to_exit(const struct rmm_gic_state *g, struct rmi_rec_exit *exit);
void rmm_gic_restore(const struct rmm_gic_state *g);
void rmm_gic_save(struct rmm_gic_state *g);
/* Before each run of the realm: true when a timer's output changed since
 * the last exit (the REC exits with RMI_EXIT_IRQ for the host to see). */
bool rmm_timers_check(struct rmm_rec *rec);
void rmm_timers_exit(struct rmm_rec *rec, struct rmi_rec_exit *exit);

/* ---- Features and faults beyond a real RMM (features.c, faults.c) ------------------------ */

uint64_t rmm_feature_reg0(void);
unsigned int rmm_pa_bits(void);
bool rmm_has_fwb(void);

/* The emulated RMM's own fault injection: answers no real RMM gives,
 * chosen at boot to drive the realm's error paths. */
enum rmm_token_fault {
    TOKEN_FAULT_NONE,
    TOKEN_FAULT_STALL,          /* CONTINUE: INCOMPLETE, no bytes, forever */
    TOKEN_FAULT_OVERRUN,        /* CONTINUE: INCOMPLETE, every byte offered, forever */
};
struct rmm_faults {
    bool ipa_state_set_error;   /* IPA_STATE_SET answers RSI_ERROR_UNKNOWN */
    uint32_t after;             /* ... after this many good IPA_STATE_SET calls */
    enum rmm_token_fault token; /* a token that never ends (else: no attestation) */
};
void rmm_set_faults(const struct rmm_faults *f);
enum rmm_token_fault rmm_fault_token(void);
/* True when this IPA_STATE_SET call is to fail (counts the call). */
bool rmm_fault_ipa_state_set(void);

/* What the RMM counts, for the monitor's counters line. */
struct rmm_counters {
    uint64_t rsi_calls[RSI_NUM_CMDS];
    uint64_t rsi_errors;
    uint64_t psci_calls;
    uint64_t smccc_version_calls;
    uint64_t unknown_smc;
    uint64_t sea_injected;
    uint64_t undef_injected;
    uint64_t id_reg_traps;
    uint64_t realm_exceptions;
    uint64_t faults_injected; /* the beyond-spec answers above */
};
extern struct rmm_counters rmm_cnt;

#endif /* CCDMA_MONITOR_RMM_H */
