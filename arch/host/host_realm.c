/* SPDX-License-Identifier: MIT */
/*
 * The host port's realm: the portable RMM model runs in-process behind the
 * host's ccdma_smccc_call(), and the real RSI client talks to it, so host
 * tests convert memory through the same code and the same ABI checks as the
 * firmware. The realm's RAM is the caller's buffer: the model's wipes and
 * REALM_CONFIG writes land in it, where tests can see them.
 */
#include "host_realm.h"

#include <ccdma/errors.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realm_model.h"
#include "rsi.h"
#include "smccc.h"

static struct {
    bool active;
    uint8_t *mem;
    ccdma_phys_t ram_base;
    size_t size;
    uint64_t shared_bit;
    uint8_t *table;
    struct realm_model model;
} realm;

/* The model is not reentrant; host tests may convert from several threads. */
static pthread_mutex_t realm_lock = PTHREAD_MUTEX_INITIALIZER;

/* Host address of [ipa, ipa+len). The model only touches RAM; anything
 * else is a model bug that would scribble over the host, so stop loudly. */
static uint8_t *ram_at(uint64_t ipa, size_t len)
{
    if (ipa < realm.ram_base || ipa - realm.ram_base > realm.size ||
        len > realm.size - (ipa - realm.ram_base)) {
        fprintf(stderr, "host_realm: model access outside RAM: 0x%llx+%zu\n",
                (unsigned long long)ipa, len);
        abort();
    }
    return realm.mem + (ipa - realm.ram_base);
}

static void mem_write(void *ctx, uint64_t ipa, const void *src, size_t len)
{
    (void)ctx;
    memcpy(ram_at(ipa, len), src, len);
}

static void mem_fill(void *ctx, uint64_t ipa, uint8_t byte, size_t len)
{
    (void)ctx;
    memset(ram_at(ipa, len), byte, len);
}

void ccdma_smccc_call(struct smccc_regs *r)
{
    pthread_mutex_lock(&realm_lock);
    if (realm.active)
        realm_model_smc(&realm.model, r);
    else
        r->x[0] = (uint64_t)SMCCC_NOT_SUPPORTED; /* a plain VM: nobody answers */
    pthread_mutex_unlock(&realm_lock);
}

void host_realm_fini(void)
{
    pthread_mutex_lock(&realm_lock);
    realm.active = false;
    free(realm.table);
    realm.table = NULL;
    realm.mem = NULL;
    pthread_mutex_unlock(&realm_lock);
}

/* Boot as the firmware does: negotiate RSI 1.0, read the config (into the
 * first RAM granule, which the RMM overwrites), claim all RAM. The calls
 * stay in the counters: they are what a boot costs. */
static int realm_boot(unsigned int ipa_width)
{
    struct rsi_version_answer ans;
    struct rsi_realm_info info;
    enum rsi_mode mode;
    int err;

    err = rsi_detect(&mode, &ans);
    if (err != 0)
        return err;
    if (mode != RSI_MODE_REALM)
        return CCDMA_EPROTO;
    err = rsi_realm_config(realm.ram_base, realm.mem, &info);
    if (err != 0)
        return err;
    if (info.ipa_width != ipa_width)
        return CCDMA_EPROTO;
    realm.shared_bit = info.shared_bit;
    return rsi_boot_claim_ram(realm.ram_base, realm.ram_base + realm.size, NULL);
}

int host_realm_init(void *mem, ccdma_phys_t ram_base, size_t size,
                    unsigned int ipa_width)
{
    struct realm_model_config cfg;
    struct realm_model_ops ops = {
        .ctx = NULL,
        .mem_write = mem_write,
        .mem_fill = mem_fill,
        .on_ripas_change = NULL, /* no stage 2 on the host */
    };
    size_t table_len = REALM_MODEL_TABLE_LEN(size);
    uint8_t *table;
    int err;

    if (mem == NULL || ((uintptr_t)mem & (RSI_GRANULE_SIZE - 1)) != 0)
        return CCDMA_EINVAL;
    host_realm_fini();
    table = malloc(table_len != 0 ? table_len : 1);
    if (table == NULL)
        return CCDMA_ENOMEM;

    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_base = ram_base;
    cfg.ram_size = size;
    cfg.ipa_width = ipa_width;
    cfg.hash_algo = RSI_HASH_SHA_256;

    pthread_mutex_lock(&realm_lock);
    err = realm_model_init(&realm.model, &cfg, &ops, table, table_len);
    if (err == 0) {
        realm.mem = mem;
        realm.ram_base = ram_base;
        realm.size = size;
        realm.table = table;
        realm.active = true;
    }
    pthread_mutex_unlock(&realm_lock);
    if (err != 0) {
        free(table);
        return err;
    }

    err = realm_boot(ipa_width);
    if (err != 0)
        host_realm_fini();
    return err;
}

int host_realm_convert(ccdma_phys_t base, size_t size, bool to_shared)
{
    uint64_t top;
    int err;

    if (!realm.active || size == 0 || ((base | size) & (RSI_GRANULE_SIZE - 1)) ||
        base < realm.ram_base || base - realm.ram_base > realm.size ||
        size > realm.size - (base - realm.ram_base))
        return CCDMA_EINVAL;
    top = base + size;
    err = to_shared ? rsi_mem_share(base, top, NULL)
                    : rsi_mem_unshare(base, top, NULL);
    /* The header promises EREJECT/ERSI/EINVAL; an ABI violation or a stalled
     * host (impossible with this model) is an RMM failure to the caller. */
    if (err == CCDMA_EPROTO || err == CCDMA_ETIMEDOUT)
        err = CCDMA_ERSI;
    return err;
}

int host_realm_ripas(ccdma_phys_t pa)
{
    unsigned int ripas;
    int err;

    if (!realm.active)
        return CCDMA_EINVAL;
    err = rsi_ripas_of(pa, &ripas);
    return err != 0 ? err : (int)ripas;
}

uint64_t host_realm_shared_bit(void)
{
    return realm.active ? realm.shared_bit : 0;
}

/* wipe_pattern 0 keeps the model's non-zero default, so that an injection
 * struct zero-initialised for one knob does not quietly make wipes zero. */
void host_realm_set_inject(const struct host_realm_inject *inj)
{
    struct realm_model_inject m = {.wipe_pattern = REALM_MODEL_DEFAULT_WIPE};

    if (inj != NULL) {
        m.reject_ram = inj->reject;
        m.reject_empty = inj->reject_empty;
        m.one_granule = inj->one_granule;
        m.rsi_error = inj->rsi_error;
        m.fail_after = inj->fail_after;
        if (inj->wipe_pattern != 0)
            m.wipe_pattern = inj->wipe_pattern;
    }
    pthread_mutex_lock(&realm_lock);
    if (realm.active)
        realm_model_set_inject(&realm.model, &m);
    pthread_mutex_unlock(&realm_lock);
}

void host_realm_get_counters(struct host_realm_counters *out)
{
    struct realm_model_counters c;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&realm_lock);
    if (realm.active) {
        realm_model_get_counters(&realm.model, &c);
        out->rsi_calls = c.smc_calls;
        out->ipa_state_set = c.rsi_calls[RSI_IPA_STATE_SET - RSI_FID_BASE];
        out->ipa_state_get = c.rsi_calls[RSI_IPA_STATE_GET - RSI_FID_BASE];
        out->granules_to_shared = c.granules_to_shared;
        out->granules_to_private = c.granules_to_private;
        out->rejects = c.rejects;
        out->errors = c.errors;
    }
    pthread_mutex_unlock(&realm_lock);
}
