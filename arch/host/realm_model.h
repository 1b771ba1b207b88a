/* SPDX-License-Identifier: MIT */
/*
 * The RMM and the host, as one portable model: the RIPAS of every 4 KiB
 * granule of the realm's protected RAM, and the RSI 1.0 commands that read
 * and change it, answered from an SMCCC register block.
 *
 * It runs in-process on the host port (arch/host/host_realm.c), so that
 * host tests convert memory through the real RSI client. The firmware's
 * realm runs under a real RMM interface instead (monitor/: the emulated
 * RMM or TF-RMM). It allocates nothing and touches no memory except
 * through the callbacks below.
 *
 * Address model (RMM spec A5.2): the protected range (PAR) is
 * [0, 2^(ipa_width-1)); the shared bit is 1 << (ipa_width-1). RAM is
 * [ram_base, ram_base + ram_size) inside the PAR, tracked per granule and
 * initially all RIPAS RAM. Every other protected IPA is RIPAS EMPTY with no
 * backing. A RAM granule is "shared" (reachable through its unprotected
 * alias) exactly while its RIPAS is EMPTY.
 *
 * Not thread-safe: the caller serialises calls.
 */
#ifndef CCDMA_REALM_MODEL_H
#define CCDMA_REALM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsi_abi.h"
#include "smccc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REALM_MODEL_MAX_VERSIONS 4
/* Default wipe byte: non-zero, so code that expects contents to survive a
 * conversion (or to come back zeroed) fails loudly. */
#define REALM_MODEL_DEFAULT_WIPE 0xA5

/* Bytes of RIPAS table the caller provides for ram_size bytes of RAM. */
#define REALM_MODEL_TABLE_LEN(ram_size) ((size_t)((ram_size) >> RSI_GRANULE_SHIFT))

struct realm_model_ops {
    void *ctx;
    /* Write len bytes at protected IPA ipa; [ipa, ipa+len) lies in one RAM
     * granule. Used for RSI_REALM_CONFIG. Required. */
    void (*mem_write)(void *ctx, uint64_t ipa, const void *src, size_t len);
    /* Fill [ipa, ipa+len) with byte; the range lies in RAM and is granule
     * aligned. Used for wipes and to zero the config granule. Required. */
    void (*mem_fill)(void *ctx, uint64_t ipa, uint8_t byte, size_t len);
    /* Stage 2 must now follow RIPAS ripas for RAM granules [base, top):
     * map the protected IPA only for RAM, the alias only for EMPTY, neither
     * for DESTROYED. Called after the contents were wiped, before the SMC
     * returns. Optional (NULL). */
    void (*on_ripas_change)(void *ctx, uint64_t base, uint64_t top,
                            unsigned int ripas);
};

struct realm_model_config {
    uint64_t ram_base;        /* protected IPA of RAM, granule aligned */
    uint64_t ram_size;        /* bytes, granule multiple, non-zero */
    unsigned int ipa_width;   /* RSI_IPA_WIDTH_MIN..MAX; RAM must fit the PAR */
    uint8_t hash_algo;        /* reported by REALM_CONFIG */
    uint8_t rpv[RSI_REALM_CONFIG_RPV_SIZE];
    /* RSI revisions the model implements (RSI_VERSION_MAKE values). With
     * nversions == 0 it implements 1.0 only. */
    uint32_t versions[REALM_MODEL_MAX_VERSIONS];
    unsigned int nversions;
};

/* The host's behaviour on RSI_IPA_STATE_SET, for fault injection. */
struct realm_model_inject {
    bool reject_ram;       /* REJECT requests for RAM (the spec allows it) */
    bool reject_empty;     /* REJECT requests for EMPTY too: a test knob
                              outside the spec, for the sharing error path */
    bool one_granule;      /* partial progress: one granule per call; with a
                              reject, one granule is done, then REJECT */
    bool stall;            /* no progress at all: ACCEPT with new_base == base */
    bool rsi_error;        /* answer RSI_ERROR_UNKNOWN, change nothing */
    uint32_t fail_after;   /* the above start after this many calls */
    uint8_t wipe_pattern;  /* byte written over converted granules */
};

