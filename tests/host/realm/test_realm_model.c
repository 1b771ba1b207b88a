/* SPDX-License-Identifier: MIT */
/*
 * The RMM/host model at the ABI: raw register blocks in, registers, RIPAS,
 * memory bytes and stage-2 callbacks out. The last group runs the real RSI
 * client against this model (this file provides the conduit).
 */
#include <ccdma/errors.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "realm_model.h"
#include "rsi.h"
#include "smccc.h"

#define G ((uint64_t)RSI_GRANULE_SIZE)
#define RAM_BASE 0x40000000ull
#define NGRAN 64
#define RAM_SIZE (NGRAN * G)
#define RAM_TOP (RAM_BASE + RAM_SIZE)
#define IPA_WIDTH 32
#define PAR_TOP 0x80000000ull
#define GR(i) (RAM_BASE + (uint64_t)(i) * G)
#define FILL 0x11 /* what the "realm" wrote before each test */

static uint8_t *ram;
static uint8_t table[NGRAN];
static struct realm_model model;
static bool bad_access;

struct event {
    uint64_t base, top;
    unsigned int ripas;
};
static struct event events[256];
static unsigned int nevents;

static uint8_t *host_ptr(uint64_t ipa, size_t len)
{
    if (ipa < RAM_BASE || ipa + len > RAM_TOP || len > RAM_SIZE) {
        bad_access = true;
        return NULL;
    }
    return ram + (ipa - RAM_BASE);
}

static void t_write(void *ctx, uint64_t ipa, const void *src, size_t len)
{
    uint8_t *p = host_ptr(ipa, len);

    (void)ctx;
    if (p != NULL)
        memcpy(p, src, len);
}

static void t_fill(void *ctx, uint64_t ipa, uint8_t byte, size_t len)
{
    uint8_t *p = host_ptr(ipa, len);

    (void)ctx;
    if (p != NULL)
        memset(p, byte, len);
}

static void t_change(void *ctx, uint64_t base, uint64_t top, unsigned int ripas)
{
    (void)ctx;
    if (nevents < sizeof(events) / sizeof(events[0]))
        events[nevents] = (struct event){base, top, ripas};
    nevents++;
}

static const struct realm_model_ops ops = {
    .ctx = NULL, .mem_write = t_write, .mem_fill = t_fill,
    .on_ripas_change = t_change,
};

/* The RSI client's conduit, for the client-over-model group. */
void ccdma_smccc_call(struct smccc_regs *r)
{
    realm_model_smc(&model, r);
}

static struct smccc_regs smc(uint64_t fid, uint64_t a1, uint64_t a2,
                             uint64_t a3, uint64_t a4)
{
    struct smccc_regs r;

    memset(&r, 0, sizeof(r));
    r.x[0] = fid;
    r.x[1] = a1;
    r.x[2] = a2;
    r.x[3] = a3;
    r.x[4] = a4;
    realm_model_smc(&model, &r);
    return r;
}

static void setup_versions(const uint32_t *versions, unsigned int n)
{
    struct realm_model_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_base = RAM_BASE;
    cfg.ram_size = RAM_SIZE;
    cfg.ipa_width = IPA_WIDTH;
    cfg.hash_algo = RSI_HASH_SHA_512;
    for (unsigned int i = 0; i < sizeof(cfg.rpv); i++)
        cfg.rpv[i] = (uint8_t)(0x80 + i);
    for (unsigned int i = 0; i < n; i++)
        cfg.versions[i] = versions[i];
    cfg.nversions = n;
    if (realm_model_init(&model, &cfg, &ops, table, sizeof(table)) != 0) {
        printf("Bail out! realm_model_init failed\n");
        exit(2);
    }
    memset(ram, FILL, RAM_SIZE);
    nevents = 0;
}

static void setup(void)
{
    setup_versions(NULL, 0);
}

static bool bytes_are(uint64_t ipa, uint64_t len, uint8_t b)
{
    for (uint64_t i = 0; i < len; i++)
        if (ram[ipa - RAM_BASE + i] != b)
            return false;
    return true;
}

static bool ripas_range_is(uint64_t base, uint64_t top, unsigned int ripas)
{
    for (uint64_t a = base; a < top; a += G)
        if (realm_model_ripas(&model, a) != ripas)
            return false;
    return true;
}

static uint64_t count_of(unsigned int cmd)
{
    struct realm_model_counters c;

    realm_model_get_counters(&model, &c);
    return c.rsi_calls[cmd];
}

static struct realm_model_counters counters(void)
{
    struct realm_model_counters c;

    realm_model_get_counters(&model, &c);
    return c;
}

/* ---- init ------------------------------------------------------------------------ */

