/* SPDX-License-Identifier: MIT */
/*
 * The host port's realm (arch/host/host_realm.c): the RSI client driving
 * the model in-process, seen through host_realm.h as the host platform port
 * uses it. Checks bytes in the realm buffer, RIPAS through IPA_STATE_GET
 * after every change, fault injection and counters.
 */
#include <ccdma/errors.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_realm.h"
#include "rsi.h"
#include "smccc.h"

#define G ((uint64_t)RSI_GRANULE_SIZE)
#define RAM_BASE 0x40000000ull
#define NGRAN 128
#define RAM_SIZE (NGRAN * G)
#define GR(i) (RAM_BASE + (uint64_t)(i) * G)
#define DEFAULT_WIPE 0xA5 /* REALM_MODEL_DEFAULT_WIPE, as the host sees it */

static uint8_t *ram;
static unsigned int expect[NGRAN]; /* what RIPAS should be, per granule */

static uint8_t *at(unsigned int i)
{
    return ram + (size_t)i * G;
}

static bool bytes_are(unsigned int first, unsigned int n, uint8_t b)
{
    for (size_t k = 0; k < (size_t)n * G; k++)
        if (at(first)[k] != b)
            return false;
    return true;
}

/* IPA_STATE_GET must agree with the expected RIPAS of every granule. */
static bool ripas_agrees(unsigned int *bad)
{
    for (unsigned int i = 0; i < NGRAN; i++) {
        if (host_realm_ripas(GR(i)) != (int)expect[i]) {
            *bad = i;
            return false;
        }
    }
    return true;
}

static struct host_realm_counters counters(void)
{
    struct host_realm_counters c;

    host_realm_get_counters(&c);
    return c;
}

static void expect_range(unsigned int first, unsigned int n, unsigned int ripas)
{
    for (unsigned int i = first; i < first + n; i++)
        expect[i] = ripas;
}

/* ---- before init, and init ----------------------------------------------------------- */

static void test_plain_and_init(void)
{
    struct host_realm_counters c;
    struct smccc_regs r;
    enum rsi_mode mode = RSI_MODE_REALM;
    unsigned int bad = 0;

    memset(&r, 0, sizeof(r));
    r.x[0] = RSI_VERSION;
    r.x[1] = RSI_ABI_VERSION_1_0;
    ccdma_smccc_call(&r);
    CHECK_EQ(r.x[0], (uint64_t)SMCCC_NOT_SUPPORTED,
             "no realm: the conduit answers -1");
    check(rsi_detect(&mode, NULL) == 0 && mode == RSI_MODE_PLAIN,
          "no realm: client detects plain mode", "mode %d", (int)mode);
    CHECK_EQ(host_realm_convert(GR(0), G, true), CCDMA_EINVAL,
             "no realm: convert refused");
    CHECK_EQ(host_realm_shared_bit(), 0, "no realm: no shared bit");
    CHECK_EQ(host_realm_ripas(GR(0)), CCDMA_EINVAL, "no realm: ripas refused");

    CHECK_EQ(host_realm_init(ram + 8, RAM_BASE, RAM_SIZE, 32), CCDMA_EINVAL,
             "init: unaligned buffer refused");
    CHECK_EQ(host_realm_init(ram, RAM_BASE, RAM_SIZE, 31), CCDMA_EINVAL,
             "init: ipa_width 31 refused");
    CHECK_EQ(host_realm_init(ram, 0x80000000ull, RAM_SIZE, 32), CCDMA_EINVAL,
             "init: RAM outside the PAR refused");
    CHECK_EQ(host_realm_init(ram, RAM_BASE, RAM_SIZE - 1, 32), CCDMA_EINVAL,
             "init: unaligned size refused");
    CHECK_EQ(host_realm_shared_bit(), 0, "init: failed init leaves no realm");

    memset(ram, 0x11, RAM_SIZE);
    CHECK_EQ(host_realm_init(ram, RAM_BASE, RAM_SIZE, 33), 0,
             "init: ipa_width 33");
    CHECK_EQ(host_realm_shared_bit(), 1ull << 32,
             "init: shared bit 1 << 32 read through REALM_CONFIG");
    CHECK_EQ(host_realm_init(ram, RAM_BASE, RAM_SIZE, 32), 0,
             "init: again with ipa_width 32 (re-init)");
    CHECK_EQ(host_realm_shared_bit(), 1ull << 31, "init: shared bit 1 << 31");
    check(rsi_detect(&mode, NULL) == 0 && mode == RSI_MODE_REALM,
          "init: client detects a realm", "mode %d", (int)mode);
    c = counters();
    /* VERSION, REALM_CONFIG and the boot claim's IPA_STATE_SET (init), then
     * the rsi_detect() just above. */
    check(c.rsi_calls == 4 && c.ipa_state_set == 1 && c.granules_to_private == 0,
          "init: boot costs VERSION, REALM_CONFIG, one IPA_STATE_SET",
          "rsi_calls %llu set %llu", (unsigned long long)c.rsi_calls,
          (unsigned long long)c.ipa_state_set);
    expect_range(0, NGRAN, RSI_RIPAS_RAM);
    check(ripas_agrees(&bad), "init: every granule RIPAS RAM", "granule %u", bad);
    check(bytes_are(1, NGRAN - 1, 0x11),
          "init: only the config granule was written", "RAM changed");

    memset(&r, 0, sizeof(r));
    r.x[0] = 0xC40001B0;
    ccdma_smccc_call(&r);
    CHECK_EQ(r.x[0], (uint64_t)SMCCC_NOT_SUPPORTED, "realm: unknown FID -> -1");
}