struct realm_model_counters {
    uint64_t smc_calls;                 /* every call dispatched */
    uint64_t rsi_calls[RSI_NUM_CMDS];   /* by command: index = FID - RSI_FID_BASE */
    uint64_t smccc_version_calls;
    uint64_t unknown_calls;             /* answered SMCCC_NOT_SUPPORTED */
    uint64_t granules_to_shared;        /* RAM or DESTROYED -> EMPTY */
    uint64_t granules_to_private;       /* EMPTY or DESTROYED -> RAM */
    uint64_t granules_destroyed;        /* host action realm_model_destroy() */
    uint64_t rejects;                   /* IPA_STATE_SET answered REJECT */
    uint64_t errors;                    /* RSI commands answered != RSI_SUCCESS */
    uint64_t injected;                  /* IPA_STATE_SET calls injection changed */
};

/* Opaque in spirit: use the functions. Public so callers can own storage. */
struct realm_model {
    struct realm_model_config cfg;
    struct realm_model_ops ops;
    struct realm_model_inject inject;
    struct realm_model_counters cnt;
    uint8_t *ripas;          /* one entry per RAM granule */
    uint64_t ram_top;
    uint64_t par_top;        /* 2^(ipa_width-1) */
    uint64_t set_calls;      /* IPA_STATE_SET calls seen, for fail_after */
};

/*
 * Set up m over caller storage table[table_len] (at least
 * REALM_MODEL_TABLE_LEN(cfg->ram_size) bytes). All RAM starts RIPAS RAM
 * (what the VMM promises a booting realm); no callback is made. Returns 0,
 * or CCDMA_EINVAL when the configuration is invalid (m is then unusable).
 */
int realm_model_init(struct realm_model *m, const struct realm_model_config *cfg,
                     const struct realm_model_ops *ops, uint8_t *table,
                     size_t table_len);

/*
 * Handle one SMC from the realm: r->x[0] is the FID, results are written
 * back. Non-RSI FIDs other than SMCCC_VERSION get SMCCC_NOT_SUPPORTED, so
 * the monitor dispatches PSCI (and its own calls) before calling this.
 * Registers X1..X16 that the command does not define as outputs are zeroed
 * (spec: MBZ); X17 is preserved.
 */
void realm_model_smc(struct realm_model *m, struct smccc_regs *r);

/* Replace the injection settings; restarts the fail_after count. */
void realm_model_set_inject(struct realm_model *m,
                            const struct realm_model_inject *inj);

void realm_model_get_counters(const struct realm_model *m,
                              struct realm_model_counters *out);
void realm_model_reset_counters(struct realm_model *m);

/* RIPAS of the granule holding a protected IPA (EMPTY outside RAM and for
 * IPAs outside the PAR). */
unsigned int realm_model_ripas(const struct realm_model *m, uint64_t ipa);

/* True when the RAM granule holding protected IPA ipa is shared, i.e. its
 * unprotected alias may be mapped. */
bool realm_model_is_shared(const struct realm_model *m, uint64_t ipa);

/* True when ipa (either alias) lies in RAM: the granules that have backing. */
bool realm_model_in_ram(const struct realm_model *m, uint64_t ipa);

uint64_t realm_model_shared_bit(const struct realm_model *m);

/*
 * Host action (RMI_DATA_DESTROY): make RAM granules [base, top) DESTROYED,
 * wiping them and reporting the stage-2 change. Returns 0, or CCDMA_EINVAL
 * when the range is not granule-aligned RAM.
 */
int realm_model_destroy(struct realm_model *m, uint64_t base, uint64_t top);

/* "RSI_IPA_STATE_SET" etc. for index = FID - RSI_FID_BASE; "?" outside. */
const char *realm_model_cmd_name(unsigned int index);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_REALM_MODEL_H */
