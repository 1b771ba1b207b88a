/* SPDX-License-Identifier: MIT */
/*
 * RSI 1.0 client. Every value the RMM returns is checked against the ABI
 * before use: on QEMU the "RMM" is a monitor that also plays the untrusted
 * host, and a wrong answer believed here would corrupt memory later.
 */
#include "rsi.h"

#include <ccdma/errors.h>
#include <string.h>

#include "smccc.h"

#define GRANULE_MASK ((uint64_t)RSI_GRANULE_SIZE - 1)

static bool granule_aligned(uint64_t addr)
{
    return (addr & GRANULE_MASK) == 0;
}

/* One call with the given arguments; unused argument registers are zero
 * (the spec says SBZ). */
static void rsi_call4(struct smccc_regs *r, uint32_t fid, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4)
{
    memset(r, 0, sizeof(*r));
    r->x[0] = fid;
    r->x[1] = a1;
    r->x[2] = a2;
    r->x[3] = a3;
    r->x[4] = a4;
    ccdma_smccc_call(r);
}

const char *rsi_status_name(uint64_t status)
{
    switch (status) {
    case RSI_SUCCESS: return "RSI_SUCCESS";
    case RSI_ERROR_INPUT: return "RSI_ERROR_INPUT";
    case RSI_ERROR_STATE: return "RSI_ERROR_STATE";
    case RSI_INCOMPLETE: return "RSI_INCOMPLETE";
    case RSI_ERROR_UNKNOWN: return "RSI_ERROR_UNKNOWN";
    case (uint64_t)SMCCC_NOT_SUPPORTED: return "SMCCC_NOT_SUPPORTED";
    default: return "?";
    }
}

int rsi_detect(enum rsi_mode *mode, struct rsi_version_answer *ans)
{
    struct smccc_regs r;
    struct rsi_version_answer a;

    if (mode == NULL)
        return CCDMA_EINVAL;
    *mode = RSI_MODE_PLAIN;
    rsi_call4(&r, RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0, 0);
    a.status = r.x[0];
    a.lower = r.x[1];
    a.higher = r.x[2];
    if (ans != NULL)
        *ans = a;

    if (a.status == (uint64_t)SMCCC_NOT_SUPPORTED)
        return 0; /* no RMM answers: a plain VM, or a hypervisor saying -1 */
    if (a.status == RSI_ERROR_INPUT)
        return CCDMA_ENOTSUP; /* an RMM, but no revision compatible with 1.0 */
    if (a.status != RSI_SUCCESS)
        return CCDMA_EPROTO;
    /* Case (a) of the negotiation: lower is the revision we asked for and
     * higher the RMM's highest, so lower <= higher; reserved bits are zero. */
    if (a.lower != RSI_ABI_VERSION_1_0 || a.higher < a.lower ||
        (a.higher & RSI_VERSION_RES0) != 0)
        return CCDMA_EPROTO;
    *mode = RSI_MODE_REALM;
    return 0;
}

int rsi_features(uint64_t index, uint64_t *value)
{
    struct smccc_regs r;

    if (value == NULL)
        return CCDMA_EINVAL;
    rsi_call4(&r, RSI_FEATURES, index, 0, 0, 0);
    if (r.x[0] != RSI_SUCCESS)
        return CCDMA_ERSI;
    *value = r.x[1];
    return 0;
}

int rsi_realm_config(uint64_t ipa, const void *buf, struct rsi_realm_info *out)
{
    struct smccc_regs r;
    uint64_t ipa_width;

    if (buf == NULL || out == NULL || !granule_aligned(ipa) ||
        ((uintptr_t)buf & GRANULE_MASK) != 0)
        return CCDMA_EINVAL;
    rsi_call4(&r, RSI_REALM_CONFIG, ipa, 0, 0, 0);
    if (r.x[0] != RSI_SUCCESS)
        return CCDMA_ERSI;

    /* Read with memcpy: the RMM wrote the granule behind the compiler's back,
     * and the fields' offsets are the ABI's, not necessarily C's. */
    memcpy(&ipa_width, (const uint8_t *)buf + RSI_REALM_CONFIG_IPA_WIDTH,
           sizeof(ipa_width));
    if (ipa_width < RSI_IPA_WIDTH_MIN || ipa_width > RSI_IPA_WIDTH_MAX)
        return CCDMA_EPROTO;
    /* The protected range must contain the config granule itself. */
    if (ipa >= ((uint64_t)1 << (ipa_width - 1)))
        return CCDMA_EPROTO;
    out->ipa_width = (unsigned int)ipa_width;
    out->shared_bit = (uint64_t)1 << (ipa_width - 1);
    memcpy(&out->hash_algo, (const uint8_t *)buf + RSI_REALM_CONFIG_HASH_ALGO,
           sizeof(out->hash_algo));
    memcpy(out->rpv, (const uint8_t *)buf + RSI_REALM_CONFIG_RPV,
           sizeof(out->rpv));
    return 0;
}