static void test_init(void)
{
    struct realm_model m;
    struct realm_model_config cfg;
    struct realm_model_ops no_fill = ops;
    static const struct {
        const char *name;
        uint64_t base, size;
        unsigned int width;
        size_t table_len;
    } bad[] = {
        {"init: ipa_width 31 refused", RAM_BASE, RAM_SIZE, 31, NGRAN},
        {"init: ipa_width 53 refused", RAM_BASE, RAM_SIZE, 53, NGRAN},
        {"init: unaligned ram_base refused", RAM_BASE + 8, RAM_SIZE, 32, NGRAN},
        {"init: unaligned ram_size refused", RAM_BASE, RAM_SIZE - 8, 32, NGRAN},
        {"init: zero ram_size refused", RAM_BASE, 0, 32, NGRAN},
        {"init: RAM past the PAR refused", PAR_TOP - G, 2 * G, 32, NGRAN},
        {"init: RAM base at the PAR refused", PAR_TOP, G, 32, NGRAN},
        {"init: short table refused", RAM_BASE, RAM_SIZE, 32, NGRAN - 1},
    };

    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&cfg, 0, sizeof(cfg));
        cfg.ram_base = bad[i].base;
        cfg.ram_size = bad[i].size;
        cfg.ipa_width = bad[i].width;
        CHECK_EQ(realm_model_init(&m, &cfg, &ops, table, bad[i].table_len),
                 CCDMA_EINVAL, bad[i].name);
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_base = RAM_BASE;
    cfg.ram_size = RAM_SIZE;
    cfg.ipa_width = IPA_WIDTH;
    cfg.versions[0] = 0x80000000u; /* bit 31 is reserved */
    cfg.nversions = 1;
    CHECK_EQ(realm_model_init(&m, &cfg, &ops, table, NGRAN), CCDMA_EINVAL,
             "init: version with reserved bits refused");
    cfg.nversions = REALM_MODEL_MAX_VERSIONS + 1;
    CHECK_EQ(realm_model_init(&m, &cfg, &ops, table, NGRAN), CCDMA_EINVAL,
             "init: too many versions refused");
    cfg.nversions = 0;
    no_fill.mem_fill = NULL;
    CHECK_EQ(realm_model_init(&m, &cfg, &no_fill, table, NGRAN), CCDMA_EINVAL,
             "init: missing mem_fill refused");
    cfg.ram_base = PAR_TOP - RAM_SIZE; /* RAM right up to the PAR's end */
    CHECK_EQ(realm_model_init(&m, &cfg, &ops, table, NGRAN), 0,
             "init: RAM ending at the PAR accepted");

    setup();
    check(ripas_range_is(RAM_BASE, RAM_TOP, RSI_RIPAS_RAM),
          "init: all RAM starts RIPAS RAM", "a granule is not RAM");
    CHECK_EQ(realm_model_ripas(&model, RAM_BASE - G), RSI_RIPAS_EMPTY,
             "init: protected IPA below RAM is EMPTY");
    CHECK_EQ(realm_model_ripas(&model, RAM_TOP), RSI_RIPAS_EMPTY,
             "init: protected IPA above RAM is EMPTY");
    CHECK_EQ(realm_model_shared_bit(&model), PAR_TOP,
             "init: shared bit is 1 << (ipa_width - 1)");
    CHECK_EQ(nevents, 0, "init: no stage-2 callback");
    check(realm_model_in_ram(&model, GR(3)) &&
              realm_model_in_ram(&model, GR(3) | PAR_TOP) &&
              !realm_model_in_ram(&model, RAM_TOP) &&
              !realm_model_in_ram(&model, 2 * PAR_TOP + GR(3)),
          "init: in_ram accepts either alias, nothing else", "wrong answer");
    check(!realm_model_is_shared(&model, GR(3)) &&
              !realm_model_is_shared(&model, GR(3) | PAR_TOP),
          "init: no RAM granule is shared", "a granule is shared");
}

/* ---- RSI_VERSION ------------------------------------------------------------------ */

static void version_case(const char *name, const uint32_t *versions,
                         unsigned int n, uint64_t req, uint64_t status,
                         uint64_t lower, uint64_t higher)
{
    struct smccc_regs r;

    setup_versions(versions, n);
    r = smc(RSI_VERSION, req, 0, 0, 0);
    check(r.x[0] == status && r.x[1] == lower && r.x[2] == higher, name,
          "got (%llu, 0x%llx, 0x%llx), want (%llu, 0x%llx, 0x%llx)",
          (unsigned long long)r.x[0], (unsigned long long)r.x[1],
          (unsigned long long)r.x[2], (unsigned long long)status,
          (unsigned long long)lower, (unsigned long long)higher);
}

static void test_version(void)
{
    const uint32_t v10 = RSI_VERSION_MAKE(1, 0), v11 = RSI_VERSION_MAKE(1, 1);
    const uint32_t v20 = RSI_VERSION_MAKE(2, 0), v30 = RSI_VERSION_MAKE(3, 0);
    const uint32_t both[] = {v10, v11}, only10[] = {v10}, only20[] = {v20};
    const uint32_t only11[] = {v11}, gap[] = {v30, v10};

    version_case("version: default model, ask 1.0 -> success 1.0/1.0", NULL, 0,
                 v10, RSI_SUCCESS, v10, v10);
    version_case("version: spec example {1.0,1.1} ask 1.0 -> success 1.0/1.1",
                 both, 2, v10, RSI_SUCCESS, v10, v11);
    version_case("version: spec example {1.0} ask 1.1 -> case (b) 1.0/1.0",
                 only10, 1, v11, RSI_ERROR_INPUT, v10, v10);
    version_case("version: spec example {2.0} ask 1.0 -> case (c) 2.0/2.0",
                 only20, 1, v10, RSI_ERROR_INPUT, v20, v20);
    version_case("version: {1.0,3.0} ask 2.0 -> case (b) lower 1.0 higher 3.0",
                 gap, 2, v20, RSI_ERROR_INPUT, v10, v30);
    version_case("version: {1.1} ask 1.0 -> compatible, success 1.0/1.1",
                 only11, 1, v10, RSI_SUCCESS, v10, v11);
    version_case("version: {1.0,1.1} ask 1.1 -> success 1.1/1.1", both, 2, v11,
                 RSI_SUCCESS, v11, v11);
    version_case("version: reserved bit 31 in request -> no compatible revision",
                 only10, 1, (1ull << 31) | v10, RSI_ERROR_INPUT, v10, v10);
    version_case("version: {1.0,1.1} ask 0.5 -> case (c) 1.1/1.1", both, 2,
                 RSI_VERSION_MAKE(0, 5), RSI_ERROR_INPUT, v11, v11);
    setup();
}

/* ---- dispatch, FEATURES, unknown FIDs ------------------------------------------------ */

