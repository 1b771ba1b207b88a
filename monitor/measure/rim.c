/* SPDX-License-Identifier: MIT */
/*
 * Realm measurements (DEN0137, "Realm measurement"): the RIM, built while
 * the realm is NEW from what the host gives it, and four REMs the realm
 * extends. The descriptors and their order are TF-RMM's
 * (app/attestation/rmm_stub/src/rim.c), so the same RIM comes out of
 * either RMM. The emulated RMM measures with it; the host predicts the RIM
 * with it as it builds the realm:
 *
 *   REALM_CREATE   RIM = H(a zeroed RmiRealmParams holding only flags, s2sz,
 *                  sve_vl, num_bps, num_wps, pmu_num_ctrs and hash_algo)
 *   INIT_RIPAS     per RTT entry set:  RIM = H(RIPAS descriptor)
 *   DATA_CREATE    per granule:        RIM = H(DATA descriptor), the
 *                  contents' hash in it when the host asked to measure them
 *   REC_CREATE     per runnable REC:   RIM = H(REC descriptor)
 *   EXTEND         REM[i] = H(REM[i] || value)
 *
 * The hashes are Mbed TLS's. Built without it (the sources could not be
 * had), the realm has no measurements and MEASUREMENT_READ says so.
 */
#include <string.h>

#include "rim.h"

#if defined(CCDMA_HAVE_HASH)
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#endif

#define DESC_DATA 0u
#define DESC_REC 1u
#define DESC_RIPAS 2u
#define DESC_SIZE 0x100u

/* One measurement descriptor: type, length, the current RIM, then the
 * fields of its kind, padded to 0x100 bytes. */
struct descriptor {
    uint8_t type;
    uint8_t pad[7];
    uint64_t len;
    uint8_t rim[RIM_MEASUREMENT_MAX];
    union {
        struct {
            uint64_t ipa, flags;
            uint8_t content[RIM_MEASUREMENT_MAX];
        } data;
        struct {
            uint8_t content[RIM_MEASUREMENT_MAX];
        } rec;
        struct {
            uint64_t base, top;
        } ripas;
        uint8_t raw[DESC_SIZE - 0x50];
    } u;
};

_Static_assert(sizeof(struct descriptor) == DESC_SIZE, "measurement descriptors are 0x100 bytes");
_Static_assert(offsetof(struct descriptor, rim) == 0x10, "descriptor rim");
_Static_assert(offsetof(struct descriptor, u.data.ipa) == 0x50, "data ipa");
_Static_assert(offsetof(struct descriptor, u.data.content) == 0x60, "data content");
_Static_assert(offsetof(struct descriptor, u.rec.content) == 0x50, "rec content");
_Static_assert(offsetof(struct descriptor, u.ripas.top) == 0x58, "ripas top");

bool rim_available(void)
{
#if defined(CCDMA_HAVE_HASH)
    return true;
#else
    return false;
#endif
}

unsigned int rim_size(const struct rim *r)
{
    return r->hash_algo == RMI_HASH_SHA_512 ? 64u : 32u;
}

static void hash(const struct rim *r, const void *data, size_t len, uint8_t *out)
{
#if defined(CCDMA_HAVE_HASH)
    if (r->hash_algo == RMI_HASH_SHA_512)
        (void)mbedtls_sha512(data, len, out, 0);
    else
        (void)mbedtls_sha256(data, len, out, 0);
#else
    (void)r;
    (void)data;
    (void)len;
    (void)out;
#endif
}

static void extend_rim(struct rim *r, struct descriptor *d, uint8_t type)
{
    d->type = type;
    d->len = DESC_SIZE;
    memcpy(d->rim, r->meas[0], rim_size(r));
    hash(r, d, sizeof(*d), r->meas[0]);
}

void rim_realm_params(struct rim *r, const struct rmi_realm_params *p)
{
    static struct rmi_realm_params m; /* 4 KiB: not on the stack */

    memset(&m, 0, sizeof(m));
    m.flags = p->flags;
    m.s2sz = (uint32_t)p->s2sz;
    m.sve_vl = (uint32_t)p->sve_vl;
    m.num_bps = (uint32_t)p->num_bps;
    m.num_wps = (uint32_t)p->num_wps;
    m.pmu_num_ctrs = (uint32_t)p->pmu_num_ctrs;
    m.hash_algo = p->hash_algo;
    memset(r->meas, 0, sizeof(r->meas));
    r->hash_algo = p->hash_algo;
    hash(r, &m, sizeof(m), r->meas[0]);
}

void rim_init_ripas(struct rim *r, uint64_t base, uint64_t top)
{
    struct descriptor d = {0};

    d.u.ripas.base = base;
    d.u.ripas.top = top;
    extend_rim(r, &d, DESC_RIPAS);
}

void rim_data(struct rim *r, const void *data, uint64_t ipa, uint64_t flags)
{
    struct descriptor d = {0};

    d.u.data.ipa = ipa;
    d.u.data.flags = flags;
    if (flags == RMI_MEASURE_CONTENT)
        hash(r, data, GRANULE_BYTES, d.u.data.content);
    extend_rim(r, &d, DESC_DATA);
}

void rim_rec_params(struct rim *r, const struct rmi_rec_params *p)
{
    static struct rmi_rec_params m;
    struct descriptor d = {0};

    memset(&m, 0, sizeof(m));
    m.flags = p->flags;
    m.pc = p->pc;
    memcpy(m.gprs, p->gprs, sizeof(m.gprs));
    hash(r, &m, sizeof(m), d.u.rec.content);
    extend_rim(r, &d, DESC_REC);
}

void rim_extend(struct rim *r, unsigned int slot, const void *value, size_t size)
{
    uint8_t buf[2 * RIM_MEASUREMENT_MAX];
    unsigned int n = rim_size(r);

    memcpy(buf, r->meas[slot], n);
    memcpy(buf + n, value, size);
    memset(r->meas[slot], 0, RIM_MEASUREMENT_MAX);
    hash(r, buf, n + size, r->meas[slot]);
}