/* ---- conversions and wipes ------------------------------------------------------------- */

static void test_convert(void)
{
    struct host_realm_counters c0, c;
    struct host_realm_inject inj;
    unsigned int bad = 0;

    c0 = counters();
    memset(ram, 0x11, RAM_SIZE);
    CHECK_EQ(host_realm_convert(GR(2), 3 * G, true), 0, "share: 3 granules");
    expect_range(2, 3, RSI_RIPAS_EMPTY);
    check(ripas_agrees(&bad), "share: IPA_STATE_GET agrees", "granule %u", bad);
    check(bytes_are(2, 3, DEFAULT_WIPE) && bytes_are(1, 1, 0x11) &&
              bytes_are(5, 1, 0x11),
          "share: private contents wiped with the non-zero default",
          "byte 0x%02x", at(2)[0]);

    memset(at(2), 0x77, 3 * G); /* the device writes into the shared pages */
    CHECK_EQ(host_realm_convert(GR(2), 3 * G, false), 0, "unshare: 3 granules");
    expect_range(2, 3, RSI_RIPAS_RAM);
    check(ripas_agrees(&bad), "unshare: IPA_STATE_GET agrees", "granule %u", bad);
    check(bytes_are(2, 3, DEFAULT_WIPE),
          "unshare: shared contents wiped, not kept and not zero", "byte 0x%02x",
          at(2)[0]);
    c = counters();
    check(c.granules_to_shared - c0.granules_to_shared == 3 &&
              c.granules_to_private - c0.granules_to_private == 3 &&
              c.ipa_state_set - c0.ipa_state_set == 2,
          "counters: 3 granules each way, one IPA_STATE_SET each", "set %llu",
          (unsigned long long)(c.ipa_state_set - c0.ipa_state_set));

    inj = (struct host_realm_inject){.wipe_pattern = 0x5C};
    host_realm_set_inject(&inj);
    CHECK_EQ(host_realm_convert(GR(10), G, true), 0, "wipe 0x5C: share");
    check(bytes_are(10, 1, 0x5C), "wipe 0x5C: to shared", "byte 0x%02x", at(10)[0]);
    memset(at(10), 0x77, G);
    CHECK_EQ(host_realm_convert(GR(10), G, false), 0, "wipe 0x5C: unshare");
    check(bytes_are(10, 1, 0x5C), "wipe 0x5C: to private", "byte 0x%02x", at(10)[0]);
    inj = (struct host_realm_inject){.wipe_pattern = 0};
    host_realm_set_inject(&inj);
    CHECK_EQ(host_realm_convert(GR(10), G, true), 0, "wipe 0: share");
    check(bytes_are(10, 1, DEFAULT_WIPE), "wipe 0: keeps the non-zero default",
          "byte 0x%02x", at(10)[0]);
    CHECK_EQ(host_realm_convert(GR(10), G, false), 0, "wipe 0: unshare");

    CHECK_EQ(host_realm_convert(GR(0) + 8, G, true), CCDMA_EINVAL,
             "convert: unaligned base refused");
    CHECK_EQ(host_realm_convert(GR(0), G + 8, true), CCDMA_EINVAL,
             "convert: unaligned size refused");
    CHECK_EQ(host_realm_convert(GR(0), 0, true), CCDMA_EINVAL,
             "convert: zero size refused");
    CHECK_EQ(host_realm_convert(GR(NGRAN - 1), 2 * G, true), CCDMA_EINVAL,
             "convert: past RAM refused");
    CHECK_EQ(host_realm_convert(RAM_BASE - G, G, true), CCDMA_EINVAL,
             "convert: below RAM refused");
    check(ripas_agrees(&bad), "convert: refused calls changed nothing",
          "granule %u", bad);
}

/* ---- fault injection ------------------------------------------------------------------ */