static void test_dispatch(void)
{
    static const uint64_t unknown[] = {
        0xC400019A, /* first FID past RSI 1.0 */
        0xC40001AF, 0x84000000 /* PSCI_VERSION: the monitor's, not the model's */,
        0, 0xC4000190ull - 1, 0x84000190 /* SMC32 numbering */,
    };
    struct realm_model_counters c;
    struct smccc_regs r;
    bool all = true;

    setup();
    for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        r = smc(unknown[i], 1, 2, 3, 4);
        if (r.x[0] != (uint64_t)SMCCC_NOT_SUPPORTED || r.x[1] != 0)
            all = false;
    }
    check(all, "dispatch: unknown FIDs -> SMCCC_NOT_SUPPORTED (-1)",
          "an unknown FID got another answer");
    c = counters();
    CHECK_EQ(c.unknown_calls, sizeof(unknown) / sizeof(unknown[0]),
             "dispatch: unknown FIDs counted");

    r = smc(SMCCC_VERSION_FID, 0, 0, 0, 0);
    CHECK_EQ(r.x[0], SMCCC_VERSION_1_2, "dispatch: SMCCC_VERSION -> 1.2");
    r = smc(RSI_VERSION | SMCCC_SVE_HINT, RSI_ABI_VERSION_1_0, 0, 0, 0);
    CHECK_EQ(r.x[0], RSI_SUCCESS, "dispatch: SVE hint bit ignored");
    r = smc(0xFFFFFFFF00000000ull | RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0, 0);
    CHECK_EQ(r.x[0], RSI_SUCCESS, "dispatch: FID read from W0");

    r = smc(RSI_FEATURES, 0, 0, 0, 0);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == 0, "features: index 0 -> 0",
          "got (%llu, 0x%llx)", (unsigned long long)r.x[0],
          (unsigned long long)r.x[1]);
    r = smc(RSI_FEATURES, 12345, 0, 0, 0);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == 0, "features: any index -> 0",
          "got (%llu, 0x%llx)", (unsigned long long)r.x[0],
          (unsigned long long)r.x[1]);

    /* Registers the command does not define as outputs are MBZ; X17 kept. */
    memset(&r, 0xEE, sizeof(r));
    r.x[0] = RSI_IPA_STATE_GET;
    r.x[1] = GR(0);
    r.x[2] = GR(1);
    realm_model_smc(&model, &r);
    all = r.x[0] == RSI_SUCCESS && r.x[17] == 0xEEEEEEEEEEEEEEEEull;
    for (unsigned int i = 3; i <= 16; i++)
        if (r.x[i] != 0)
            all = false;
    check(all, "dispatch: non-output X3..X16 zeroed, X17 preserved",
          "x3=0x%llx x17=0x%llx", (unsigned long long)r.x[3],
          (unsigned long long)r.x[17]);
}

/* ---- measurement, attestation, host call ------------------------------------------- */

static void test_other_commands(void)
{
    static const struct {
        const char *name;
        uint64_t fid, a1, a2, a3, status;
    } cases[] = {
        {"measurement_read: index 5 -> ERROR_INPUT",
         RSI_MEASUREMENT_READ, 5, 0, 0, RSI_ERROR_INPUT},
        {"measurement_read: valid index -> ERROR_UNKNOWN (no engine)",
         RSI_MEASUREMENT_READ, 0, 0, 0, RSI_ERROR_UNKNOWN},
        {"measurement_extend: index 0 (RIM) -> ERROR_INPUT",
         RSI_MEASUREMENT_EXTEND, 0, 8, 0, RSI_ERROR_INPUT},
        {"measurement_extend: index 5 -> ERROR_INPUT",
         RSI_MEASUREMENT_EXTEND, 5, 8, 0, RSI_ERROR_INPUT},
        {"measurement_extend: size 65 -> ERROR_INPUT",
         RSI_MEASUREMENT_EXTEND, 1, 65, 0, RSI_ERROR_INPUT},
        {"measurement_extend: valid -> ERROR_UNKNOWN (no engine)",
         RSI_MEASUREMENT_EXTEND, 4, 64, 0, RSI_ERROR_UNKNOWN},
        {"token_init: ERROR_UNKNOWN (no engine)",
         RSI_ATTESTATION_TOKEN_INIT, 1, 2, 3, RSI_ERROR_UNKNOWN},
        {"token_continue: unaligned addr -> ERROR_INPUT",
         RSI_ATTESTATION_TOKEN_CONTINUE, GR(0) + 8, 0, 8, RSI_ERROR_INPUT},
        {"token_continue: unprotected addr -> ERROR_INPUT",
         RSI_ATTESTATION_TOKEN_CONTINUE, PAR_TOP, 0, 8, RSI_ERROR_INPUT},
        {"token_continue: offset 4096 -> ERROR_INPUT",
         RSI_ATTESTATION_TOKEN_CONTINUE, GR(0), G, 0, RSI_ERROR_INPUT},
        {"token_continue: offset+size overflow -> ERROR_INPUT",
         RSI_ATTESTATION_TOKEN_CONTINUE, GR(0), 8, UINT64_MAX, RSI_ERROR_INPUT},
        {"token_continue: offset+size > 4096 -> ERROR_INPUT",
         RSI_ATTESTATION_TOKEN_CONTINUE, GR(0), 8, G - 7, RSI_ERROR_INPUT},
        {"token_continue: valid, no token -> ERROR_STATE",
         RSI_ATTESTATION_TOKEN_CONTINUE, GR(0), 8, G - 8, RSI_ERROR_STATE},
        {"host_call: not 256-byte aligned -> ERROR_INPUT",
         RSI_HOST_CALL, GR(1) + 0x80, 0, 0, RSI_ERROR_INPUT},
        {"host_call: unprotected -> ERROR_INPUT",
         RSI_HOST_CALL, PAR_TOP + GR(1), 0, 0, RSI_ERROR_INPUT},
        {"host_call: protected but not RAM -> ERROR_INPUT",
         RSI_HOST_CALL, RAM_TOP, 0, 0, RSI_ERROR_INPUT},
    };
    struct smccc_regs r;

    setup();
    for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK_EQ(smc(cases[i].fid, cases[i].a1, cases[i].a2, cases[i].a3, 0).x[0],
                 cases[i].status, cases[i].name);
    r = smc(RSI_HOST_CALL, GR(1) + 0xF00, 0, 0, 0);
    check(r.x[0] == RSI_SUCCESS && bytes_are(GR(1), G, FILL) && nevents == 0,
          "host_call: valid -> SUCCESS, structure untouched", "x0=%llu",
          (unsigned long long)r.x[0]);
}

/* ---- REALM_CONFIG ----------------------------------------------------------------- */

