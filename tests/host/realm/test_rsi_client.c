/* SPDX-License-Identifier: MIT */
/*
 * The RSI client against a scripted conduit that answers whatever the test
 * says, including answers a well-behaved RMM never gives: the client must
 * turn each into a clear error, never into assumed success or a hang.
 */
#include <ccdma/errors.h>
#include <string.h>

#include "check.h"
#include "rsi.h"
#include "smccc.h"

#define G ((uint64_t)RSI_GRANULE_SIZE)
#define BASE 0x40000000ull
#define GR(i) (BASE + (uint64_t)(i) * G)
#define MAX_LOG 1024

/* ---- the scripted conduit ------------------------------------------------------------ */

static struct smccc_regs req_log[MAX_LOG];
static unsigned int ncalls;
static void (*responder)(struct smccc_regs *r);

void ccdma_smccc_call(struct smccc_regs *r)
{
    if (ncalls < MAX_LOG)
        req_log[ncalls] = *r;
    ncalls++;
    responder(r);
}

/* Answers taken in order; the last one repeats. */
static uint64_t script[8][3];
static unsigned int nscript, spos;

static void answer_script(struct smccc_regs *r)
{
    unsigned int i = spos < nscript ? spos++ : nscript - 1;

    r->x[0] = script[i][0];
    r->x[1] = script[i][1];
    r->x[2] = script[i][2];
}

static void use_script(unsigned int n, const uint64_t (*answers)[3])
{
    memcpy(script, answers, n * sizeof(answers[0]));
    nscript = n;
    spos = 0;
    ncalls = 0;
    responder = answer_script;
}

static void use_one(uint64_t x0, uint64_t x1, uint64_t x2)
{
    const uint64_t a[1][3] = {{x0, x1, x2}};

    use_script(1, a);
}

/* IPA_STATE_SET host: `stalls` zero-progress answers before each granule. */
static unsigned int stalls_per_step, stalls_left;

static void answer_slow_progress(struct smccc_regs *r)
{
    r->x[0] = RSI_SUCCESS;
    r->x[2] = RSI_ACCEPT;
    if (stalls_left > 0) {
        stalls_left--;
        return; /* x1 = base: no progress */
    }
    stalls_left = stalls_per_step;
    r->x[1] += G;
}

static void use_slow_progress(unsigned int stalls)
{
    stalls_per_step = stalls_left = stalls;
    ncalls = 0;
    responder = answer_slow_progress;
}

/* Separate fixed answers for IPA_STATE_SET and IPA_STATE_GET. */
static uint64_t by_fid_set[3], by_fid_get[3];

static void answer_by_fid(struct smccc_regs *r)
{
    const uint64_t *a = r->x[0] == RSI_IPA_STATE_GET ? by_fid_get : by_fid_set;

    r->x[0] = a[0];
    r->x[1] = a[1];
    r->x[2] = a[2];
}

/* REALM_CONFIG host: writes cfg_width into the buffer the client passed. */
static struct rsi_realm_config cfgbuf;
static uint64_t cfg_width, cfg_status;

static void answer_config(struct smccc_regs *r)
{
    memset(&cfgbuf, 0, sizeof(cfgbuf));
    cfgbuf.ipa_width = cfg_width;
    cfgbuf.hash_algo = 7; /* not a 1.0 value: reported as given */
    cfgbuf.rpv[63] = 0x42;
    r->x[0] = cfg_status;
    r->x[1] = 0;
}

static void use_config(uint64_t width, uint64_t status)
{
    cfg_width = width;
    cfg_status = status;
    ncalls = 0;
    responder = answer_config;
}

static bool args_are(unsigned int i, uint64_t fid, uint64_t a1, uint64_t a2,
                     uint64_t a3, uint64_t a4)
{
    const struct smccc_regs *r = &req_log[i];

    if (r->x[0] != fid || r->x[1] != a1 || r->x[2] != a2 || r->x[3] != a3 ||
        r->x[4] != a4)
        return false;
    for (unsigned int j = 5; j < SMCCC_NUM_REGS; j++)
        if (r->x[j] != 0)
            return false; /* SBZ */
    return true;
}

