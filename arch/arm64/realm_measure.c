/* SPDX-License-Identifier: MIT */
/*
 * What the realm measures before it acts on anything the host gave it
 * (docs/security.md, "Measurement and attestation"): the hash of each
 * input, in the realm's hash algorithm, extended into its own REM.
 *
 *   REM[0]  H(the DTB as received: fdt totalsize bytes)
 *   REM[1]  H(/chosen/bootargs as received, its terminating NUL included;
 *           nothing when there is none)
 *   REM[2]  unused
 *   REM[3]  extended by the measurement self-test with a known value,
 *           after the token is taken
 *
 * Each REM starts as zeros; extending it with v gives H(REM || v), so a
 * verifier recomputes every REM from the inputs alone. The hashes are
 * Mbed TLS's; a build without it has none and measures nothing.
 */
#include "arch/arm64/realm_measure.h"

#include <string.h>

#include <ccdma/errors.h>

#include "arch/arm64/rsi.h"

#if defined(CCDMA_HAVE_HASH)
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#endif

size_t realm_hash(unsigned int algo, const void *data, size_t len,
                  uint8_t out[RSI_MEASUREMENT_MAX_SIZE])
{
    memset(out, 0, RSI_MEASUREMENT_MAX_SIZE);
#if defined(CCDMA_HAVE_HASH)
    if (algo == RSI_HASH_SHA_512)
        return mbedtls_sha512(data, len, out, 0) == 0 ? 64 : 0;
    if (algo == RSI_HASH_SHA_256)
        return mbedtls_sha256(data, len, out, 0) == 0 ? 32 : 0;
#else
    (void)algo;
    (void)data;
    (void)len;
#endif
    return 0;
}

size_t realm_rem_after(unsigned int algo, const uint8_t rem[RSI_MEASUREMENT_MAX_SIZE],
                       const void *value, size_t size, uint8_t out[RSI_MEASUREMENT_MAX_SIZE])
{
    uint8_t buf[2 * RSI_MEASUREMENT_MAX_SIZE];
    size_t n = algo == RSI_HASH_SHA_512 ? 64 : 32;

    if (size > RSI_MEASUREMENT_MAX_SIZE)
        return 0;
    memcpy(buf, rem, n);
    memcpy(buf + n, value, size);
    return realm_hash(algo, buf, n + size, out);
}

static int extend_with_hash(unsigned int algo, unsigned int slot, const void *data, size_t len)
{
    uint8_t digest[RSI_MEASUREMENT_MAX_SIZE];
    size_t n = realm_hash(algo, data, len, digest);

    return n == 0 ? CCDMA_ENOTSUP : rsi_measurement_extend(slot, digest, n);
}

int realm_measure_config(unsigned int algo, const void *dtb, size_t dtb_size,
                         const void *bootargs, size_t bootargs_len)
{
    int err = extend_with_hash(algo, REALM_REM_DTB, dtb, dtb_size);

    if (err == 0 && bootargs_len > 0)
        err = extend_with_hash(algo, REALM_REM_BOOTARGS, bootargs, bootargs_len);
    return err;
}
