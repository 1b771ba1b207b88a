/* SPDX-License-Identifier: MIT */
/*
 * RSI_ATTESTATION_TOKEN_INIT and _CONTINUE through rsi_attestation_token():
 * a token lands whole in its buffer, and nothing is ever written past the
 * buffer, whatever the RMM answers. Under an RMM that signs (TF-RMM) the
 * bytes must be a CBOR tag 399 collection and a buffer below the RMM's
 * bound is refused; the emulated RMM has no attestation key, and its
 * fault injection gives the two tokens that never end
 * (ccdma.inject=token_stall, token_overrun).
 */
#include <string.h>

#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "arch/arm64/rsi.h"
#include "boot/dt_platform.h"
#include "boot/runtime.h"

#define AREA_GRANULES 3
#define TOKEN_ROOM (2 * RSI_GRANULE_SIZE) /* the last granule is a guard */
#define GUARD 0x3c
#define OVERRUN_FILL 0x7e /* what the emulated RMM's overrun writes */

static uint8_t area[AREA_GRANULES * RSI_GRANULE_SIZE] __attribute__((aligned(RSI_GRANULE_SIZE)));

enum token_fault { FAULT_NONE, FAULT_STALL, FAULT_OVERRUN };

static enum token_fault token_fault(void)
{
    char val[DT_BOOTARGS_MAX];

    if (!dt_bootarg(&rt.plat, "ccdma.inject", val, sizeof(val)))
        return FAULT_NONE;
    if (strstr(val, "token_stall") != NULL)
        return FAULT_STALL;
    return strstr(val, "token_overrun") != NULL ? FAULT_OVERRUN : FAULT_NONE;
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static int take_token(size_t max, size_t *len)
{
    uint8_t challenge[RSI_MEASUREMENT_MAX_SIZE];

    for (unsigned int i = 0; i < sizeof(challenge); i++)
        challenge[i] = (uint8_t)(0xc0 + i);
    memset(area, GUARD, sizeof(area));
    return rsi_attestation_token(challenge, (uintptr_t)area, area, max, len);
}

static void check_real_token(void)
{
    size_t len = 0;
    int err = take_token(TOKEN_ROOM, &len);

    if (err == CCDMA_ERSI) {
        st_skip("attestation token", "the RMM has no attestation key (TOKEN_INIT: RSI_ERROR_UNKNOWN)");
        return;
    }
    /* d9 01 8f: CBOR tag 399, the CCA token collection. */
    st_check(err == 0 && len > 3 && len <= TOKEN_ROOM && area[0] == 0xd9 && area[1] == 0x01 &&
                 area[2] == 0x8f && all(area + TOKEN_ROOM, RSI_GRANULE_SIZE, GUARD),
             "attestation: a whole token, CBOR tag 399, and nothing past its buffer",
             "err=%s len=%zu head %02x%02x%02x", ccdma_strerror(err), len, area[0], area[1],
             area[2]);
    err = take_token(256, &len);
    st_check(err == CCDMA_ENOSPC && len == 0 && all(area, sizeof(area), GUARD),
             "attestation: a buffer under the RMM's bound is refused before any byte is written",
             "err=%s len=%zu", ccdma_strerror(err), len);
}

SELFTEST(28, realm_attestation)
{
    uint8_t challenge[RSI_MEASUREMENT_MAX_SIZE] = {0};
    size_t len = 1;
    int err;

    if (!rt.realm) {
        st_skip("attestation token", "no RMM in plain mode");
        return;
    }
    st_check(rsi_attestation_token(challenge, (uintptr_t)area + 8, area + 8, TOKEN_ROOM, &len) ==
                     CCDMA_EINVAL && len == 0 &&
                 rsi_attestation_token(challenge, (uintptr_t)area, area, 0, &len) == CCDMA_EINVAL &&
                 rsi_attestation_token(NULL, (uintptr_t)area, area, TOKEN_ROOM, &len) ==
                     CCDMA_EINVAL,
             "attestation: an unaligned buffer, no room or no challenge is refused before any call",
             "len=%zu", len);
    switch (token_fault()) {
    case FAULT_STALL:
        err = take_token(TOKEN_ROOM, &len);
        st_check(err == CCDMA_ETIMEDOUT && len == 0 && all(area, sizeof(area), GUARD),
                 "attestation: CONTINUE answering INCOMPLETE with no bytes, forever, ends "
                 "in a clean error", "err=%s", ccdma_strerror(err));
        break;
    case FAULT_OVERRUN:
        err = take_token(TOKEN_ROOM, &len);
        st_check(err == CCDMA_ENOSPC && len == 0 && all(area, TOKEN_ROOM, OVERRUN_FILL) &&
                     all(area + TOKEN_ROOM, RSI_GRANULE_SIZE, GUARD),
                 "attestation: a token longer than its buffer is a clean error, the buffer "
                 "filled and not a byte past it", "err=%s", ccdma_strerror(err));
        break;
    case FAULT_NONE:
        check_real_token();
        break;
    }
}
