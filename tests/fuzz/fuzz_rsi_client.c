/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the RSI client (arch/arm64/rsi.c) against a hostile RMM.
 *
 * The input is a sequence of client operations, each followed by the
 * answers the conduit gives to the calls it makes (honest progress,
 * REJECT, error statuses, near-miss and raw register values, REALM_CONFIG
 * buffer contents). Once the input runs dry the conduit stalls forever
 * (IPA_STATE_SET "success, no progress"), so a client that does not bound
 * its loop is caught. Checked, against the ABI rather than the client's
 * code:
 *  - requests: well-formed, SBZ registers zero, IPA_STATE_SET resumes
 *    exactly where the host said and never leaves [base, top);
 *  - no call after an answer that ends the operation (error, malformed,
 *    REJECT, done);
 *  - each return code is explained by the last answer; success only when
 *    every answer was valid and the last one reached top;
 *  - *reached lies in [base, top] on a granule and is the host's last
 *    valid progress; outputs are untouched on failure;
 *  - termination: at most RSI_STATE_SET_MAX_STALLS calls without progress.
 */
#include <ccdma/errors.h>

#include "fuzz_util.h"
#include "rsi.h"
#include "smccc.h"

#define G ((uint64_t)RSI_GRANULE_SIZE)
#define MAX_OPS 16
#define SENTINEL 0x5e5e5e5e5e5e5e5eull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fz in;

/* ---- what the current operation expects of the client ------------------------------ */

enum op { OP_DETECT, OP_FEATURES, OP_CONFIG, OP_SET, OP_SHARE, OP_UNSHARE, OP_GET,
          OP_RIPAS_OF, OP_CLAIM, OP_COUNT };

static struct {
    enum op op;
    uint64_t base, top, ripas, flags, index, ipa;
    unsigned int calls;
    bool ended;            /* the last answer ends the operation */
    bool set_ended;        /* ... or its IPA_STATE_SET loop */
    /* IPA_STATE_SET bookkeeping, from the answers alone */
    uint64_t cur;          /* where the host last validly said it got to */
    unsigned int stalls;   /* consecutive valid no-progress answers */
    unsigned int set_calls;
    uint64_t last[3];      /* last IPA_STATE_SET answer */
    bool last_ok, all_ok;
    /* IPA_STATE_GET */
    unsigned int get_calls;
    uint64_t get_req[2], get_ans[3];
    /* RSI_VERSION, RSI_FEATURES, RSI_REALM_CONFIG */
    uint64_t ans[3];
} st;

static uint8_t cfg[RSI_REALM_CONFIG_SIZE] __attribute__((aligned(RSI_GRANULE_SIZE)));

static bool aligned(uint64_t a) { return (a & (G - 1)) == 0; }

/* The IPA_STATE_SET answer rules (RSI 1.0 B5.3.9), stated independently:
 * progress is believable when new_base stays in [cur, top] on a granule
 * with a known response... */
static bool set_progress_ok(const uint64_t a[3], uint64_t cur, uint64_t top)
{
    return a[0] == RSI_SUCCESS && a[1] >= cur && a[1] <= top && aligned(a[1]) &&
           (a[2] == RSI_ACCEPT || a[2] == RSI_REJECT);
}

/* ...and the answer is valid unless it REJECTs a finished request. The
 * client reports the progress of such an answer (*reached = top) but
 * fails it with EPROTO, as rsi.h and test_rsi_client.c specify. */
static bool set_answer_ok(const uint64_t a[3], uint64_t cur, uint64_t top)
{
    return set_progress_ok(a, cur, top) && !(a[2] == RSI_REJECT && a[1] == top);
}

/* ---- answers --------------------------------------------------------------------- */