static void test_realm_config(void)
{
    struct rsi_realm_config cfg;
    struct smccc_regs r;
    bool rpv_ok = true, mbz_ok = true;
    uint64_t width;

    setup();
    r = smc(RSI_REALM_CONFIG, GR(2), 0, 0, 0);
    CHECK_EQ(r.x[0], RSI_SUCCESS, "realm_config: RAM granule -> SUCCESS");
    memcpy(&cfg, ram + (GR(2) - RAM_BASE), sizeof(cfg));
    memcpy(&width, ram + (GR(2) - RAM_BASE), sizeof(width));
    CHECK_EQ(width, IPA_WIDTH, "realm_config: ipa_width at offset 0");
    CHECK_EQ(ram[GR(2) - RAM_BASE + 8], RSI_HASH_SHA_512,
             "realm_config: hash_algo at offset 8");
    for (unsigned int i = 0; i < RSI_REALM_CONFIG_RPV_SIZE; i++)
        if (cfg.rpv[i] != (uint8_t)(0x80 + i))
            rpv_ok = false;
    check(rpv_ok, "realm_config: rpv at offset 0x200", "rpv differs");
    for (unsigned int i = 0; i < sizeof(cfg.reserved0); i++)
        if (cfg.reserved0[i] != 0)
            mbz_ok = false;
    for (unsigned int i = 0; i < sizeof(cfg.reserved1); i++)
        if (cfg.reserved1[i] != 0)
            mbz_ok = false;
    check(mbz_ok && bytes_are(GR(1), G, FILL) && bytes_are(GR(3), G, FILL),
          "realm_config: rest of the granule zero, neighbours untouched",
          "unexpected bytes");

    memset(ram, FILL, RAM_SIZE);
    CHECK_EQ(smc(RSI_REALM_CONFIG, GR(2) + 8, 0, 0, 0).x[0], RSI_ERROR_INPUT,
             "realm_config: unaligned -> ERROR_INPUT");
    CHECK_EQ(smc(RSI_REALM_CONFIG, GR(2) | PAR_TOP, 0, 0, 0).x[0],
             RSI_ERROR_INPUT, "realm_config: unprotected alias -> ERROR_INPUT");
    CHECK_EQ(smc(RSI_REALM_CONFIG, RAM_BASE - G, 0, 0, 0).x[0], RSI_ERROR_INPUT,
             "realm_config: protected, not RAM -> ERROR_INPUT");
    smc(RSI_IPA_STATE_SET, GR(5), GR(6), RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED);
    memset(ram, FILL, RAM_SIZE);
    CHECK_EQ(smc(RSI_REALM_CONFIG, GR(5), 0, 0, 0).x[0], RSI_ERROR_INPUT,
             "realm_config: RIPAS EMPTY -> ERROR_INPUT");
    check(bytes_are(RAM_BASE, RAM_SIZE, FILL),
          "realm_config: refused calls write nothing", "memory changed");
}

/* ---- IPA_STATE_SET input checks ---------------------------------------------------- */

static void test_state_set_inputs(void)
{
    static const struct {
        const char *name;
        uint64_t base, top, ripas, flags;
    } bad[] = {
        {"state_set: ripas DESTROYED -> ERROR_INPUT", GR(0), GR(1), RSI_RIPAS_DESTROYED, 0},
        {"state_set: ripas DEV -> ERROR_INPUT", GR(0), GR(1), RSI_RIPAS_DEV, 0},
        {"state_set: ripas X3[63:8] set -> ERROR_INPUT", GR(0), GR(1), 0x100, 0},
        {"state_set: unaligned base -> ERROR_INPUT", GR(0) + 0x10, GR(1), 0, 1},
        {"state_set: unaligned top -> ERROR_INPUT", GR(0), GR(1) + 1, 0, 1},
        {"state_set: top == base -> ERROR_INPUT", GR(1), GR(1), 0, 1},
        {"state_set: top < base -> ERROR_INPUT", GR(2), GR(1), 0, 1},
        {"state_set: range crosses the PAR -> ERROR_INPUT", PAR_TOP - G, PAR_TOP + G, 0, 1},
        {"state_set: unprotected range -> ERROR_INPUT", GR(0) | PAR_TOP, GR(1) | PAR_TOP, 0, 1},
        {"state_set: top wraps (2^64 - 4K, 0) -> ERROR_INPUT", ~(G - 1), 0, 0, 1},
    };
    struct realm_model_counters c;
    bool unchanged = true;

    setup();
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct smccc_regs r =
            smc(RSI_IPA_STATE_SET, bad[i].base, bad[i].top, bad[i].ripas, bad[i].flags);
        CHECK_EQ(r.x[0], RSI_ERROR_INPUT, bad[i].name);
    }
    unchanged = ripas_range_is(RAM_BASE, RAM_TOP, RSI_RIPAS_RAM) &&
                bytes_are(RAM_BASE, RAM_SIZE, FILL) && nevents == 0;
    check(unchanged, "state_set: refused calls change nothing",
          "RIPAS, memory or stage 2 changed");
    c = counters();
    CHECK_EQ(c.errors, sizeof(bad) / sizeof(bad[0]),
             "state_set: refused calls counted as errors");
    CHECK_EQ(c.rsi_calls[RSI_IPA_STATE_SET - RSI_FID_BASE],
             sizeof(bad) / sizeof(bad[0]), "state_set: calls counted by kind");
}

/* ---- IPA_STATE_SET conversions and wipes --------------------------------------------- */

