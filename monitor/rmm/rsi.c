/* SPDX-License-Identifier: MIT */
/*
 * RSI 1.0 commands, one handler each, inputs checked at the boundary as
 * TF-RMM's runtime/rsi/ does. A handler sets x0..x3 of its answer; x4 and
 * up keep the realm's values (SMCCC: registers a call does not return are
 * preserved). A command that needs realm memory the host has not populated
 * yet exits to the host with the data abort the access would have taken,
 * and the SMC runs again once it is mapped.
 */
#include <string.h>

#include "rmm.h"

#define SMC_UNKNOWN ((uint64_t)-1)
#define SMCCC_VERSION_1_2_VALUE 0x10002u
#define PSCI_FID_SMC32_FIRST 0x84000000u
#define PSCI_FID_SMC32_LAST 0x84000014u
#define PSCI_FID_SMC64_FIRST 0xC4000000u
#define PSCI_FID_SMC64_LAST 0xC4000014u

#define EC_DABT_LOWER_VALUE 0x24ull
#define FSC_TRANSLATION_L0 0x04u

/* The answer a handler builds. */
struct rsi_answer {
    enum { ANSWER_REALM, ANSWER_HOST, ANSWER_UNMAPPED } action;
    uint64_t x[4];
    uint64_t unmapped_ipa;
    int unmapped_level;
};

/* A protected IPA the RMM may write for the realm: ASSIGNED with RIPAS
 * RAM. Otherwise the walk's level and whether the RIPAS was EMPTY. */
static bool realm_ipa_to_pa(const struct rmm_rec *rec, uint64_t ipa, uint64_t *pa, int *level,
                            bool *empty)
{
    struct s2tt_walk w;
    uint64_t e;
    unsigned int ripas = RSI_RIPAS_EMPTY;

    s2tt_walk(&rec->realm->s2, ipa & ~GRANULE_MASK, S2TT_PAGE_LEVEL, &w);
    e = *s2tt_entry(&w);
    *level = w.level;
    if (s2tte_kind(e, w.level) == S2TTE_ASSIGNED_RAM) {
        *pa = s2tte_pa(e) + (ipa & (s2tt_entry_size(w.level) - 1));
        return true;
    }
    (void)s2tte_ripas(e, w.level, &ripas);
    *empty = ripas == RSI_RIPAS_EMPTY;
    return false;
}

/* Either the PA to write, or the answer already set (INPUT for EMPTY, a
 * stage-2 abort to the host for memory it has not given yet). */
static bool reach(const struct rmm_rec *rec, uint64_t ipa, uint64_t *pa, struct rsi_answer *a)
{
    int level;
    bool empty;

    if (realm_ipa_to_pa(rec, ipa, pa, &level, &empty))
        return true;
    if (empty) {
        a->x[0] = RSI_ERROR_INPUT;
    } else {
        a->action = ANSWER_UNMAPPED;
        a->unmapped_ipa = ipa;
        a->unmapped_level = level;
    }
    return false;
}

static bool in_par(const struct rmm_rec *rec, uint64_t ipa)
{
    return realm_addr_in_par(rec->realm, ipa);
}

/* TF-RMM 1.0 implements revision 1.0 alone: anything else is
 * ERROR_INPUT, with 1.0 as both the lower and the higher revision. */
static void rsi_version(struct rmm_rec *rec, struct rsi_answer *a)
{
    uint64_t req = rec->regs.x[1];

    a->x[0] = req == RSI_ABI_VERSION_1_0 ? RSI_SUCCESS : RSI_ERROR_INPUT;
    a->x[1] = req == RSI_ABI_VERSION_1_0 ? req : RSI_ABI_VERSION_1_0;
    a->x[2] = RSI_ABI_VERSION_1_0;
}

static void rsi_features(struct rmm_rec *rec, struct rsi_answer *a)
{
    (void)rec;
    a->x[0] = RSI_SUCCESS;
    a->x[1] = 0; /* every feature register reads zero in 1.0 */
}