static uint64_t pick_status(void)
{
    static const uint64_t v[] = {RSI_SUCCESS, RSI_ERROR_INPUT, RSI_ERROR_STATE,
                                 RSI_INCOMPLETE, RSI_ERROR_UNKNOWN,
                                 (uint64_t)SMCCC_NOT_SUPPORTED, 5, 1ull << 32};
    uint8_t b = fz_u8(&in);
    return b < 0xf0 ? v[b % (sizeof(v) / sizeof(v[0]))] : fz_u64(&in);
}

/* An address near the ones in play: the boundaries a client must check. */
static uint64_t pick_addr(uint64_t cur, uint64_t top)
{
    switch (fz_u8(&in) % 12) {
    case 0: return cur - G;
    case 1: return cur;
    case 2: return cur + G;
    case 3: return cur + 1;
    case 4: return top;
    case 5: return top + G;
    case 6: return top - 1;
    case 7: return cur + G / 2;
    case 8: return 0;
    case 9: return ~0ull;
    case 10: return ~(G - 1);
    default: return fz_u64(&in);
    }
}

static uint64_t pick_small(void)
{
    uint8_t b = fz_u8(&in);
    if (b < 0xe0)
        return b % 5; /* 0..4: RIPAS / response values and one past */
    return b < 0xf0 ? 1ull << (b & 63) : fz_u64(&in);
}

static uint64_t advance(uint64_t cur, uint64_t top, unsigned int n)
{
    return (uint64_t)n * G >= top - cur ? top : cur + (uint64_t)n * G;
}

static void answer_set(struct smccc_regs *r, uint64_t a[3])
{
    uint64_t cur = r->x[1], top = r->x[2];

    if (fz_empty(&in)) { /* stall forever */
        a[0] = RSI_SUCCESS, a[1] = cur, a[2] = RSI_ACCEPT;
        return;
    }
    switch (fz_u8(&in) % 6) {
    case 0: /* honest progress (0 granules = a stall) */
        a[0] = RSI_SUCCESS, a[1] = advance(cur, top, fz_u8(&in) % 8), a[2] = RSI_ACCEPT;
        break;
    case 1: /* the host refuses after some progress */
        a[0] = RSI_SUCCESS, a[1] = advance(cur, top, fz_u8(&in) % 4), a[2] = RSI_REJECT;
        break;
    case 2: /* everything done */
        a[0] = RSI_SUCCESS, a[1] = top, a[2] = RSI_ACCEPT;
        break;
    case 3: /* an error status */
        a[0] = pick_status(), a[1] = pick_addr(cur, top), a[2] = pick_small();
        break;
    case 4: /* near misses */
        a[0] = RSI_SUCCESS, a[1] = pick_addr(cur, top), a[2] = pick_small();
        break;
    default:
        a[0] = fz_u64(&in), a[1] = fz_u64(&in), a[2] = fz_u64(&in);
        break;
    }
}

static void answer_get(struct smccc_regs *r, uint64_t a[3])
{
    uint64_t base = r->x[1], top = r->x[2];

    switch (fz_u8(&in) % 4) {
    case 0: /* honest */
        a[0] = RSI_SUCCESS, a[1] = advance(base, top, 1 + fz_u8(&in) % 4);
        a[2] = fz_u8(&in) % 4;
        break;
    case 1:
        a[0] = pick_status(), a[1] = pick_addr(base, top), a[2] = pick_small();
        break;
    case 2:
        a[0] = RSI_SUCCESS, a[1] = pick_addr(base, top), a[2] = pick_small();
        break;
    default:
        a[0] = fz_u64(&in), a[1] = fz_u64(&in), a[2] = fz_u64(&in);
        break;
    }
}

static void answer_version(uint64_t a[3])
{
    static const uint64_t ver[] = {RSI_ABI_VERSION_1_0, RSI_VERSION_MAKE(1, 1),
                                   RSI_VERSION_MAKE(2, 0), RSI_VERSION_MAKE(0, 9), 0,
                                   RSI_ABI_VERSION_1_0 | (1ull << 31),
                                   RSI_ABI_VERSION_1_0 | (1ull << 63)};
    a[0] = pick_status();
    for (int i = 1; i <= 2; i++) {
        uint8_t b = fz_u8(&in);
        a[i] = b < 0xf0 ? ver[b % (sizeof(ver) / sizeof(ver[0]))] : fz_u64(&in);
    }
}