static void test_state_set_convert(void)
{
    struct realm_model_inject inj = {.wipe_pattern = 0x3C};
    struct realm_model_counters c;
    struct smccc_regs r;

    setup();
    r = smc(RSI_IPA_STATE_SET, GR(1), GR(3), RSI_RIPAS_EMPTY, RSI_CHANGE_DESTROYED);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == GR(3) && r.x[2] == RSI_ACCEPT,
          "share: SUCCESS, new_base == top, ACCEPT", "got (%llu, 0x%llx, %llu)",
          (unsigned long long)r.x[0], (unsigned long long)r.x[1],
          (unsigned long long)r.x[2]);
    check(ripas_range_is(GR(1), GR(3), RSI_RIPAS_EMPTY) &&
              realm_model_ripas(&model, GR(0)) == RSI_RIPAS_RAM &&
              realm_model_ripas(&model, GR(3)) == RSI_RIPAS_RAM,
          "share: exactly the range is EMPTY", "RIPAS wrong");
    check(bytes_are(GR(1), 2 * G, REALM_MODEL_DEFAULT_WIPE) &&
              bytes_are(GR(0), G, FILL) && bytes_are(GR(3), G, FILL),
          "share: range wiped with the default non-zero pattern",
          "byte at GR(1) is 0x%02x", ram[G]);
    check(REALM_MODEL_DEFAULT_WIPE != 0, "wipe: default pattern is non-zero",
          "default is zero");
    check(nevents == 1 && events[0].base == GR(1) && events[0].top == GR(3) &&
              events[0].ripas == RSI_RIPAS_EMPTY,
          "share: one stage-2 callback for the range", "%u events", nevents);
    check(realm_model_is_shared(&model, GR(1)) &&
              realm_model_is_shared(&model, GR(2) | PAR_TOP) &&
              !realm_model_is_shared(&model, GR(3)),
          "share: shared view follows RIPAS EMPTY", "is_shared wrong");

    /* The host writes into the shared page; unsharing must not keep it. */
    memset(ram + G, 0x77, 2 * G);
    nevents = 0;
    r = smc(RSI_IPA_STATE_SET, GR(1), GR(3), RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == GR(3) && r.x[2] == RSI_ACCEPT &&
              ripas_range_is(GR(1), GR(3), RSI_RIPAS_RAM),
          "unshare: SUCCESS and RIPAS RAM", "x0=%llu", (unsigned long long)r.x[0]);
    check(bytes_are(GR(1), 2 * G, REALM_MODEL_DEFAULT_WIPE),
          "unshare: shared contents wiped on the way back", "byte 0x%02x",
          ram[G]);
    check(nevents == 1 && events[0].ripas == RSI_RIPAS_RAM,
          "unshare: stage-2 callback to RAM", "%u events", nevents);

    /* Granules already at the target are not wiped: the boot claim of RAM
     * that holds the image must keep it. */
    memset(ram, FILL, RAM_SIZE);
    nevents = 0;
    r = smc(RSI_IPA_STATE_SET, RAM_BASE, RAM_TOP, RSI_RIPAS_RAM,
            RSI_NO_CHANGE_DESTROYED);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == RAM_TOP &&
              bytes_are(RAM_BASE, RAM_SIZE, FILL) && nevents == 0,
          "same RIPAS: no wipe, no stage-2 change", "memory or stage 2 changed");

    /* Mixed range: only the granules that change are wiped and reported. */
    smc(RSI_IPA_STATE_SET, GR(4), GR(5), RSI_RIPAS_EMPTY, 1);
    smc(RSI_IPA_STATE_SET, GR(7), GR(8), RSI_RIPAS_EMPTY, 1);
    memset(ram, FILL, RAM_SIZE);
    nevents = 0;
    r = smc(RSI_IPA_STATE_SET, GR(3), GR(9), RSI_RIPAS_RAM, 1);
    check(r.x[1] == GR(9) && nevents == 2 && events[0].base == GR(4) &&
              events[0].top == GR(5) && events[1].base == GR(7) &&
              events[1].top == GR(8),
          "mixed range: callbacks only for converted runs", "%u events", nevents);
    check(bytes_are(GR(3), G, FILL) && bytes_are(GR(4), G, 0xA5) &&
              bytes_are(GR(5), 2 * G, FILL) && bytes_are(GR(7), G, 0xA5) &&
              bytes_are(GR(8), G, FILL),
          "mixed range: only converted granules wiped", "bytes wrong");

    realm_model_set_inject(&model, &inj);
    smc(RSI_IPA_STATE_SET, GR(10), GR(11), RSI_RIPAS_EMPTY, 1);
    check(bytes_are(GR(10), G, 0x3C), "wipe: configured pattern 0x3C to shared",
          "byte 0x%02x", ram[10 * G]);
    memset(ram + 10 * G, 0x77, G);
    smc(RSI_IPA_STATE_SET, GR(10), GR(11), RSI_RIPAS_RAM, 1);
    check(bytes_are(GR(10), G, 0x3C), "wipe: configured pattern 0x3C to private",
          "byte 0x%02x", ram[10 * G]);
    inj.wipe_pattern = 0;
    realm_model_set_inject(&model, &inj);
    smc(RSI_IPA_STATE_SET, GR(10), GR(11), RSI_RIPAS_EMPTY, 1);
    check(bytes_are(GR(10), G, 0), "wipe: pattern 0 zero-fills (TF-RMM style)",
          "byte 0x%02x", ram[10 * G]);

    /* Outside RAM: EMPTY is already true, RAM cannot be backed. */
    setup();
    r = smc(RSI_IPA_STATE_SET, RAM_TOP, RAM_TOP + 4 * G, RSI_RIPAS_EMPTY, 1);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == RAM_TOP + 4 * G &&
              r.x[2] == RSI_ACCEPT && nevents == 0,
          "outside RAM: EMPTY request completes, nothing to do", "x1=0x%llx",
          (unsigned long long)r.x[1]);
    r = smc(RSI_IPA_STATE_SET, RAM_TOP - 2 * G, RAM_TOP + 2 * G, RSI_RIPAS_EMPTY, 1);
    check(r.x[1] == RAM_TOP + 2 * G && ripas_range_is(RAM_TOP - 2 * G, RAM_TOP, 0),
          "outside RAM: EMPTY request straddling RAM's end", "x1=0x%llx",
          (unsigned long long)r.x[1]);
    r = smc(RSI_IPA_STATE_SET, RAM_TOP - 2 * G, RAM_TOP + 2 * G, RSI_RIPAS_RAM, 1);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == RAM_TOP && r.x[2] == RSI_REJECT &&
              ripas_range_is(RAM_TOP - 2 * G, RAM_TOP, RSI_RIPAS_RAM),
          "outside RAM: RAM request converts RAM, REJECT at its end",
          "got (0x%llx, %llu)", (unsigned long long)r.x[1],
          (unsigned long long)r.x[2]);

    c = counters();
    CHECK_EQ(c.granules_to_shared, 2, "counters: granules to shared");
    CHECK_EQ(c.granules_to_private, 2, "counters: granules to private");
    CHECK_EQ(c.rejects, 1, "counters: rejects");
}

/* ---- IPA_STATE_SET fault injection ----------------------------------------------------- */