/* Only the defined fields are written, as TF-RMM does. */
static void rsi_realm_config(struct rmm_rec *rec, struct rsi_answer *a)
{
    uint64_t ipa = rec->regs.x[1], pa, width = rec->realm->s2.ipa_bits;
    struct rsi_realm_config *cfg;

    if ((ipa & GRANULE_MASK) || !in_par(rec, ipa)) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (!reach(rec, ipa, &pa, a))
        return;
    cfg = granule_map(pa);
    cfg->ipa_width = width;
    cfg->hash_algo = rec->realm->hash_algo == RMI_HASH_SHA_256 ? RSI_HASH_SHA_256
                                                                : RSI_HASH_SHA_512;
    memcpy(cfg->rpv, rec->realm->rpv, sizeof(cfg->rpv));
    granule_clean(pa);
    a->x[0] = RSI_SUCCESS;
}

/*
 * The request goes to the host as a RIPAS_CHANGE exit; the realm's call
 * returns at the next entry with the progress the host made. TF-RMM holds
 * RIPAS and the flags in 32-bit enums, so only X3[31:0] and X4[31:0] are
 * seen, and only a flags value of exactly CHANGE_DESTROYED counts.
 */
static void rsi_ipa_state_set(struct rmm_rec *rec, struct rmi_rec_exit *exit,
                              struct rsi_answer *a)
{
    uint64_t base = rec->regs.x[1], top = rec->regs.x[2];
    uint32_t ripas = (uint32_t)rec->regs.x[3];
    bool change_destroyed = (uint32_t)rec->regs.x[4] == RSI_CHANGE_DESTROYED;

    if (ripas > RSI_RIPAS_RAM || (base & GRANULE_MASK) || (top & GRANULE_MASK) || top <= base ||
        !in_par(rec, base) || !in_par(rec, top - 1)) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (rmm_fault_ipa_state_set()) {
        a->x[0] = RSI_ERROR_UNKNOWN; /* beyond a real RMM: see rmm_faults */
        return;
    }
    rec->set_ripas.base = base;
    rec->set_ripas.top = top;
    rec->set_ripas.addr = base;
    rec->set_ripas.ripas = ripas;
    rec->set_ripas.change_destroyed = change_destroyed;
    exit->exit_reason = RMI_EXIT_RIPAS_CHANGE;
    exit->ripas_base = base;
    exit->ripas_top = top;
    exit->ripas_value = ripas;
    a->action = ANSWER_HOST;
    a->x[0] = RSI_SUCCESS;
    a->x[1] = top;
}

/* The run of equal RIPAS from base, within the one table the walk at base
 * ends in (TF-RMM realm_ipa_get_ripas()). */
static void rsi_ipa_state_get(struct rmm_rec *rec, struct rsi_answer *a)
{
    uint64_t base = rec->regs.x[1], end = rec->regs.x[2];
    struct s2tt_walk w;
    const uint64_t *t;
    uint64_t size, start, addr;
    unsigned int ripas = RSI_RIPAS_EMPTY, first = RSI_RIPAS_EMPTY;

    if ((base & GRANULE_MASK) || !in_par(rec, base) || (end & GRANULE_MASK) ||
        !in_par(rec, end - 1) || base >= end) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    s2tt_walk(&rec->realm->s2, base, S2TT_PAGE_LEVEL, &w);
    t = granule_map(w.table);
    size = s2tt_entry_size(w.level);
    start = addr = base & ~(size - 1);
    for (unsigned int i = w.index; i < S2TT_ENTRIES; i++) {
        if (!s2tte_ripas(t[i], w.level, &ripas))
            break;
        if (addr == start)
            first = ripas;
        else if (ripas != first)
            break;
        addr += size;
        if (addr >= end)
            break;
    }
    if (addr == start) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    a->x[0] = RSI_SUCCESS;
    a->x[1] = addr > end ? end : addr;
    a->x[2] = first;
}

/* RsiHostCall: imm (32 bits in TF-RMM) at 0, gprs[31] from 8; 256-byte
 * aligned, inside one granule, protected. */
