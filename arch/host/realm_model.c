/* SPDX-License-Identifier: MIT */
/*
 * Portable RMM + host model. One handler per RSI command, each checking its
 * inputs at the boundary as TF-RMM's runtime/rsi/ does, then (for
 * IPA_STATE_SET) playing the host's RMI_RTT_SET_RIPAS side with the
 * configured fault injection.
 */
#include "realm_model.h"

#include <ccdma/errors.h>
#include <string.h>

#define GRANULE ((uint64_t)RSI_GRANULE_SIZE)
#define GRANULE_MASK (GRANULE - 1)

typedef void (*rsi_handler)(struct realm_model *m, const uint64_t *in,
                            struct smccc_regs *out);

static bool granule_aligned(uint64_t addr)
{
    return (addr & GRANULE_MASK) == 0;
}

static bool in_ram(const struct realm_model *m, uint64_t ipa)
{
    return ipa >= m->cfg.ram_base && ipa < m->ram_top;
}

static size_t granule_index(const struct realm_model *m, uint64_t ipa)
{
    return (size_t)((ipa - m->cfg.ram_base) >> RSI_GRANULE_SHIFT);
}

/* TF-RMM's region_in_rec_par() for a non-empty [base, top). */
static bool range_protected(const struct realm_model *m, uint64_t base,
                            uint64_t top)
{
    return base < top && top <= m->par_top;
}

/* The granule holding ipa is RAM with RIPAS RAM: the only memory the RMM
 * will write for the realm (TF-RMM realm_mem_lock_map()). */
static bool ipa_is_ram(const struct realm_model *m, uint64_t ipa)
{
    return in_ram(m, ipa) && m->ripas[granule_index(m, ipa)] == RSI_RIPAS_RAM;
}

/* ---- RIPAS changes ------------------------------------------------------------ */

/* Make [start, end) RIPAS ripas: wipe first, so no old contents are ever
 * visible through the new mapping, then tell stage 2. */
static void commit_run(struct realm_model *m, uint64_t start, uint64_t end,
                       unsigned int ripas)
{
    if (start == end)
        return;
    m->ops.mem_fill(m->ops.ctx, start, m->inject.wipe_pattern,
                    (size_t)(end - start));
    memset(&m->ripas[granule_index(m, start)], (int)ripas,
           (size_t)((end - start) >> RSI_GRANULE_SHIFT));
    if (m->ops.on_ripas_change != NULL)
        m->ops.on_ripas_change(m->ops.ctx, start, end, ripas);
}

static void count_conversion(struct realm_model *m, unsigned int ripas)
{
    if (ripas == RSI_RIPAS_EMPTY)
        m->cnt.granules_to_shared++;
    else if (ripas == RSI_RIPAS_RAM)
        m->cnt.granules_to_private++;
    else
        m->cnt.granules_destroyed++;
}

/*
 * The host's RMI_RTT_SET_RIPAS walk over [base, limit): granules already at
 * ripas are left alone (no wipe: boot re-claims RAM that holds the image);
 * others are converted in contiguous runs. The walk stops, setting *stopped,
 * at a DESTROYED granule when RAM is requested without CHANGE_DESTROYED
 * (spec A5.4), and at a protected IPA outside RAM when RAM is requested (the
 * host has no memory to back it). Returns the first granule not processed.
 */
static uint64_t change_ripas(struct realm_model *m, uint64_t base,
                             uint64_t limit, unsigned int ripas,
                             bool change_destroyed, bool *stopped)
{
    uint64_t run = base; /* start of the run being converted */
    uint64_t addr;

    *stopped = false;
    for (addr = base; addr < limit; addr += GRANULE) {
        bool unchanged;

        if (!in_ram(m, addr)) {
            if (ripas == RSI_RIPAS_RAM) {
                *stopped = true;
                break;
            }
            unchanged = true; /* already EMPTY, nothing to back */
        } else {
            uint8_t cur = m->ripas[granule_index(m, addr)];

            if (cur == RSI_RIPAS_DESTROYED && ripas == RSI_RIPAS_RAM &&
                !change_destroyed) {
                *stopped = true;
                break;
            }
            unchanged = cur == ripas;
        }
        if (unchanged) {
            commit_run(m, run, addr, ripas);
            run = addr + GRANULE;
        } else {
            count_conversion(m, ripas);
        }
    }
    commit_run(m, run, addr, ripas);
    return addr;
}

/* ---- Handlers ------------------------------------------------------------------ */

/*
 * RSI_VERSION (B2, B5.3.10): (a) a supported revision compatible with the
 * request (same major, minor >= requested) gives SUCCESS and lower = the
 * request; else (b) lower = the highest supported revision below the
 * request; else (c) lower = higher. higher is always the highest supported.
 */