/* ---- RSI_VERSION --------------------------------------------------------------------- */

static void detect_case(const char *name, uint64_t x0, uint64_t x1, uint64_t x2,
                        int want_err, enum rsi_mode want_mode)
{
    struct rsi_version_answer ans;
    enum rsi_mode mode = RSI_MODE_REALM;
    int err;

    use_one(x0, x1, x2);
    err = rsi_detect(&mode, &ans);
    check(err == want_err && mode == want_mode && ans.status == x0 &&
              ans.lower == x1 && ans.higher == x2,
          name, "err %d mode %d", err, (int)mode);
}

static void test_detect(void)
{
    const uint64_t v10 = RSI_ABI_VERSION_1_0, v11 = RSI_VERSION_MAKE(1, 1);
    const uint64_t v20 = RSI_VERSION_MAKE(2, 0);
    enum rsi_mode mode;

    detect_case("detect: SMCCC_NOT_SUPPORTED -> plain mode",
                (uint64_t)SMCCC_NOT_SUPPORTED, 0, 0, 0, RSI_MODE_PLAIN);
    check(ncalls == 1 && args_are(0, RSI_VERSION, v10, 0, 0, 0),
          "detect: asks RSI_VERSION for 1.0 (0x10000), other registers zero",
          "request x0=0x%llx x1=0x%llx", (unsigned long long)req_log[0].x[0],
          (unsigned long long)req_log[0].x[1]);
    detect_case("detect: SUCCESS 1.0/1.0 -> realm", RSI_SUCCESS, v10, v10, 0,
                RSI_MODE_REALM);
    detect_case("detect: SUCCESS 1.0/1.1 -> realm", RSI_SUCCESS, v10, v11, 0,
                RSI_MODE_REALM);
    detect_case("detect: ERROR_INPUT case (c) 2.0/2.0 -> ENOTSUP, reported",
                RSI_ERROR_INPUT, v20, v20, CCDMA_ENOTSUP, RSI_MODE_PLAIN);
    detect_case("detect: ERROR_INPUT case (b) 0.9/2.0 -> ENOTSUP, reported",
                RSI_ERROR_INPUT, RSI_VERSION_MAKE(0, 9), v20, CCDMA_ENOTSUP,
                RSI_MODE_PLAIN);
    detect_case("detect: ERROR_STATE -> EPROTO, not a realm", RSI_ERROR_STATE,
                v10, v10, CCDMA_EPROTO, RSI_MODE_PLAIN);
    detect_case("detect: FID echoed back -> EPROTO, not a realm", RSI_VERSION,
                v10, 0, CCDMA_EPROTO, RSI_MODE_PLAIN);
    detect_case("detect: -2 -> EPROTO, not a realm", (uint64_t)-2, 0, 0,
                CCDMA_EPROTO, RSI_MODE_PLAIN);
    detect_case("detect: SUCCESS with lower 1.1 != request -> EPROTO",
                RSI_SUCCESS, v11, v11, CCDMA_EPROTO, RSI_MODE_PLAIN);
    detect_case("detect: SUCCESS with higher < lower -> EPROTO", RSI_SUCCESS,
                v10, 0, CCDMA_EPROTO, RSI_MODE_PLAIN);
    detect_case("detect: SUCCESS with higher's reserved bits -> EPROTO",
                RSI_SUCCESS, v10, (1ull << 40) | v10, CCDMA_EPROTO,
                RSI_MODE_PLAIN);
    use_one(RSI_SUCCESS, v10, v10);
    CHECK_EQ(rsi_detect(&mode, NULL), 0, "detect: answer pointer optional");
    CHECK_EQ(rsi_detect(NULL, NULL), CCDMA_EINVAL, "detect: NULL mode refused");
}

/* ---- FEATURES, REALM_CONFIG ----------------------------------------------------------- */