static void answer_config(uint64_t a[3])
{
    static const uint64_t widths[] = {0, 1, 31, 32, 33, 40, 48, 51, 52, 53, 64, 65,
                                      1ull << 32 | 48, ~0ull};
    uint8_t b = fz_u8(&in);
    uint64_t w = b < 0xf0 ? widths[b % (sizeof(widths) / sizeof(widths[0]))]
                          : fz_u64(&in);

    /* The RMM writes the whole granule; what is not from the input is junk. */
    memset(cfg, 0xa7, sizeof(cfg));
    memcpy(cfg + RSI_REALM_CONFIG_IPA_WIDTH, &w, sizeof(w));
    cfg[RSI_REALM_CONFIG_HASH_ALGO] = fz_u8(&in);
    fz_bytes(&in, cfg + RSI_REALM_CONFIG_RPV, RSI_REALM_CONFIG_RPV_SIZE);
    a[0] = pick_status();
    a[1] = a[2] = 0;
}

/* ---- the conduit ------------------------------------------------------------------ */

void ccdma_smccc_call(struct smccc_regs *r)
{
    uint64_t a[3] = {0, 0, 0};
    uint32_t fid = (uint32_t)r->x[0];

    st.calls++;
    FUZZ_CHECK(!st.ended, "op %d: call 0x%x after an answer that ended it", st.op, fid);
    FUZZ_CHECK(r->x[0] >> 32 == 0, "FID upper bits 0x%llx", (unsigned long long)r->x[0]);
    for (int i = 5; i < SMCCC_NUM_REGS; i++)
        FUZZ_CHECK(r->x[i] == 0, "x%d = 0x%llx is SBZ", i, (unsigned long long)r->x[i]);

    switch (fid) {
    case RSI_VERSION:
        FUZZ_CHECK(st.op == OP_DETECT && r->x[1] == RSI_ABI_VERSION_1_0 && !r->x[2],
                   "RSI_VERSION request");
        answer_version(a);
        st.ended = true;
        break;
    case RSI_FEATURES:
        FUZZ_CHECK(st.op == OP_FEATURES && r->x[1] == st.index && !r->x[2],
                   "RSI_FEATURES request");
        a[0] = pick_status(), a[1] = fz_u64(&in);
        st.ended = true;
        break;
    case RSI_REALM_CONFIG:
        FUZZ_CHECK(st.op == OP_CONFIG && r->x[1] == st.ipa && !r->x[2],
                   "RSI_REALM_CONFIG request");
        answer_config(a);
        st.ended = true;
        break;
    case RSI_IPA_STATE_SET:
        FUZZ_CHECK(st.op == OP_SET || st.op == OP_SHARE || st.op == OP_UNSHARE ||
                   st.op == OP_CLAIM, "op %d: unexpected IPA_STATE_SET", st.op);
        /* Resume exactly where the host said; never outside [base, top). */
        FUZZ_CHECK(r->x[1] == st.cur && r->x[1] >= st.base && r->x[1] < st.top &&
                   r->x[2] == st.top && r->x[3] == st.ripas && r->x[4] == st.flags,
                   "IPA_STATE_SET(0x%llx, 0x%llx, %llu, %llu) for [0x%llx, 0x%llx) at 0x%llx",
                   (unsigned long long)r->x[1], (unsigned long long)r->x[2],
                   (unsigned long long)r->x[3], (unsigned long long)r->x[4],
                   (unsigned long long)st.base, (unsigned long long)st.top,
                   (unsigned long long)st.cur);
        FUZZ_CHECK(!st.set_ended, "IPA_STATE_SET after an answer that ended the loop");
        answer_set(r, a);
        st.set_calls++;
        memcpy(st.last, a, sizeof(a));
        st.last_ok = set_answer_ok(a, st.cur, st.top);
        st.all_ok &= st.last_ok;
        if (set_progress_ok(a, st.cur, st.top)) {
            st.stalls = a[1] == st.cur ? st.stalls + 1 : 0;
            st.cur = a[1];
        }
        st.set_ended = !st.last_ok || a[2] == RSI_REJECT || a[1] == st.top ||
                       st.stalls == RSI_STATE_SET_MAX_STALLS;
        /* A claim may still ask IPA_STATE_GET where the change stopped. */
        st.ended = st.set_ended && st.op != OP_CLAIM;
        break;
    case RSI_IPA_STATE_GET:
        FUZZ_CHECK(st.get_calls == 0, "a second IPA_STATE_GET");
        if (st.op == OP_CLAIM)
            FUZZ_CHECK(st.set_ended && r->x[1] == st.cur && st.cur < st.top &&
                       r->x[2] == st.cur + G,
                       "claim's IPA_STATE_GET(0x%llx, 0x%llx), stopped at 0x%llx",
                       (unsigned long long)r->x[1], (unsigned long long)r->x[2],
                       (unsigned long long)st.cur);
        else
            FUZZ_CHECK((st.op == OP_GET || st.op == OP_RIPAS_OF) &&
                       r->x[1] == st.base && r->x[2] == st.top,
                       "IPA_STATE_GET request");
        st.get_calls++;
        st.get_req[0] = r->x[1];
        st.get_req[1] = r->x[2];
        answer_get(r, a);
        memcpy(st.get_ans, a, sizeof(a));
        st.ended = true;
        break;
    default:
        FUZZ_CHECK(false, "unexpected FID 0x%x", fid);
    }
    memcpy(st.ans, a, sizeof(a));
    for (int i = 0; i < SMCCC_NUM_REGS; i++) /* results beyond X2 are junk */
        r->x[i] = i < 3 ? a[i] : 0xbad0000000000000ull | (uint64_t)i;
}