static void handle_version(struct realm_model *m, const uint64_t *in,
                           struct smccc_regs *out)
{
    uint64_t req = in[1];
    uint64_t highest = 0, below = 0;
    bool compatible = false, have_below = false;

    for (unsigned int i = 0; i < m->cfg.nversions; i++) {
        uint64_t v = m->cfg.versions[i];

        if (v > highest)
            highest = v;
        if ((req & RSI_VERSION_RES0) == 0 &&
            RSI_VERSION_MAJOR(v) == RSI_VERSION_MAJOR(req) &&
            RSI_VERSION_MINOR(v) >= RSI_VERSION_MINOR(req))
            compatible = true;
        if (v < req && (!have_below || v > below)) {
            below = v;
            have_below = true;
        }
    }
    if (compatible) {
        out->x[0] = RSI_SUCCESS;
        out->x[1] = req;
    } else {
        out->x[0] = RSI_ERROR_INPUT;
        out->x[1] = have_below ? below : highest;
    }
    out->x[2] = highest;
}

/* RSI_FEATURES: every feature register reads zero in RSI 1.0. */
static void handle_features(struct realm_model *m, const uint64_t *in,
                            struct smccc_regs *out)
{
    (void)m;
    (void)in;
    out->x[0] = RSI_SUCCESS;
    out->x[1] = 0;
}

/* The model has no measurement or attestation engine: it checks inputs as
 * the spec says and then fails honestly rather than invent values. */
static void handle_measurement_read(struct realm_model *m, const uint64_t *in,
                                    struct smccc_regs *out)
{
    (void)m;
    out->x[0] = in[1] >= RSI_MEASUREMENT_SLOTS ? RSI_ERROR_INPUT
                                               : RSI_ERROR_UNKNOWN;
}

static void handle_measurement_extend(struct realm_model *m, const uint64_t *in,
                                      struct smccc_regs *out)
{
    (void)m;
    if (in[1] < 1 || in[1] >= RSI_MEASUREMENT_SLOTS ||
        in[2] > RSI_MEASUREMENT_MAX_SIZE)
        out->x[0] = RSI_ERROR_INPUT;
    else
        out->x[0] = RSI_ERROR_UNKNOWN;
}

static void handle_token_init(struct realm_model *m, const uint64_t *in,
                              struct smccc_regs *out)
{
    (void)m;
    (void)in;
    out->x[0] = RSI_ERROR_UNKNOWN;
}

/* Since no token is ever initialised, valid calls get ERROR_STATE. */
static void handle_token_continue(struct realm_model *m, const uint64_t *in,
                                  struct smccc_regs *out)
{
    uint64_t addr = in[1], offset = in[2], size = in[3];

    if (!granule_aligned(addr) || addr >= m->par_top || offset >= GRANULE ||
        size > UINT64_MAX - offset || offset + size > GRANULE)
        out->x[0] = RSI_ERROR_INPUT;
    else
        out->x[0] = RSI_ERROR_STATE;
}

/* RSI_REALM_CONFIG: aligned, protected, and RIPAS RAM (TF-RMM config.c). The
 * whole granule is written: fields not defined are MBZ. */
static void handle_realm_config(struct realm_model *m, const uint64_t *in,
                                struct smccc_regs *out)
{
    uint64_t addr = in[1];
    uint64_t ipa_width = m->cfg.ipa_width;

    if (!granule_aligned(addr) || addr >= m->par_top || !ipa_is_ram(m, addr)) {
        out->x[0] = RSI_ERROR_INPUT;
        return;
    }
    m->ops.mem_fill(m->ops.ctx, addr, 0, RSI_REALM_CONFIG_SIZE);
    m->ops.mem_write(m->ops.ctx, addr + RSI_REALM_CONFIG_IPA_WIDTH, &ipa_width,
                     sizeof(ipa_width));
    m->ops.mem_write(m->ops.ctx, addr + RSI_REALM_CONFIG_HASH_ALGO,
                     &m->cfg.hash_algo, sizeof(m->cfg.hash_algo));
    m->ops.mem_write(m->ops.ctx, addr + RSI_REALM_CONFIG_RPV, m->cfg.rpv,
                     sizeof(m->cfg.rpv));
    out->x[0] = RSI_SUCCESS;
}

/*
 * RSI_IPA_STATE_SET: TF-RMM memory.c's checks, then the host's side of the
 * exchange, then complete_set_ripas(): X1 = progress, X2 = REJECT only when
 * the request did not finish and the host refused.
 */
static void handle_ipa_state_set(struct realm_model *m, const uint64_t *in,
                                 struct smccc_regs *out)
{
    uint64_t base = in[1], top = in[2], ripas = in[3];
    bool change_destroyed = (in[4] & RSI_CHANGE_DESTROYED) != 0;
    const struct realm_model_inject *inj = &m->inject;
    bool injecting, reject, stopped;
    uint64_t limit, new_base;