static void test_features_config(void)
{
    struct rsi_realm_info info;
    uint64_t value = 99;
    int err;

    use_one(RSI_SUCCESS, 0, 0);
    err = rsi_features(3, &value);
    check(err == 0 && value == 0 && args_are(0, RSI_FEATURES, 3, 0, 0, 0),
          "features: index passed, value returned", "err %d", err);
    use_one(RSI_ERROR_INPUT, 5, 0);
    CHECK_EQ(rsi_features(0, &value), CCDMA_ERSI, "features: error -> ERSI");

    use_config(33, RSI_SUCCESS);
    err = rsi_realm_config(GR(0), &cfgbuf, &info);
    check(err == 0 && info.ipa_width == 33 && info.shared_bit == 1ull << 32 &&
              info.hash_algo == 7 && info.rpv[63] == 0x42 &&
              args_are(0, RSI_REALM_CONFIG, GR(0), 0, 0, 0),
          "realm_config: width 33 -> shared bit 1 << 32", "err %d", err);
    use_config(52, RSI_SUCCESS);
    err = rsi_realm_config(GR(0), &cfgbuf, &info);
    check(err == 0 && info.shared_bit == 1ull << 51,
          "realm_config: width 52 (max) accepted", "err %d", err);
    use_config(32, RSI_SUCCESS);
    err = rsi_realm_config(GR(0), &cfgbuf, &info);
    check(err == 0 && info.shared_bit == 1ull << 31,
          "realm_config: width 32 (min) accepted", "err %d", err);

    static const uint64_t bad_widths[] = {0, 1, 31, 53, 64, 65, UINT64_MAX};
    bool all = true;
    for (unsigned int i = 0; i < sizeof(bad_widths) / sizeof(bad_widths[0]); i++) {
        use_config(bad_widths[i], RSI_SUCCESS);
        if (rsi_realm_config(GR(0), &cfgbuf, &info) != CCDMA_EPROTO)
            all = false;
    }
    check(all, "realm_config: widths 0,1,31,53,64,65,2^64-1 -> EPROTO",
          "a bad width was accepted");
    use_config(32, RSI_SUCCESS);
    CHECK_EQ(rsi_realm_config(0x80000000ull, &cfgbuf, &info), CCDMA_EPROTO,
             "realm_config: buffer outside the reported PAR -> EPROTO");
    use_config(33, RSI_ERROR_INPUT);
    CHECK_EQ(rsi_realm_config(GR(0), &cfgbuf, &info), CCDMA_ERSI,
             "realm_config: error status -> ERSI");
    use_config(33, RSI_SUCCESS);
    err = rsi_realm_config(GR(0) + 8, &cfgbuf, &info);
    check(err == CCDMA_EINVAL && ncalls == 0,
          "realm_config: unaligned IPA refused before the call", "err %d", err);
    err = rsi_realm_config(GR(0), (uint8_t *)&cfgbuf + 8, &info);
    check(err == CCDMA_EINVAL && ncalls == 0,
          "realm_config: unaligned buffer refused before the call", "err %d", err);
}

/* ---- IPA_STATE_SET ---------------------------------------------------------------- */

static void set_case(const char *name, uint64_t x0, uint64_t x1, uint64_t x2,
                     int want_err, uint64_t want_reached)
{
    uint64_t reached = 0;
    int err;

    use_one(x0, x1, x2);
    err = rsi_ipa_state_set(GR(2), GR(6), RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED,
                            &reached);
    check(err == want_err && reached == want_reached, name,
          "err %d reached 0x%llx", err, (unsigned long long)reached);
}