/* ---- operations and their checks ----------------------------------------------- */

static void begin(enum op op)
{
    memset(&st, 0, sizeof(st));
    st.op = op;
    st.all_ok = true;
}

static uint64_t pick_ipa(void)
{
    uint8_t b = fz_u8(&in);
    if (b < 0xc0)
        return 0x40000000ull + (uint64_t)b * G;
    if (b < 0xe0)
        return (uint64_t)1 << (b & 63);
    return fz_u64(&in);
}

static void pick_range(void)
{
    uint8_t b = fz_u8(&in);
    if (b < 0xc0) { /* a plausible range */
        st.base = 0x40000000ull + (uint64_t)fz_u8(&in) * G;
        st.top = st.base + (1 + b % 64) * G;
    } else if (b < 0xe0) { /* at the end of the address space */
        st.top = ~(G - 1) - (uint64_t)(b & 3) * G;
        st.base = st.top - (1 + fz_u8(&in) % 4) * G;
    } else {
        st.base = fz_u64(&in);
        st.top = fz_u64(&in);
    }
}

static bool range_args_ok(void)
{
    return aligned(st.base) && aligned(st.top) && st.base < st.top;
}

/* The set phase's result must be explained by the last answer alone. */
static void check_set_result(int rc, uint64_t reached, const char *what)
{
    bool args_ok = range_args_ok() &&
                   (st.ripas == RSI_RIPAS_EMPTY || st.ripas == RSI_RIPAS_RAM) &&
                   (st.flags == RSI_NO_CHANGE_DESTROYED || st.flags == RSI_CHANGE_DESTROYED);

    if (!args_ok) {
        FUZZ_CHECK(rc == CCDMA_EINVAL && st.calls == 0 && reached == st.base,
                   "%s: bad arguments gave rc %d after %u calls", what, rc, st.calls);
        return;
    }
    FUZZ_CHECK(st.set_calls > 0, "%s: no call made", what);
    FUZZ_CHECK(reached >= st.base && reached <= st.top && aligned(reached) &&
               reached == st.cur,
               "%s: reached 0x%llx, host's last valid progress 0x%llx in [0x%llx, 0x%llx]",
               what, (unsigned long long)reached, (unsigned long long)st.cur,
               (unsigned long long)st.base, (unsigned long long)st.top);
    const uint64_t *a = st.last;
    switch (rc) {
    case 0:
        FUZZ_CHECK(st.all_ok && a[2] == RSI_ACCEPT && a[1] == st.top && reached == st.top,
                   "%s: success on a bad answer", what);
        break;
    case CCDMA_ERSI:
        FUZZ_CHECK(a[0] != RSI_SUCCESS, "%s: ERSI on status %llu", what,
                   (unsigned long long)a[0]);
        break;
    case CCDMA_EPROTO:
        FUZZ_CHECK(a[0] == RSI_SUCCESS && !st.last_ok, "%s: EPROTO on a valid answer",
                   what);
        break;
    case CCDMA_EREJECT:
        FUZZ_CHECK(st.last_ok && a[2] == RSI_REJECT, "%s: EREJECT without REJECT", what);
        break;
    case CCDMA_ETIMEDOUT:
        FUZZ_CHECK(st.last_ok && a[2] == RSI_ACCEPT &&
                   st.stalls == RSI_STATE_SET_MAX_STALLS,
                   "%s: ETIMEDOUT after %u stalls", what, st.stalls);
        break;
    default:
        FUZZ_CHECK(false, "%s: rc %d", what, rc);
    }
}