    /* The whole X3 is compared, so X3[63:8] != 0 is a reserved encoding. */
    if (ripas > RSI_RIPAS_RAM || !granule_aligned(base) ||
        !granule_aligned(top) || !range_protected(m, base, top)) {
        out->x[0] = RSI_ERROR_INPUT;
        return;
    }

    injecting = m->set_calls++ >= inj->fail_after;
    reject = injecting && (ripas == RSI_RIPAS_RAM ? inj->reject_ram
                                                  : inj->reject_empty);
    if (injecting && inj->rsi_error) {
        m->cnt.injected++;
        out->x[0] = RSI_ERROR_UNKNOWN;
        return;
    }
    if (injecting && inj->stall) {
        m->cnt.injected++;
        out->x[0] = RSI_SUCCESS;
        out->x[1] = base;
        out->x[2] = RSI_ACCEPT;
        return;
    }

    limit = top;
    if (injecting && inj->one_granule)
        limit = base + GRANULE;
    else if (reject)
        limit = base;
    if (limit != top)
        m->cnt.injected++; /* the host cut this walk short */

    new_base = change_ripas(m, base, limit, (unsigned int)ripas,
                            change_destroyed, &stopped);
    out->x[0] = RSI_SUCCESS;
    out->x[1] = new_base;
    out->x[2] = RSI_ACCEPT;
    /* A host that cannot finish a RAM request must refuse it: an ACCEPT
     * without progress would leave the realm calling forever. */
    if (new_base != top && (reject || stopped)) {
        out->x[2] = RSI_REJECT;
        m->cnt.rejects++;
    }
}

/* RSI_IPA_STATE_GET: aligned, non-empty, protected; out_top is the end of
 * the run of equal RIPAS starting at base, clamped to top. */
static void handle_ipa_state_get(struct realm_model *m, const uint64_t *in,
                                 struct smccc_regs *out)
{
    uint64_t base = in[1], top = in[2];
    uint64_t end;
    unsigned int ripas;

    if (!granule_aligned(base) || !granule_aligned(top) ||
        !range_protected(m, base, top)) {
        out->x[0] = RSI_ERROR_INPUT;
        return;
    }
    if (base < m->cfg.ram_base) {
        ripas = RSI_RIPAS_EMPTY;
        end = m->cfg.ram_base;
    } else if (base >= m->ram_top) {
        ripas = RSI_RIPAS_EMPTY;
        end = top;
    } else {
        size_t i = granule_index(m, base);
        size_t n = granule_index(m, top < m->ram_top ? top : m->ram_top);

        ripas = m->ripas[i];
        while (i < n && m->ripas[i] == ripas)
            i++;
        end = m->cfg.ram_base + ((uint64_t)i << RSI_GRANULE_SHIFT);
    }
    out->x[0] = RSI_SUCCESS;
    out->x[1] = end < top ? end : top;
    out->x[2] = ripas;
}

/* RSI_HOST_CALL: 256-byte aligned, inside one granule, protected (TF-RMM
 * host_call.c), and in RAM the RMM can reach. This host services no host
 * calls: it hands the registers back unchanged, so the structure is left as
 * the realm wrote it. */
static void handle_host_call(struct realm_model *m, const uint64_t *in,
                             struct smccc_regs *out)
{
    uint64_t addr = in[1];

    if ((addr & (RSI_HOST_CALL_ALIGN - 1)) != 0 ||
        (addr & GRANULE_MASK) + RSI_HOST_CALL_SIZE > GRANULE ||
        addr >= m->par_top || !ipa_is_ram(m, addr)) {
        out->x[0] = RSI_ERROR_INPUT;
        return;
    }
    out->x[0] = RSI_SUCCESS;
}

static const rsi_handler handlers[RSI_NUM_CMDS] = {
    handle_version,          handle_features,       handle_measurement_read,
    handle_measurement_extend, handle_token_init,   handle_token_continue,
    handle_realm_config,     handle_ipa_state_set,  handle_ipa_state_get,
    handle_host_call,
};

static const char *const cmd_names[RSI_NUM_CMDS] = {
    "RSI_VERSION",
    "RSI_FEATURES",
    "RSI_MEASUREMENT_READ",
    "RSI_MEASUREMENT_EXTEND",
    "RSI_ATTESTATION_TOKEN_INIT",
    "RSI_ATTESTATION_TOKEN_CONTINUE",
    "RSI_REALM_CONFIG",
    "RSI_IPA_STATE_SET",
    "RSI_IPA_STATE_GET",
    "RSI_HOST_CALL",
};

const char *realm_model_cmd_name(unsigned int index)
{
    return index < RSI_NUM_CMDS ? cmd_names[index] : "?";
}