static void rsi_host_call(struct rmm_rec *rec, struct rmi_rec_exit *exit, struct rsi_answer *a)
{
    uint64_t ipa = rec->regs.x[1], pa;
    const uint8_t *hc;

    if ((ipa & (RSI_HOST_CALL_ALIGN - 1)) ||
        (ipa >> GRANULE_SHIFT) != ((ipa + RSI_HOST_CALL_SIZE - 1) >> GRANULE_SHIFT) ||
        !in_par(rec, ipa)) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (!reach(rec, ipa, &pa, a))
        return;
    hc = granule_map(pa & ~GRANULE_MASK);
    hc += pa & GRANULE_MASK;
    {
        uint32_t imm;

        memcpy(&imm, hc, sizeof(imm));
        exit->imm = imm;
    }
    memcpy(exit->gprs, hc + 8, sizeof(exit->gprs));
    exit->exit_reason = RMI_EXIT_HOST_CALL;
    rec->host_call_pending = true;
    /* The realm's registers stay as they are until the host answers. */
    a->action = ANSWER_HOST;
    memcpy(a->x, rec->regs.x, sizeof(a->x));
}

bool rsi_complete_host_call(struct rmm_rec *rec, const struct rmi_rec_entry *entry,
                            struct rmi_rec_exit *exit)
{
    uint64_t ipa = rec->regs.x[1], pa;
    int level;
    bool empty = false;

    if (realm_ipa_to_pa(rec, ipa, &pa, &level, &empty)) {
        uint8_t *hc = (uint8_t *)granule_map(pa & ~GRANULE_MASK) + (pa & GRANULE_MASK);

        memcpy(hc + 8, entry->gprs, sizeof(entry->gprs));
        granule_clean(pa & ~GRANULE_MASK);
    } else if (!empty) {
        /* The host took the structure's granule away meanwhile. */
        rsi_report_unmapped(rec, exit, ipa, level);
        return false;
    }
    rec->regs.x[0] = RSI_SUCCESS;
    rec->host_call_pending = false;
    return true;
}

void rsi_report_unmapped(struct rmm_rec *rec, struct rmi_rec_exit *exit, uint64_t ipa, int level)
{
    exit->exit_reason = RMI_EXIT_SYNC;
    exit->esr = EC_DABT_LOWER_VALUE << 26 | (FSC_TRANSLATION_L0 + (unsigned int)level);
    exit->far = 0;
    exit->hpfar = ipa >> 8;
    rec->last_exit.esr = exit->esr;
    rec->last_exit.hpfar = exit->hpfar;
}

/* The slot's 64 bytes: x1..x3 of the answer and x4..x8 of the REC, as
 * TF-RMM returns more than SMCCC's usual four results for this one. A
 * build without the hash library has no measurements to read. */
static void rsi_measurement_read(struct rmm_rec *rec, struct rsi_answer *a)
{
    uint64_t idx = rec->regs.x[1], w[RIM_MEASUREMENT_MAX / 8];

    if (idx >= RSI_MEASUREMENT_SLOTS) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (!rim_available()) {
        a->x[0] = RSI_ERROR_UNKNOWN;
        return;
    }
    memcpy(w, rec->realm->rim.meas[idx], sizeof(w));
    a->x[0] = RSI_SUCCESS;
    a->x[1] = w[0];
    a->x[2] = w[1];
    a->x[3] = w[2];
    for (unsigned int i = 3; i < RIM_MEASUREMENT_MAX / 8; i++)
        rec->regs.x[i + 1] = w[i];
}

/* X1 the REM, X2 the size, X3..X10 the value, little-endian. */
static void rsi_measurement_extend(struct rmm_rec *rec, struct rsi_answer *a)
{
    uint64_t idx = rec->regs.x[1], size = rec->regs.x[2];
    uint8_t value[RIM_MEASUREMENT_MAX];

    if (idx == 0 || idx >= RSI_MEASUREMENT_SLOTS || size > RSI_MEASUREMENT_MAX_SIZE) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (!rim_available()) {
        a->x[0] = RSI_ERROR_UNKNOWN;
        return;
    }
    memcpy(value, &rec->regs.x[3], sizeof(value));
    rim_extend(&rec->realm->rim, (unsigned int)idx, value, (size_t)size);
    a->x[0] = RSI_SUCCESS;
}