static void pick_set_args(void)
{
    pick_range();
    st.cur = st.base;
    uint8_t b = fz_u8(&in);
    st.ripas = b < 0xf0 ? (b & 1 ? RSI_RIPAS_RAM : RSI_RIPAS_EMPTY) : b & 0xf;
    b = fz_u8(&in);
    st.flags = b < 0xf0 ? (b & 1) : (uint64_t)b << 24;
}

static void run_set(enum op op)
{
    uint64_t reached = SENTINEL;
    int rc;

    begin(op);
    pick_set_args();
    if (op == OP_SHARE) {
        st.ripas = RSI_RIPAS_EMPTY, st.flags = RSI_CHANGE_DESTROYED;
        rc = rsi_mem_share(st.base, st.top, &reached);
    } else if (op == OP_UNSHARE) {
        st.ripas = RSI_RIPAS_RAM, st.flags = RSI_CHANGE_DESTROYED;
        rc = rsi_mem_unshare(st.base, st.top, &reached);
    } else {
        rc = rsi_ipa_state_set(st.base, st.top, (unsigned int)st.ripas, st.flags,
                               &reached);
    }
    check_set_result(rc, reached, "ipa_state_set");
}

static bool get_answer_ok(const uint64_t a[3], uint64_t base, uint64_t top)
{
    return a[0] == RSI_SUCCESS && a[1] > base && a[1] <= top && aligned(a[1]) &&
           a[2] <= RSI_RIPAS_DEV;
}