static void test_state_set(void)
{
    uint64_t reached;
    bool loop_ok = true;
    int err;

    static const struct {
        const char *name;
        uint64_t base, top, ripas, flags;
    } bad[] = {
        {"state_set: unaligned base refused", GR(0) + 1, GR(1), 0, 1},
        {"state_set: unaligned top refused", GR(0), GR(1) + 1, 0, 1},
        {"state_set: top == base refused", GR(1), GR(1), 0, 1},
        {"state_set: top < base refused", GR(2), GR(1), 0, 1},
        {"state_set: ripas DESTROYED refused", GR(0), GR(1), 2, 1},
        {"state_set: flags 2 refused", GR(0), GR(1), 1, 2},
    };
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        use_one(RSI_SUCCESS, 0, 0);
        err = rsi_ipa_state_set(bad[i].base, bad[i].top, (unsigned int)bad[i].ripas,
                                bad[i].flags, NULL);
        check(err == CCDMA_EINVAL && ncalls == 0, bad[i].name,
              "err %d, %u calls", err, ncalls);
    }

    use_one(RSI_SUCCESS, GR(6), RSI_ACCEPT);
    err = rsi_ipa_state_set(GR(2), GR(6), RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED,
                            &reached);
    check(err == 0 && reached == GR(6) && ncalls == 1 &&
              args_are(0, RSI_IPA_STATE_SET, GR(2), GR(6), RSI_RIPAS_RAM,
                       RSI_NO_CHANGE_DESTROYED),
          "state_set: one call when the host finishes", "err %d calls %u", err,
          ncalls);

    use_slow_progress(0);
    err = rsi_ipa_state_set(GR(2), GR(10), RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED,
                            &reached);
    for (unsigned int i = 0; i < ncalls && i < 8; i++)
        if (!args_are(i, RSI_IPA_STATE_SET, GR(2 + i), GR(10), RSI_RIPAS_EMPTY,
                      RSI_CHANGE_DESTROYED))
            loop_ok = false;
    check(err == 0 && reached == GR(10) && ncalls == 8 && loop_ok,
          "state_set: partial progress loops from new_base to top",
          "err %d calls %u", err, ncalls);

    use_slow_progress(RSI_STATE_SET_MAX_STALLS - 1);
    err = rsi_ipa_state_set(GR(2), GR(5), RSI_RIPAS_EMPTY, 1, &reached);
    check(err == 0 && reached == GR(5) && ncalls == 3 * RSI_STATE_SET_MAX_STALLS,
          "state_set: stalls below the bound, with progress, complete",
          "err %d calls %u", err, ncalls);

    use_one(RSI_SUCCESS, GR(2), RSI_ACCEPT);
    err = rsi_ipa_state_set(GR(2), GR(6), RSI_RIPAS_EMPTY, 1, &reached);
    check(err == CCDMA_ETIMEDOUT && reached == GR(2) &&
              ncalls == RSI_STATE_SET_MAX_STALLS,
          "state_set: a host that never progresses -> ETIMEDOUT, bounded",
          "err %d calls %u", err, ncalls);
    {
        const uint64_t a[2][3] = {{RSI_SUCCESS, GR(4), RSI_ACCEPT},
                                  {RSI_SUCCESS, GR(4), RSI_ACCEPT}};
        use_script(2, a);
        err = rsi_ipa_state_set(GR(2), GR(6), RSI_RIPAS_EMPTY, 1, &reached);
        check(err == CCDMA_ETIMEDOUT && reached == GR(4) &&
                  ncalls == 1 + RSI_STATE_SET_MAX_STALLS,
              "state_set: stall after progress -> ETIMEDOUT, progress kept",
              "err %d reached 0x%llx calls %u", err,
              (unsigned long long)reached, ncalls);
    }

    set_case("state_set: REJECT at base -> EREJECT, nothing converted",
             RSI_SUCCESS, GR(2), RSI_REJECT, CCDMA_EREJECT, GR(2));
    set_case("state_set: REJECT after progress -> EREJECT, progress reported",
             RSI_SUCCESS, GR(4), RSI_REJECT, CCDMA_EREJECT, GR(4));
    set_case("state_set: REJECT at top -> EPROTO (malformed)", RSI_SUCCESS,
             GR(6), RSI_REJECT, CCDMA_EPROTO, GR(6));
    set_case("state_set: ERROR_INPUT -> ERSI", RSI_ERROR_INPUT, GR(6), 0,
             CCDMA_ERSI, GR(2));
    set_case("state_set: ERROR_UNKNOWN -> ERSI", RSI_ERROR_UNKNOWN, GR(6), 0,
             CCDMA_ERSI, GR(2));
    set_case("state_set: SMCCC_NOT_SUPPORTED -> ERSI",
             (uint64_t)SMCCC_NOT_SUPPORTED, GR(6), 0, CCDMA_ERSI, GR(2));
    set_case("state_set: new_base below base -> EPROTO", RSI_SUCCESS, GR(1),
             RSI_ACCEPT, CCDMA_EPROTO, GR(2));
    set_case("state_set: new_base past top -> EPROTO", RSI_SUCCESS, GR(7),
             RSI_ACCEPT, CCDMA_EPROTO, GR(2));
    set_case("state_set: new_base 0 -> EPROTO", RSI_SUCCESS, 0, RSI_ACCEPT,
             CCDMA_EPROTO, GR(2));
    set_case("state_set: unaligned new_base -> EPROTO", RSI_SUCCESS,
             GR(3) + 0x800, RSI_ACCEPT, CCDMA_EPROTO, GR(2));
    set_case("state_set: response 2 (X2[63:1] MBZ) -> EPROTO", RSI_SUCCESS,
             GR(6), 2, CCDMA_EPROTO, GR(2));
    {
        const uint64_t a[2][3] = {{RSI_SUCCESS, GR(3), RSI_ACCEPT},
                                  {RSI_ERROR_UNKNOWN, 0, 0}};
        use_script(2, a);
        err = rsi_ipa_state_set(GR(2), GR(6), RSI_RIPAS_EMPTY, 1, &reached);
        check(err == CCDMA_ERSI && reached == GR(3),
              "state_set: error after progress -> ERSI, progress reported",
              "err %d reached 0x%llx", err, (unsigned long long)reached);
    }

    use_one(RSI_SUCCESS, GR(6), RSI_ACCEPT);
    err = rsi_mem_share(GR(2), GR(6), NULL);
    check(err == 0 && args_are(0, RSI_IPA_STATE_SET, GR(2), GR(6),
                               RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED),
          "mem_share: EMPTY with CHANGE_DESTROYED", "err %d", err);
    use_one(RSI_SUCCESS, GR(6), RSI_ACCEPT);
    err = rsi_mem_unshare(GR(2), GR(6), NULL);
    check(err == 0 && args_are(0, RSI_IPA_STATE_SET, GR(2), GR(6), RSI_RIPAS_RAM,
                               RSI_CHANGE_DESTROYED),
          "mem_unshare: RAM with CHANGE_DESTROYED", "err %d", err);
}