static void test_inject(void)
{
    struct host_realm_counters c0, c;
    struct host_realm_inject inj;
    unsigned int bad = 0;
    int err;

    inj = (struct host_realm_inject){.one_granule = true};
    host_realm_set_inject(&inj);
    c0 = counters();
    CHECK_EQ(host_realm_convert(GR(20), 4 * G, true), 0,
             "one_granule: share completes");
    c = counters();
    CHECK_EQ(c.ipa_state_set - c0.ipa_state_set, 4,
             "one_granule: one IPA_STATE_SET per granule");
    expect_range(20, 4, RSI_RIPAS_EMPTY);
    check(ripas_agrees(&bad), "one_granule: IPA_STATE_GET agrees", "granule %u",
          bad);

    inj = (struct host_realm_inject){.reject = true};
    host_realm_set_inject(&inj);
    memset(at(20), 0x77, 4 * G);
    c0 = counters();
    err = host_realm_convert(GR(20), 4 * G, false);
    CHECK_EQ(err, CCDMA_EREJECT, "reject: unshare -> EREJECT");
    check(ripas_agrees(&bad) && bytes_are(20, 4, 0x77),
          "reject: range left shared, contents untouched", "granule %u", bad);
    c = counters();
    CHECK_EQ(c.rejects - c0.rejects, 1, "reject: counted");
    CHECK_EQ(host_realm_convert(GR(30), G, true), 0,
             "reject: sharing is still accepted (spec: RAM only)");
    expect_range(30, 1, RSI_RIPAS_EMPTY);

    inj = (struct host_realm_inject){.reject = true, .reject_empty = true};
    host_realm_set_inject(&inj);
    memset(at(40), 0x33, 2 * G);
    CHECK_EQ(host_realm_convert(GR(40), 2 * G, true), CCDMA_EREJECT,
             "reject_empty: share -> EREJECT");
    check(ripas_agrees(&bad) && bytes_are(40, 2, 0x33),
          "reject_empty: range left private, contents untouched", "granule %u",
          bad);

    inj = (struct host_realm_inject){.rsi_error = true};
    host_realm_set_inject(&inj);
    c0 = counters();
    CHECK_EQ(host_realm_convert(GR(40), G, true), CCDMA_ERSI,
             "rsi_error: share -> ERSI");
    c = counters();
    check(ripas_agrees(&bad) && c.errors - c0.errors == 1,
          "rsi_error: nothing changed, error counted", "granule %u", bad);

    inj = (struct host_realm_inject){.rsi_error = true, .fail_after = 2};
    host_realm_set_inject(&inj);
    CHECK_EQ(host_realm_convert(GR(50), G, true), 0, "fail_after 2: call 1 good");
    CHECK_EQ(host_realm_convert(GR(50), G, false), 0, "fail_after 2: call 2 good");
    CHECK_EQ(host_realm_convert(GR(51), G, true), CCDMA_ERSI,
             "fail_after 2: call 3 fails");

    inj = (struct host_realm_inject){.reject = true, .one_granule = true,
                                     .fail_after = 1};
    host_realm_set_inject(&inj);
    CHECK_EQ(host_realm_convert(GR(60), 3 * G, true), 0,
             "fail_after 1 + one_granule: first call whole, then one per call");
    expect_range(60, 3, RSI_RIPAS_EMPTY);
    err = host_realm_convert(GR(60), 3 * G, false);
    expect_range(60, 1, RSI_RIPAS_RAM); /* one granule done, then REJECT */
    check(err == CCDMA_EREJECT && ripas_agrees(&bad),
          "reject + one_granule: partial REJECT, first granule converted",
          "err %d granule %u", err, bad);

    host_realm_set_inject(NULL);
    CHECK_EQ(host_realm_convert(GR(20), 4 * G, false), 0,
             "no injection: unshare now succeeds");
    expect_range(20, 4, RSI_RIPAS_RAM);
    check(ripas_agrees(&bad), "no injection: IPA_STATE_GET agrees", "granule %u",
          bad);
}

/* A long deterministic sequence: IPA_STATE_GET agrees after every change. */
static void test_random_walk(void)
{
    uint32_t seed = 12345;
    unsigned int bad = 0, failures = 0, steps = 0;

    host_realm_set_inject(NULL);
    for (unsigned int step = 0; step < 300; step++) {
        unsigned int first, n;
        bool to_shared;

        seed = seed * 1103515245u + 12345u;
        first = (seed >> 8) % NGRAN;
        n = 1 + (seed >> 20) % 8;
        if (first + n > NGRAN)
            n = NGRAN - first;
        to_shared = (seed >> 4) & 1;
        if (host_realm_convert(GR(first), n * G, to_shared) != 0)
            failures++;
        expect_range(first, n, to_shared ? RSI_RIPAS_EMPTY : RSI_RIPAS_RAM);
        if (!ripas_agrees(&bad))
            break;
        steps++;
    }
    check(failures == 0 && steps == 300,
          "random walk: 300 conversions, IPA_STATE_GET agrees after each",
          "%u failures, diverged at step %u granule %u", failures, steps, bad);
}

static void test_fini(void)
{
    struct host_realm_counters c;
    struct smccc_regs r;

    host_realm_fini();
    memset(&r, 0, sizeof(r));
    r.x[0] = RSI_VERSION;
    ccdma_smccc_call(&r);
    CHECK_EQ(r.x[0], (uint64_t)SMCCC_NOT_SUPPORTED, "fini: plain again");
    c = counters();
    CHECK_EQ(c.rsi_calls, 0, "fini: counters read zero");
    CHECK_EQ(host_realm_convert(GR(0), G, true), CCDMA_EINVAL,
             "fini: convert refused");
}

int main(void)
{
    ram = aligned_alloc(RSI_GRANULE_SIZE, RAM_SIZE);
    if (ram == NULL)
        return 2;
    test_plain_and_init();
    test_convert();
    test_inject();
    test_random_walk();
    test_fini();
    free(ram);
    return check_summary();
}