static void run_get(bool one)
{
    uint64_t out_top = SENTINEL;
    unsigned int ripas = 0x5e5e5e5e;
    int rc;

    begin(one ? OP_RIPAS_OF : OP_GET);
    if (one) {
        uint64_t ipa = pick_ipa() + (fz_u8(&in) & 0x7f) * 0x21;
        st.base = ipa & ~(G - 1);
        st.top = st.base + G;
        rc = rsi_ripas_of(ipa, &ripas);
        if (st.base > UINT64_MAX - G) {
            FUZZ_CHECK(rc == CCDMA_EINVAL && st.calls == 0, "ripas_of at the top: %d", rc);
            return;
        }
    } else {
        pick_range();
        rc = rsi_ipa_state_get(st.base, st.top, &out_top, &ripas);
        if (!range_args_ok()) {
            FUZZ_CHECK(rc == CCDMA_EINVAL && st.calls == 0 && out_top == SENTINEL,
                       "ipa_state_get: bad arguments gave %d", rc);
            return;
        }
    }
    const uint64_t *a = st.get_ans;
    FUZZ_CHECK(st.get_calls == 1, "ipa_state_get: %u calls", st.get_calls);
    if (rc == 0) {
        FUZZ_CHECK(get_answer_ok(a, st.base, st.top) && ripas == a[2] &&
                   (one || out_top == a[1]),
                   "ipa_state_get: success on answer %llu 0x%llx %llu",
                   (unsigned long long)a[0], (unsigned long long)a[1],
                   (unsigned long long)a[2]);
        return;
    }
    FUZZ_CHECK(ripas == 0x5e5e5e5e && out_top == SENTINEL, "outputs written on failure");
    FUZZ_CHECK(rc == (a[0] != RSI_SUCCESS ? CCDMA_ERSI : CCDMA_EPROTO) &&
               !get_answer_ok(a, st.base, st.top), "ipa_state_get: rc %d", rc);
}

static void run_claim(void)
{
    uint64_t stop = SENTINEL;

    begin(OP_CLAIM);
    pick_range();
    st.cur = st.base;
    st.ripas = RSI_RIPAS_RAM;
    st.flags = RSI_NO_CHANGE_DESTROYED;
    int rc = rsi_boot_claim_ram(st.base, st.top, &stop);
    if (!range_args_ok()) {
        check_set_result(rc, stop, "boot_claim_ram");
        return;
    }
    /* A stop that is not malformed (an error status, a REJECT, a stalling
     * host) short of top must be explained: DESTROYED there means ESTATE. */
    const uint64_t *a = st.last;
    bool soft_stop = a[0] != RSI_SUCCESS || (st.last_ok && a[2] == RSI_REJECT) ||
                     (st.last_ok && st.stalls == RSI_STATE_SET_MAX_STALLS);
    bool want_get = soft_stop && st.cur < st.top;
    bool destroyed = want_get && st.get_calls == 1 &&
                     get_answer_ok(st.get_ans, st.get_req[0], st.get_req[1]) &&
                     st.get_ans[2] == RSI_RIPAS_DESTROYED;
    FUZZ_CHECK(st.get_calls == (want_get ? 1u : 0u), "claim: %u IPA_STATE_GET calls",
               st.get_calls);
    FUZZ_CHECK((rc == CCDMA_ESTATE) == destroyed,
               "claim: rc %d, DESTROYED at 0x%llx: %d", rc, (unsigned long long)stop,
               destroyed);
    if (rc == CCDMA_ESTATE) /* check the set phase for what it gave */
        rc = a[0] != RSI_SUCCESS ? CCDMA_ERSI
           : a[2] == RSI_REJECT ? CCDMA_EREJECT : CCDMA_ETIMEDOUT;
    check_set_result(rc, stop, "boot_claim_ram");
}

static void run_detect(void)
{
    enum rsi_mode mode = (enum rsi_mode)0x5e;
    struct rsi_version_answer ans;

    begin(OP_DETECT);
    int rc = rsi_detect(&mode, &ans);
    const uint64_t *a = st.ans;
    FUZZ_CHECK(st.calls == 1 && ans.status == a[0] && ans.lower == a[1] &&
               ans.higher == a[2] && rsi_status_name(a[0]) != NULL,
               "detect: raw answer not reported");
    bool realm_ok = a[0] == RSI_SUCCESS && a[1] == RSI_ABI_VERSION_1_0 && a[2] >= a[1] &&
                    (a[2] >> 31) == 0;
    if (rc == 0 && mode == RSI_MODE_REALM)
        FUZZ_CHECK(realm_ok, "detect: realm on a bad answer");
    else if (rc == 0)
        FUZZ_CHECK(mode == RSI_MODE_PLAIN && a[0] == (uint64_t)SMCCC_NOT_SUPPORTED,
                   "detect: plain on status %llu", (unsigned long long)a[0]);
    else
        FUZZ_CHECK(mode == RSI_MODE_PLAIN && !realm_ok &&
                   rc == (a[0] == RSI_ERROR_INPUT ? CCDMA_ENOTSUP : CCDMA_EPROTO),
                   "detect: rc %d on status %llu", rc, (unsigned long long)a[0]);
}