/* ---- IPA_STATE_GET ------------------------------------------------------------------ */

static void get_case(const char *name, uint64_t x0, uint64_t x1, uint64_t x2,
                     int want_err)
{
    uint64_t out_top = 0;
    unsigned int ripas = 99;
    int err;

    use_one(x0, x1, x2);
    err = rsi_ipa_state_get(GR(2), GR(6), &out_top, &ripas);
    check(err == want_err &&
              (err != 0 || (out_top == x1 && ripas == (unsigned int)x2)),
          name, "err %d", err);
}

static void test_state_get(void)
{
    uint64_t out_top;
    unsigned int ripas;
    int err;

    get_case("state_get: valid answer accepted", RSI_SUCCESS, GR(4),
             RSI_RIPAS_EMPTY, 0);
    check(args_are(0, RSI_IPA_STATE_GET, GR(2), GR(6), 0, 0),
          "state_get: base and top passed", "request differs");
    get_case("state_get: out_top == top accepted", RSI_SUCCESS, GR(6),
             RSI_RIPAS_DEV, 0);
    get_case("state_get: out_top == base -> EPROTO", RSI_SUCCESS, GR(2), 1,
             CCDMA_EPROTO);
    get_case("state_get: out_top past top -> EPROTO", RSI_SUCCESS, GR(7), 1,
             CCDMA_EPROTO);
    get_case("state_get: out_top unaligned -> EPROTO", RSI_SUCCESS, GR(3) + 4, 1,
             CCDMA_EPROTO);
    get_case("state_get: ripas 4 -> EPROTO", RSI_SUCCESS, GR(3), 4, CCDMA_EPROTO);
    get_case("state_get: ripas X2[63:8] set -> EPROTO", RSI_SUCCESS, GR(3),
             0x101, CCDMA_EPROTO);
    get_case("state_get: error status -> ERSI", RSI_ERROR_INPUT, GR(3), 1,
             CCDMA_ERSI);
    use_one(RSI_SUCCESS, GR(3), 1);
    err = rsi_ipa_state_get(GR(2), GR(2), &out_top, &ripas);
    check(err == CCDMA_EINVAL && ncalls == 0,
          "state_get: empty range refused before the call", "err %d", err);
    use_one(RSI_SUCCESS, GR(3), 1);
    err = rsi_ripas_of(GR(2) + 0x123, &ripas);
    check(err == 0 && ripas == 1 && args_are(0, RSI_IPA_STATE_GET, GR(2), GR(3), 0, 0),
          "ripas_of: asks for the granule holding the address", "err %d", err);
}