/* ---- Public API ---------------------------------------------------------------- */

int realm_model_init(struct realm_model *m, const struct realm_model_config *cfg,
                     const struct realm_model_ops *ops, uint8_t *table,
                     size_t table_len)
{
    uint64_t par_top;

    if (m == NULL || cfg == NULL || ops == NULL || table == NULL ||
        ops->mem_write == NULL || ops->mem_fill == NULL)
        return CCDMA_EINVAL;
    if (cfg->ipa_width < RSI_IPA_WIDTH_MIN || cfg->ipa_width > RSI_IPA_WIDTH_MAX)
        return CCDMA_EINVAL;
    par_top = (uint64_t)1 << (cfg->ipa_width - 1);
    if (!granule_aligned(cfg->ram_base) || !granule_aligned(cfg->ram_size) ||
        cfg->ram_size == 0 || cfg->ram_base >= par_top ||
        cfg->ram_size > par_top - cfg->ram_base)
        return CCDMA_EINVAL;
    if (table_len < REALM_MODEL_TABLE_LEN(cfg->ram_size) ||
        cfg->nversions > REALM_MODEL_MAX_VERSIONS)
        return CCDMA_EINVAL;
    for (unsigned int i = 0; i < cfg->nversions; i++)
        if ((cfg->versions[i] & RSI_VERSION_RES0) != 0)
            return CCDMA_EINVAL;

    memset(m, 0, sizeof(*m));
    m->cfg = *cfg;
    if (m->cfg.nversions == 0) {
        m->cfg.versions[0] = RSI_ABI_VERSION_1_0;
        m->cfg.nversions = 1;
    }
    m->ops = *ops;
    m->ripas = table;
    m->ram_top = cfg->ram_base + cfg->ram_size;
    m->par_top = par_top;
    m->inject.wipe_pattern = REALM_MODEL_DEFAULT_WIPE;
    memset(table, RSI_RIPAS_RAM, REALM_MODEL_TABLE_LEN(cfg->ram_size));
    return 0;
}

void realm_model_smc(struct realm_model *m, struct smccc_regs *r)
{
    uint64_t in[SMCCC_NUM_REGS];
    uint32_t fid = (uint32_t)r->x[0] & ~SMCCC_SVE_HINT;

    memcpy(in, r->x, sizeof(in));
    for (unsigned int i = 1; i <= 16; i++)
        r->x[i] = 0; /* MBZ unless the command defines an output */
    m->cnt.smc_calls++;

    if (fid >= RSI_FID_BASE && fid < RSI_FID_BASE + RSI_NUM_CMDS) {
        unsigned int cmd = fid - RSI_FID_BASE;

        m->cnt.rsi_calls[cmd]++;
        handlers[cmd](m, in, r);
        if (r->x[0] != RSI_SUCCESS)
            m->cnt.errors++;
    } else if (fid == SMCCC_VERSION_FID) {
        m->cnt.smccc_version_calls++;
        r->x[0] = SMCCC_VERSION_1_2; /* RSI requires SMCCC >= 1.2 (B1.1) */
    } else {
        m->cnt.unknown_calls++;
        r->x[0] = (uint64_t)SMCCC_NOT_SUPPORTED;
    }
}

void realm_model_set_inject(struct realm_model *m,
                            const struct realm_model_inject *inj)
{
    m->inject = *inj;
    m->set_calls = 0;
}

void realm_model_get_counters(const struct realm_model *m,
                              struct realm_model_counters *out)
{
    *out = m->cnt;
}

void realm_model_reset_counters(struct realm_model *m)
{
    memset(&m->cnt, 0, sizeof(m->cnt));
}

unsigned int realm_model_ripas(const struct realm_model *m, uint64_t ipa)
{
    return in_ram(m, ipa) ? m->ripas[granule_index(m, ipa)] : RSI_RIPAS_EMPTY;
}

bool realm_model_in_ram(const struct realm_model *m, uint64_t ipa)
{
    if (ipa >= 2 * m->par_top)
        return false;
    return in_ram(m, ipa & ~m->par_top);
}

bool realm_model_is_shared(const struct realm_model *m, uint64_t ipa)
{
    return realm_model_in_ram(m, ipa) &&
           realm_model_ripas(m, ipa & ~m->par_top) == RSI_RIPAS_EMPTY;
}

uint64_t realm_model_shared_bit(const struct realm_model *m)
{
    return m->par_top;
}

int realm_model_destroy(struct realm_model *m, uint64_t base, uint64_t top)
{
    bool stopped;

    if (!granule_aligned(base) || !granule_aligned(top) || top <= base ||
        base < m->cfg.ram_base || top > m->ram_top)
        return CCDMA_EINVAL;
    change_ripas(m, base, top, RSI_RIPAS_DESTROYED, false, &stopped);
    return 0;
}