int rsi_ipa_state_set(uint64_t base, uint64_t top, unsigned int ripas,
                      uint64_t flags, uint64_t *reached)
{
    struct smccc_regs r;
    uint64_t cur = base;
    unsigned int stalls = 0;
    int err = 0;

    if (reached != NULL)
        *reached = base;
    if (!granule_aligned(base) || !granule_aligned(top) || top <= base ||
        (ripas != RSI_RIPAS_EMPTY && ripas != RSI_RIPAS_RAM) ||
        (flags != RSI_NO_CHANGE_DESTROYED && flags != RSI_CHANGE_DESTROYED))
        return CCDMA_EINVAL;

    while (cur != top) {
        uint64_t new_base, response;

        rsi_call4(&r, RSI_IPA_STATE_SET, cur, top, ripas, flags);
        if (r.x[0] != RSI_SUCCESS) {
            err = CCDMA_ERSI; /* outputs are UNDEFINED on failure */
            break;
        }
        new_base = r.x[1];
        response = r.x[2];
        /* new_base is "the base of the region not modified": it cannot move
         * backwards, past top, or off a granule. X2[63:1] MBZ. */
        if (new_base < cur || new_base > top || !granule_aligned(new_base) ||
            (response != RSI_ACCEPT && response != RSI_REJECT)) {
            err = CCDMA_EPROTO;
            break;
        }
        if (response == RSI_REJECT) {
            /* [cur, new_base) did change; the spec never rejects a finished
             * request, so a REJECT at top is malformed. */
            cur = new_base;
            err = new_base == top ? CCDMA_EPROTO : CCDMA_EREJECT;
            break;
        }
        if (new_base == cur) {
            if (++stalls >= RSI_STATE_SET_MAX_STALLS) {
                err = CCDMA_ETIMEDOUT;
                break;
            }
        } else {
            stalls = 0;
        }
        cur = new_base;
    }
    if (reached != NULL)
        *reached = cur;
    return err;
}

int rsi_mem_share(uint64_t base, uint64_t top, uint64_t *reached)
{
    return rsi_ipa_state_set(base, top, RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED,
                             reached);
}

int rsi_mem_unshare(uint64_t base, uint64_t top, uint64_t *reached)
{
    return rsi_ipa_state_set(base, top, RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED,
                             reached);
}

int rsi_ipa_state_get(uint64_t base, uint64_t top, uint64_t *out_top,
                      unsigned int *ripas)
{
    struct smccc_regs r;

    if (out_top == NULL || ripas == NULL || !granule_aligned(base) ||
        !granule_aligned(top) || top <= base)
        return CCDMA_EINVAL;
    rsi_call4(&r, RSI_IPA_STATE_GET, base, top, 0, 0);
    if (r.x[0] != RSI_SUCCESS)
        return CCDMA_ERSI;
    /* base < out_top <= top, on a granule; ripas is X2[7:0], rest MBZ. */
    if (r.x[1] <= base || r.x[1] > top || !granule_aligned(r.x[1]) ||
        r.x[2] > RSI_RIPAS_DEV)
        return CCDMA_EPROTO;
    *out_top = r.x[1];
    *ripas = (unsigned int)r.x[2];
    return 0;
}

int rsi_ripas_of(uint64_t ipa, unsigned int *ripas)
{
    uint64_t base = ipa & ~GRANULE_MASK;
    uint64_t out_top;

    if (base > UINT64_MAX - RSI_GRANULE_SIZE)
        return CCDMA_EINVAL;
    return rsi_ipa_state_get(base, base + RSI_GRANULE_SIZE, &out_top, ripas);
}