static void run_features(void)
{
    uint64_t value = SENTINEL;

    begin(OP_FEATURES);
    st.index = fz_u8(&in) % 3;
    int rc = rsi_features(st.index, &value);
    if (rc == 0)
        FUZZ_CHECK(st.ans[0] == RSI_SUCCESS && value == st.ans[1], "features");
    else
        FUZZ_CHECK(rc == CCDMA_ERSI && st.ans[0] != RSI_SUCCESS && value == SENTINEL,
                   "features: rc %d", rc);
}

static void run_config(void)
{
    struct rsi_realm_info info, before;

    begin(OP_CONFIG);
    st.ipa = pick_ipa();
    memset(&info, 0x5e, sizeof(info));
    before = info;
    int rc = rsi_realm_config(st.ipa, cfg, &info);
    if (!aligned(st.ipa)) {
        FUZZ_CHECK(rc == CCDMA_EINVAL && st.calls == 0, "config: unaligned ipa gave %d", rc);
        return;
    }
    uint64_t w;
    memcpy(&w, cfg + RSI_REALM_CONFIG_IPA_WIDTH, sizeof(w));
    if (rc != 0) {
        FUZZ_CHECK(memcmp(&info, &before, sizeof(info)) == 0, "config: output on failure");
        FUZZ_CHECK(rc == (st.ans[0] != RSI_SUCCESS ? CCDMA_ERSI : CCDMA_EPROTO),
                   "config: rc %d", rc);
        FUZZ_CHECK(rc == CCDMA_ERSI || w < RSI_IPA_WIDTH_MIN || w > RSI_IPA_WIDTH_MAX ||
                   st.ipa >= 1ull << (w - 1), "config: EPROTO on a valid answer");
        return;
    }
    FUZZ_CHECK(st.ans[0] == RSI_SUCCESS && w >= RSI_IPA_WIDTH_MIN &&
               w <= RSI_IPA_WIDTH_MAX && info.ipa_width == w &&
               info.shared_bit == 1ull << (w - 1) && st.ipa < info.shared_bit,
               "config: accepted width %llu for ipa 0x%llx", (unsigned long long)w,
               (unsigned long long)st.ipa);
    FUZZ_CHECK(info.hash_algo == cfg[RSI_REALM_CONFIG_HASH_ALGO] &&
               memcmp(info.rpv, cfg + RSI_REALM_CONFIG_RPV, sizeof(info.rpv)) == 0,
               "config: hash/rpv not as given");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = (struct fz){data, size};
    for (int i = 0; i < MAX_OPS && !fz_empty(&in); i++) {
        switch ((enum op)(fz_u8(&in) % OP_COUNT)) {
        case OP_DETECT: run_detect(); break;
        case OP_FEATURES: run_features(); break;
        case OP_CONFIG: run_config(); break;
        case OP_SET: run_set(OP_SET); break;
        case OP_SHARE: run_set(OP_SHARE); break;
        case OP_UNSHARE: run_set(OP_UNSHARE); break;
        case OP_GET: run_get(false); break;
        case OP_RIPAS_OF: run_get(true); break;
        case OP_CLAIM: run_claim(); break;
        case OP_COUNT: break;
        }
    }
    return 0;
}