/* This RMM has no attestation key: it answers TOKEN_INIT as TF-RMM does
 * when it cannot start a token, RSI_ERROR_UNKNOWN. Only its fault
 * injection starts one, a token whose CONTINUE loop never ends. */
static void rsi_token_init(struct rmm_rec *rec, struct rsi_answer *a)
{
    rec->token_started = rmm_fault_token() != TOKEN_FAULT_NONE;
    a->x[0] = rec->token_started ? RSI_SUCCESS : RSI_ERROR_UNKNOWN;
    a->x[1] = rec->token_started ? GRANULE_SIZE : 0; /* the bound it will not keep */
}

static void rsi_token_continue(struct rmm_rec *rec, struct rsi_answer *a)
{
    uint64_t ipa = rec->regs.x[1], off = rec->regs.x[2], size = rec->regs.x[3], pa;

    if ((ipa & GRANULE_MASK) || off >= GRANULE_SIZE || off + size > GRANULE_SIZE ||
        off + size < off || !in_par(rec, ipa)) {
        a->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (!rec->token_started) {
        a->x[0] = RSI_ERROR_STATE; /* no token was ever initialised */
        return;
    }
    if (!reach(rec, ipa, &pa, a))
        return;
    a->x[1] = 0;
    if (rmm_fault_token() == TOKEN_FAULT_OVERRUN) {
        memset((uint8_t *)granule_map(pa) + off, 0x7e, size);
        granule_clean(pa);
        a->x[1] = size;
    }
    rmm_cnt.faults_injected++;
    a->x[0] = RSI_INCOMPLETE;
}

enum exit_action rsi_handle_smc(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    uint32_t fid = (uint32_t)rec->regs.x[0] & ~SMCCC_SVE_HINT;
    struct rsi_answer a = {.action = ANSWER_REALM};

    if (fid >= RSI_FID_BASE && fid < RSI_FID_BASE + RSI_NUM_CMDS)
        rmm_cnt.rsi_calls[fid - RSI_FID_BASE]++;
    switch (fid) {
    case SMCCC_VERSION_FID:
        rmm_cnt.smccc_version_calls++;
        a.x[0] = SMCCC_VERSION_1_2_VALUE;
        break;
    case RSI_VERSION: rsi_version(rec, &a); break;
    case RSI_FEATURES: rsi_features(rec, &a); break;
    case RSI_MEASUREMENT_READ: rsi_measurement_read(rec, &a); break;
    case RSI_MEASUREMENT_EXTEND: rsi_measurement_extend(rec, &a); break;
    case RSI_ATTESTATION_TOKEN_INIT: rsi_token_init(rec, &a); break;
    case RSI_ATTESTATION_TOKEN_CONTINUE: rsi_token_continue(rec, &a); break;
    case RSI_REALM_CONFIG: rsi_realm_config(rec, &a); break;
    case RSI_IPA_STATE_SET: rsi_ipa_state_set(rec, exit, &a); break;
    case RSI_IPA_STATE_GET: rsi_ipa_state_get(rec, &a); break;
    case RSI_HOST_CALL: rsi_host_call(rec, exit, &a); break;
    default:
        if ((fid >= PSCI_FID_SMC32_FIRST && fid <= PSCI_FID_SMC32_LAST) ||
            (fid >= PSCI_FID_SMC64_FIRST && fid <= PSCI_FID_SMC64_LAST))
            return psci_handle(rec, exit);
        rmm_cnt.unknown_smc++;
        a.x[0] = SMC_UNKNOWN;
        break;
    }

    if (a.action == ANSWER_UNMAPPED) {
        rec->regs.pc -= 4; /* the SMC runs again once the host maps it */
        rsi_report_unmapped(rec, exit, a.unmapped_ipa, a.unmapped_level);
        return EXIT_TO_HOST;
    }
    if (fid >= RSI_FID_BASE && fid < RSI_FID_BASE + RSI_NUM_CMDS && a.x[0] != RSI_SUCCESS)
        rmm_cnt.rsi_errors++;
    memcpy(rec->regs.x, a.x, sizeof(a.x));
    return a.action == ANSWER_HOST ? EXIT_TO_HOST : EXIT_RESUME;
}