static void test_state_set_inject(void)
{
    struct realm_model_inject inj;
    struct realm_model_counters c;
    struct smccc_regs r;
    uint64_t cur;
    unsigned int calls = 0;

    setup();
    inj = (struct realm_model_inject){.one_granule = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    r = smc(RSI_IPA_STATE_SET, GR(0), GR(4), RSI_RIPAS_EMPTY, 1);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == GR(1) && r.x[2] == RSI_ACCEPT &&
              realm_model_ripas(&model, GR(0)) == RSI_RIPAS_EMPTY &&
              realm_model_ripas(&model, GR(1)) == RSI_RIPAS_RAM,
          "one_granule: first call converts one granule, ACCEPT", "x1=0x%llx",
          (unsigned long long)r.x[1]);
    for (cur = r.x[1], calls = 1; cur != GR(4) && calls < 10; calls++)
        cur = smc(RSI_IPA_STATE_SET, cur, GR(4), RSI_RIPAS_EMPTY, 1).x[1];
    check(cur == GR(4) && calls == 4 &&
              ripas_range_is(GR(0), GR(4), RSI_RIPAS_EMPTY),
          "one_granule: four calls finish four granules", "%u calls", calls);

    inj = (struct realm_model_inject){.stall = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    r = smc(RSI_IPA_STATE_SET, GR(8), GR(9), RSI_RIPAS_EMPTY, 1);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == GR(8) && r.x[2] == RSI_ACCEPT &&
              realm_model_ripas(&model, GR(8)) == RSI_RIPAS_RAM,
          "stall: ACCEPT with new_base == base, nothing changed", "x1=0x%llx",
          (unsigned long long)r.x[1]);

    inj = (struct realm_model_inject){.reject_ram = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    memset(ram, FILL, RAM_SIZE);
    r = smc(RSI_IPA_STATE_SET, GR(0), GR(4), RSI_RIPAS_RAM, 1);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == GR(0) && r.x[2] == RSI_REJECT &&
              ripas_range_is(GR(0), GR(4), RSI_RIPAS_EMPTY) &&
              bytes_are(GR(0), 4 * G, FILL),
          "reject_ram: RAM request REJECTed, range untouched", "got (0x%llx, %llu)",
          (unsigned long long)r.x[1], (unsigned long long)r.x[2]);
    r = smc(RSI_IPA_STATE_SET, GR(10), GR(11), RSI_RIPAS_EMPTY, 1);
    check(r.x[1] == GR(11) && r.x[2] == RSI_ACCEPT,
          "reject_ram: EMPTY requests still accepted (spec)", "got (0x%llx, %llu)",
          (unsigned long long)r.x[1], (unsigned long long)r.x[2]);

    inj = (struct realm_model_inject){.reject_ram = true, .one_granule = true,
                                      .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    r = smc(RSI_IPA_STATE_SET, GR(0), GR(4), RSI_RIPAS_RAM, 1);
    check(r.x[1] == GR(1) && r.x[2] == RSI_REJECT &&
              realm_model_ripas(&model, GR(0)) == RSI_RIPAS_RAM &&
              ripas_range_is(GR(1), GR(4), RSI_RIPAS_EMPTY),
          "reject+one_granule: one granule done, rest REJECTed",
          "got (0x%llx, %llu)", (unsigned long long)r.x[1],
          (unsigned long long)r.x[2]);
    r = smc(RSI_IPA_STATE_SET, GR(1), GR(2), RSI_RIPAS_RAM, 1);
    check(r.x[1] == GR(2) && r.x[2] == RSI_ACCEPT,
          "reject+one_granule: a finished request is never REJECTed",
          "got (0x%llx, %llu)", (unsigned long long)r.x[1],
          (unsigned long long)r.x[2]);

    inj = (struct realm_model_inject){.reject_empty = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    r = smc(RSI_IPA_STATE_SET, GR(20), GR(22), RSI_RIPAS_EMPTY, 1);
    check(r.x[1] == GR(20) && r.x[2] == RSI_REJECT &&
              ripas_range_is(GR(20), GR(22), RSI_RIPAS_RAM),
          "reject_empty: sharing REJECTed (test knob)", "got (0x%llx, %llu)",
          (unsigned long long)r.x[1], (unsigned long long)r.x[2]);

    inj = (struct realm_model_inject){.rsi_error = true, .fail_after = 2,
                                      .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    r = smc(RSI_IPA_STATE_SET, GR(30), GR(31), RSI_RIPAS_EMPTY, 1);
    CHECK_EQ(r.x[0], RSI_SUCCESS, "fail_after 2: call 1 good");
    r = smc(RSI_IPA_STATE_SET, GR(30), GR(31), RSI_RIPAS_RAM, 1);
    CHECK_EQ(r.x[0], RSI_SUCCESS, "fail_after 2: call 2 good");
    r = smc(RSI_IPA_STATE_SET, GR(31), GR(32), RSI_RIPAS_EMPTY, 1);
    check(r.x[0] == RSI_ERROR_UNKNOWN && r.x[1] == 0 && r.x[2] == 0 &&
              realm_model_ripas(&model, GR(31)) == RSI_RIPAS_RAM,
          "fail_after 2: call 3 -> RSI_ERROR_UNKNOWN, nothing changed",
          "x0=%llu", (unsigned long long)r.x[0]);
    CHECK_EQ(smc(RSI_IPA_STATE_SET, GR(31), GR(40), 0x7, 1).x[0], RSI_ERROR_INPUT,
             "rsi_error: input checks still come first");

    c = counters();
    /* one_granule: 3 (the last call covered one granule anyway), stall,
     * reject_ram, reject+one_granule's first call, reject_empty, error. */
    CHECK_EQ(c.injected, 3 + 1 + 1 + 1 + 1 + 1,
             "counters: calls the injection changed");
    CHECK_EQ(c.rejects, 3, "counters: rejects from injection");
}

/* ---- DESTROYED ---------------------------------------------------------------------- */

static void test_destroyed(void)
{
    struct smccc_regs r;
    struct realm_model_counters c;

    setup();
    CHECK_EQ(realm_model_destroy(&model, GR(4) + 8, GR(5)), CCDMA_EINVAL,
             "destroy: unaligned refused");
    CHECK_EQ(realm_model_destroy(&model, RAM_TOP - G, RAM_TOP + G), CCDMA_EINVAL,
             "destroy: beyond RAM refused");
    CHECK_EQ(realm_model_destroy(&model, GR(4), GR(4)), CCDMA_EINVAL,
             "destroy: empty range refused");
    CHECK_EQ(realm_model_destroy(&model, GR(4), GR(5)), 0, "destroy: granule 4");
    check(realm_model_ripas(&model, GR(4)) == RSI_RIPAS_DESTROYED &&
              bytes_are(GR(4), G, 0xA5) && nevents == 1 &&
              events[0].ripas == RSI_RIPAS_DESTROYED &&
              !realm_model_is_shared(&model, GR(4)),
          "destroy: DESTROYED, wiped, stage 2 told, not shared", "state wrong");

    smc(RSI_IPA_STATE_SET, GR(2), GR(3), RSI_RIPAS_EMPTY, 1);
    r = smc(RSI_IPA_STATE_SET, GR(0), GR(8), RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED);
    check(r.x[0] == RSI_SUCCESS && r.x[1] == GR(4) && r.x[2] == RSI_REJECT,
          "NO_CHANGE_DESTROYED: stops at the DESTROYED granule",
          "got (%llu, 0x%llx, %llu)", (unsigned long long)r.x[0],
          (unsigned long long)r.x[1], (unsigned long long)r.x[2]);
    check(realm_model_ripas(&model, GR(2)) == RSI_RIPAS_RAM &&
              realm_model_ripas(&model, GR(4)) == RSI_RIPAS_DESTROYED,
          "NO_CHANGE_DESTROYED: granules before the stop changed, it did not",
          "RIPAS wrong");
    r = smc(RSI_IPA_STATE_SET, GR(4), GR(8), RSI_RIPAS_RAM, RSI_NO_CHANGE_DESTROYED);
    check(r.x[1] == GR(4) && r.x[2] == RSI_REJECT,
          "NO_CHANGE_DESTROYED: stop at base -> new_base == base, REJECT",
          "x1=0x%llx", (unsigned long long)r.x[1]);
    r = smc(RSI_IPA_STATE_SET, GR(0), GR(8), RSI_RIPAS_RAM, RSI_CHANGE_DESTROYED);
    check(r.x[1] == GR(8) && r.x[2] == RSI_ACCEPT &&
              realm_model_ripas(&model, GR(4)) == RSI_RIPAS_RAM,
          "CHANGE_DESTROYED: DESTROYED becomes RAM", "x1=0x%llx",
          (unsigned long long)r.x[1]);
    realm_model_destroy(&model, GR(6), GR(7));
    r = smc(RSI_IPA_STATE_SET, GR(6), GR(7), RSI_RIPAS_EMPTY, RSI_NO_CHANGE_DESTROYED);
    check(r.x[1] == GR(7) && realm_model_ripas(&model, GR(6)) == RSI_RIPAS_EMPTY,
          "DESTROYED -> EMPTY ignores the flag", "x1=0x%llx",
          (unsigned long long)r.x[1]);
    c = counters();
    CHECK_EQ(c.granules_destroyed, 2, "counters: granules destroyed");
}

/* ---- IPA_STATE_GET ----------------------------------------------------------------- */

static void get_case(const char *name, uint64_t base, uint64_t top,
                     uint64_t want_top, unsigned int want_ripas)
{
    struct smccc_regs r = smc(RSI_IPA_STATE_GET, base, top, 0, 0);

    check(r.x[0] == RSI_SUCCESS && r.x[1] == want_top && r.x[2] == want_ripas,
          name, "got (%llu, 0x%llx, %llu), want (0, 0x%llx, %u)",
          (unsigned long long)r.x[0], (unsigned long long)r.x[1],
          (unsigned long long)r.x[2], (unsigned long long)want_top, want_ripas);
}

static void test_state_get(void)
{
    setup();
    CHECK_EQ(smc(RSI_IPA_STATE_GET, GR(0) + 1, GR(1), 0, 0).x[0], RSI_ERROR_INPUT,
             "state_get: unaligned base -> ERROR_INPUT");
    CHECK_EQ(smc(RSI_IPA_STATE_GET, GR(0), GR(1) - 1, 0, 0).x[0], RSI_ERROR_INPUT,
             "state_get: unaligned top -> ERROR_INPUT");
    CHECK_EQ(smc(RSI_IPA_STATE_GET, GR(1), GR(1), 0, 0).x[0], RSI_ERROR_INPUT,
             "state_get: top == base -> ERROR_INPUT");
    CHECK_EQ(smc(RSI_IPA_STATE_GET, GR(2), GR(1), 0, 0).x[0], RSI_ERROR_INPUT,
             "state_get: top < base -> ERROR_INPUT");
    CHECK_EQ(smc(RSI_IPA_STATE_GET, PAR_TOP - G, PAR_TOP + G, 0, 0).x[0],
             RSI_ERROR_INPUT, "state_get: beyond the PAR -> ERROR_INPUT");

    get_case("state_get: all RAM -> one run to top", RAM_BASE, RAM_TOP, RAM_TOP,
             RSI_RIPAS_RAM);
    smc(RSI_IPA_STATE_SET, GR(3), GR(6), RSI_RIPAS_EMPTY, 1);
    realm_model_destroy(&model, GR(6), GR(7));
    get_case("state_get: run of RAM ends at the first EMPTY", RAM_BASE, RAM_TOP,
             GR(3), RSI_RIPAS_RAM);
    get_case("state_get: run of EMPTY", GR(3), RAM_TOP, GR(6), RSI_RIPAS_EMPTY);
    get_case("state_get: run clamped to top", GR(3), GR(5), GR(5),
             RSI_RIPAS_EMPTY);
    get_case("state_get: DESTROYED granule", GR(6), RAM_TOP, GR(7),
             RSI_RIPAS_DESTROYED);
    get_case("state_get: below RAM -> EMPTY up to RAM", 0, RAM_TOP, RAM_BASE,
             RSI_RIPAS_EMPTY);
    get_case("state_get: wholly below RAM -> EMPTY, clamped to top", G,
             RAM_BASE - G, RAM_BASE - G, RSI_RIPAS_EMPTY);
    get_case("state_get: above RAM -> EMPTY to top", RAM_TOP, PAR_TOP, PAR_TOP,
             RSI_RIPAS_EMPTY);
    get_case("state_get: last RAM run ends at RAM's end", GR(7), PAR_TOP, RAM_TOP,
             RSI_RIPAS_RAM);
}

/* ---- the RSI client over this model -------------------------------------------------- */

static void test_client_over_model(void)
{
    struct realm_model_inject inj;
    struct rsi_realm_info info;
    enum rsi_mode mode;
    uint64_t reached, set_before;
    unsigned int ripas;
    int err;

    setup();
    CHECK_EQ(rsi_detect(&mode, NULL), 0, "client/model: detect");
    CHECK_EQ(mode, RSI_MODE_REALM, "client/model: realm mode");
    err = rsi_realm_config(GR(0), ram, &info);
    check(err == 0 && info.ipa_width == IPA_WIDTH && info.shared_bit == PAR_TOP &&
              info.hash_algo == RSI_HASH_SHA_512 && info.rpv[1] == 0x81,
          "client/model: realm_config", "err %d width %u", err, info.ipa_width);

    inj = (struct realm_model_inject){.one_granule = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    set_before = count_of(RSI_IPA_STATE_SET - RSI_FID_BASE);
    err = rsi_mem_share(GR(8), GR(16), &reached);
    check(err == 0 && reached == GR(16) &&
              ripas_range_is(GR(8), GR(16), RSI_RIPAS_EMPTY) &&
              count_of(RSI_IPA_STATE_SET - RSI_FID_BASE) - set_before == 8,
          "client/model: partial progress completes in 8 calls", "err %d", err);

    inj = (struct realm_model_inject){.stall = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    set_before = count_of(RSI_IPA_STATE_SET - RSI_FID_BASE);
    err = rsi_mem_unshare(GR(8), GR(16), &reached);
    check(err == CCDMA_ETIMEDOUT && reached == GR(8) &&
              count_of(RSI_IPA_STATE_SET - RSI_FID_BASE) - set_before ==
                  RSI_STATE_SET_MAX_STALLS,
          "client/model: stalled host -> ETIMEDOUT after the bound", "err %d",
          err);

    inj = (struct realm_model_inject){.wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    realm_model_destroy(&model, GR(12), GR(13));
    err = rsi_boot_claim_ram(RAM_BASE, RAM_TOP, &reached);
    check(err == CCDMA_ESTATE && reached == GR(12) &&
              ripas_range_is(GR(8), GR(12), RSI_RIPAS_RAM) &&
              realm_model_ripas(&model, GR(12)) == RSI_RIPAS_DESTROYED,
          "client/model: boot claim refuses DESTROYED RAM", "err %d at 0x%llx",
          err, (unsigned long long)reached);
    err = rsi_boot_claim_ram(GR(13), RAM_TOP, &reached);
    check(err == 0 && reached == RAM_TOP &&
              ripas_range_is(GR(13), RAM_TOP, RSI_RIPAS_RAM),
          "client/model: boot claim of the rest succeeds", "err %d", err);
    err = rsi_boot_claim_ram(RAM_TOP - G, RAM_TOP + G, &reached);
    CHECK_EQ(err, CCDMA_EREJECT,
             "client/model: boot claim past RAM -> EREJECT (not DESTROYED)");

    err = rsi_ripas_of(GR(12) + 123, &ripas);
    check(err == 0 && ripas == RSI_RIPAS_DESTROYED,
          "client/model: ripas_of reads DESTROYED", "err %d ripas %u", err, ripas);

    inj = (struct realm_model_inject){.reject_ram = true, .wipe_pattern = 0xA5};
    realm_model_set_inject(&model, &inj);
    rsi_mem_share(GR(20), GR(22), NULL);
    err = rsi_mem_unshare(GR(20), GR(22), &reached);
    check(err == CCDMA_EREJECT && reached == GR(20) &&
              ripas_range_is(GR(20), GR(22), RSI_RIPAS_EMPTY),
          "client/model: REJECT -> EREJECT, range left shared", "err %d", err);
}

/* ---- counters ------------------------------------------------------------------------- */

static void test_counters(void)
{
    struct realm_model_counters c;
    uint64_t by_kind = 0;

    setup();
    realm_model_reset_counters(&model);
    smc(RSI_VERSION, RSI_ABI_VERSION_1_0, 0, 0, 0);
    smc(RSI_FEATURES, 0, 0, 0, 0);
    smc(RSI_IPA_STATE_SET, GR(0), GR(2), RSI_RIPAS_EMPTY, 1);
    smc(RSI_IPA_STATE_SET, GR(0), GR(1), RSI_RIPAS_RAM, 1);
    smc(RSI_IPA_STATE_GET, GR(0), GR(2), 0, 0);
    smc(RSI_IPA_STATE_GET, GR(0), GR(0), 0, 0); /* error */
    smc(0xC40001FF, 0, 0, 0, 0);                  /* unknown */
    smc(SMCCC_VERSION_FID, 0, 0, 0, 0);
    c = counters();
    for (unsigned int i = 0; i < RSI_NUM_CMDS; i++)
        by_kind += c.rsi_calls[i];
    CHECK_EQ(c.smc_calls, 8, "counters: every SMC counted");
    CHECK_EQ(by_kind, 6, "counters: RSI calls by kind sum");
    CHECK_EQ(c.rsi_calls[RSI_IPA_STATE_SET - RSI_FID_BASE], 2,
             "counters: IPA_STATE_SET");
    CHECK_EQ(c.rsi_calls[RSI_IPA_STATE_GET - RSI_FID_BASE], 2,
             "counters: IPA_STATE_GET");
    CHECK_EQ(c.unknown_calls, 1, "counters: unknown");
    CHECK_EQ(c.smccc_version_calls, 1, "counters: SMCCC_VERSION");
    CHECK_EQ(c.errors, 1, "counters: errors");
    CHECK_EQ(c.granules_to_shared, 2, "counters: to shared");
    CHECK_EQ(c.granules_to_private, 1, "counters: to private");
    check(strcmp(realm_model_cmd_name(RSI_IPA_STATE_SET - RSI_FID_BASE),
                 "RSI_IPA_STATE_SET") == 0 &&
              strcmp(realm_model_cmd_name(RSI_NUM_CMDS), "?") == 0,
          "counters: command names", "wrong name");
}

int main(void)
{
    ram = aligned_alloc(RSI_GRANULE_SIZE, RAM_SIZE);
    if (ram == NULL)
        return 2;
    test_init();
    test_version();
    test_dispatch();
    test_other_commands();
    test_realm_config();
    test_state_set_inputs();
    test_state_set_convert();
    test_state_set_inject();
    test_destroyed();
    test_state_get();
    test_client_over_model();
    test_counters();
    check(!bad_access, "model never touched memory outside RAM",
          "a callback got an address outside RAM");
    free(ram);
    return check_summary();
}