/* ---- boot claim ------------------------------------------------------------------- */

static void test_boot_claim(void)
{
    uint64_t stop = 0;
    int err;

    {
        const uint64_t a[2][3] = {{RSI_SUCCESS, GR(3), RSI_REJECT},
                                  {RSI_SUCCESS, GR(4), RSI_RIPAS_DESTROYED}};
        use_script(2, a);
        err = rsi_boot_claim_ram(GR(0), GR(8), &stop);
        check(err == CCDMA_ESTATE && stop == GR(3) &&
                  args_are(0, RSI_IPA_STATE_SET, GR(0), GR(8), RSI_RIPAS_RAM,
                           RSI_NO_CHANGE_DESTROYED) &&
                  args_are(1, RSI_IPA_STATE_GET, GR(3), GR(4), 0, 0),
              "boot_claim: RAM, NO_CHANGE_DESTROYED; DESTROYED stop -> ESTATE",
              "err %d stop 0x%llx", err, (unsigned long long)stop);
    }
    {
        const uint64_t a[2][3] = {{RSI_SUCCESS, GR(3), RSI_REJECT},
                                  {RSI_SUCCESS, GR(4), RSI_RIPAS_EMPTY}};
        use_script(2, a);
        err = rsi_boot_claim_ram(GR(0), GR(8), &stop);
        check(err == CCDMA_EREJECT && stop == GR(3),
              "boot_claim: REJECT on a non-DESTROYED granule -> EREJECT",
              "err %d", err);
    }
    /* A host that answers ACCEPT without progress at the DESTROYED granule
     * still ends in the refusal, not a hang. */
    by_fid_set[0] = RSI_SUCCESS;
    by_fid_set[1] = GR(3);
    by_fid_set[2] = RSI_ACCEPT;
    by_fid_get[0] = RSI_SUCCESS;
    by_fid_get[1] = GR(4);
    by_fid_get[2] = RSI_RIPAS_DESTROYED;
    ncalls = 0;
    responder = answer_by_fid;
    err = rsi_boot_claim_ram(GR(0), GR(8), &stop);
    /* One answer with progress, the bound of stalls, then one GET. */
    check(err == CCDMA_ESTATE && stop == GR(3) &&
              ncalls == 1 + RSI_STATE_SET_MAX_STALLS + 1,
          "boot_claim: stalled at a DESTROYED granule -> ESTATE, bounded",
          "err %d calls %u", err, ncalls);
    by_fid_get[2] = RSI_RIPAS_EMPTY;
    ncalls = 0;
    err = rsi_boot_claim_ram(GR(0), GR(8), &stop);
    check(err == CCDMA_ETIMEDOUT && stop == GR(3),
          "boot_claim: stalled elsewhere -> ETIMEDOUT", "err %d", err);
    use_one(RSI_SUCCESS, GR(8), RSI_ACCEPT);
    err = rsi_boot_claim_ram(GR(0), GR(8), &stop);
    check(err == 0 && stop == GR(8), "boot_claim: success", "err %d", err);
}

int main(void)
{
    test_detect();
    test_features_config();
    test_state_set();
    test_state_get();
    test_boot_claim();
    check(strcmp(rsi_status_name(RSI_ERROR_INPUT), "RSI_ERROR_INPUT") == 0 &&
              strcmp(rsi_status_name((uint64_t)SMCCC_NOT_SUPPORTED),
                     "SMCCC_NOT_SUPPORTED") == 0 &&
              strcmp(rsi_status_name(77), "?") == 0,
          "status names", "wrong name");
    return check_summary();
}