int rsi_boot_claim_ram(uint64_t base, uint64_t top, uint64_t *stop)
{
    uint64_t reached;
    unsigned int ripas;
    int err;

    err = rsi_ipa_state_set(base, top, RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED,
                            &reached);
    if (stop != NULL)
        *stop = reached;
    if (err == 0 || err == CCDMA_EINVAL || err == CCDMA_EPROTO)
        return err;
    /* A stop (REJECT, or a host that stalls) at a DESTROYED granule is the
     * NO_CHANGE_DESTROYED refusal; say so rather than "rejected". */
    if (reached < top && rsi_ripas_of(reached, &ripas) == 0 &&
        ripas == RSI_RIPAS_DESTROYED)
        return CCDMA_ESTATE;
    return err;
}

int rsi_measurement_read(unsigned int slot, uint8_t out[RSI_MEASUREMENT_MAX_SIZE])
{
    struct smccc_regs r;

    if (slot >= RSI_MEASUREMENT_SLOTS || out == NULL)
        return CCDMA_EINVAL;
    rsi_call4(&r, RSI_MEASUREMENT_READ, slot, 0, 0, 0);
    if (r.x[0] != RSI_SUCCESS)
        return CCDMA_ERSI;
    memcpy(out, &r.x[1], RSI_MEASUREMENT_MAX_SIZE);
    return 0;
}

int rsi_measurement_extend(unsigned int slot, const void *value, size_t size)
{
    struct smccc_regs r = {{RSI_MEASUREMENT_EXTEND, slot, size}};

    if (slot == 0 || slot >= RSI_MEASUREMENT_SLOTS || size > RSI_MEASUREMENT_MAX_SIZE ||
        (size && value == NULL))
        return CCDMA_EINVAL;
    memcpy(&r.x[3], value, size); /* X3..X10, little-endian */
    ccdma_smccc_call(&r);
    return r.x[0] == RSI_SUCCESS ? 0 : CCDMA_ERSI;
}

int rsi_attestation_token(const uint8_t challenge[RSI_MEASUREMENT_MAX_SIZE], uint64_t buf_ipa,
                          uint8_t *buf, size_t max, size_t *len)
{
    struct smccc_regs r = {{RSI_ATTESTATION_TOKEN_INIT}};
    size_t done = 0;
    unsigned int stalls = 0;

    *len = 0;
    if (challenge == NULL || buf == NULL || !granule_aligned(buf_ipa) ||
        ((uintptr_t)buf & GRANULE_MASK) || max == 0)
        return CCDMA_EINVAL;
    memcpy(&r.x[1], challenge, RSI_MEASUREMENT_MAX_SIZE); /* X1..X8 */
    ccdma_smccc_call(&r);
    if (r.x[0] != RSI_SUCCESS)
        return CCDMA_ERSI;
    /* X1: an upper bound of the token's size. */
    if (r.x[1] == 0)
        return CCDMA_EPROTO;
    if (r.x[1] > max)
        return CCDMA_ENOSPC;
    for (;;) {
        uint64_t off = done & GRANULE_MASK;
        uint64_t room = RSI_GRANULE_SIZE - off;

        if (done >= max)
            return CCDMA_ENOSPC;
        if (room > max - done)
            room = max - done;
        rsi_call4(&r, RSI_ATTESTATION_TOKEN_CONTINUE, buf_ipa + (done & ~GRANULE_MASK), off,
                  room, 0);
        if (r.x[0] != RSI_SUCCESS && r.x[0] != RSI_INCOMPLETE)
            return CCDMA_ERSI;
        /* X1: the bytes written now, never more than offered. */
        if (r.x[1] > room)
            return CCDMA_EPROTO;
        done += r.x[1];
        if (r.x[0] == RSI_SUCCESS)
            break;
        stalls = r.x[1] == 0 ? stalls + 1 : 0;
        if (stalls >= RSI_TOKEN_MAX_STALLS)
            return CCDMA_ETIMEDOUT;
    }
    *len = done;
    return 0;
}
