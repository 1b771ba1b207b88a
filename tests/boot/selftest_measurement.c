/* SPDX-License-Identifier: MIT */
/*
 * The realm's measurements, read back with RSI_MEASUREMENT_READ and checked
 * against hashes the realm computes itself: REM[0] holds the DTB it was
 * given, REM[1] its bootargs (arch/arm64/realm_measure.c says how), and an
 * extension of REM[3] with a known value gives H(REM[3] || value). The RIM
 * and the REMs are printed for the harness, which recomputes them
 * (tests/attest/verify_token.py --measurements) and compares the RIM with
 * the host's prediction.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "arch/arm64/realm_measure.h"
#include "arch/arm64/rsi.h"
#include "boot/runtime.h"

/* What the self-test extends REM[3] with: a fixed, documented value. */
static const char selftest_value[] = "ccdma measurement self-test: REM[3]";

static void print_measurement(const char *what, const uint8_t *m, size_t n)
{
    printf("# measurement: %s %s:", what, rt.hash_algo == RSI_HASH_SHA_512 ? "sha512" : "sha256");
    for (size_t i = 0; i < n; i++)
        printf("%02x", m[i]);
    printf("\n");
}

/* The REM a fresh slot reaches when extended once with H(data). */
static size_t expected_rem(const void *data, size_t len, uint8_t out[RSI_MEASUREMENT_MAX_SIZE])
{
    uint8_t zero[RSI_MEASUREMENT_MAX_SIZE] = {0}, digest[RSI_MEASUREMENT_MAX_SIZE];
    size_t n = realm_hash(rt.hash_algo, data, len, digest);

    return n == 0 ? 0 : realm_rem_after(rt.hash_algo, zero, digest, n, out);
}

SELFTEST(27, realm_measurement)
{
    uint8_t got[RSI_MEASUREMENT_MAX_SIZE], want[RSI_MEASUREMENT_MAX_SIZE];
    const void *fdt = (const void *)rt.dtb, *args;
    int chosen, args_len = 0, err;
    size_t n;

    if (!rt.realm) {
        st_skip("realm measurements", "no RMM in plain mode");
        return;
    }
    if (realm_hash(rt.hash_algo, "", 0, want) == 0) {
        st_skip("realm measurements", "this build has no hash library (Mbed TLS)");
        return;
    }
    err = rsi_measurement_read(0, got);
    if (err == CCDMA_ERSI) {
        st_skip("realm measurements", "the RMM answers MEASUREMENT_READ with an error");
        return;
    }
    n = rt.hash_algo == RSI_HASH_SHA_512 ? 64 : 32;
    st_check(err == 0, "measurement: the RIM reads back", "%s", ccdma_strerror(err));
    print_measurement("RIM", got, n);

    n = expected_rem(fdt, rt.plat.dtb_size, want);
    err = rsi_measurement_read(REALM_REM_DTB, got);
    st_check(err == 0 && n != 0 && memcmp(got, want, sizeof(got)) == 0,
             "measurement: REM[0] is the DTB as received", "err=%d", err);
    print_measurement("REM[0]", got, n);

    chosen = fdt_path_offset(fdt, "/chosen");
    args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", &args_len);
    if (args != NULL && args_len > 0)
        n = expected_rem(args, (size_t)args_len, want);
    else
        memset(want, 0, sizeof(want));
    err = rsi_measurement_read(REALM_REM_BOOTARGS, got);
    st_check(err == 0 && memcmp(got, want, sizeof(got)) == 0,
             "measurement: REM[1] is the bootargs as received", "err=%d", err);
    print_measurement("REM[1]", got, rt.hash_algo == RSI_HASH_SHA_512 ? 64 : 32);

    /* An extension the realm makes itself, checked against its own hash. */
    err = rsi_measurement_read(REALM_REM_SELFTEST, got);
    if (err == 0)
        n = realm_rem_after(rt.hash_algo, got, selftest_value, sizeof(selftest_value) - 1, want);
    if (err == 0)
        err = rsi_measurement_extend(REALM_REM_SELFTEST, selftest_value,
                                     sizeof(selftest_value) - 1);
    if (err == 0)
        err = rsi_measurement_read(REALM_REM_SELFTEST, got);
    st_check(err == 0 && n != 0 && memcmp(got, want, sizeof(got)) == 0,
             "measurement: extending REM[3] gives H(REM[3] || value)", "err=%d", err);
    err = rsi_measurement_extend(REALM_REM_SELFTEST, selftest_value, RSI_MEASUREMENT_MAX_SIZE + 1);
    st_check(err == CCDMA_EINVAL, "measurement: a value over 64 bytes is refused before any call",
             "err=%d", err);
}
