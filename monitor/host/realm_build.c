/* SPDX-License-Identifier: MIT */
/*
 * Building the realm, in the order TF-RMM accepts (DEN0137's realm
 * creation flow): RMI_VERSION and RMI_FEATURES, REALM_CREATE with the
 * starting-level table, REC_AUX_COUNT, INIT_RIPAS over all of realm RAM,
 * DATA_CREATE of the realm's DTB and of ccdma.bin (measured), REC_CREATE
 * for each vCPU in index order (REC 0 runnable with the entry point and
 * x0 = DTB, the others not runnable until the realm's PSCI CPU_ON names
 * them, DEN0137's REC creation flow), REALM_ACTIVATE.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "host.h"

#define REALM_VMID 1u
#define STAGING_DTB_MAX REALM_DTB_MAX /* room to edit the host DTB in; packed after */
#define IMAGE_MAGIC_OFF 56         /* arm64 Image header: "ARM\x64" */
#define IMAGE_MAGIC 0x644d5241u

struct realm realm;

extern char __realm_image_start[], __realm_image_end[];

static noreturn void refused(const char *what, uint64_t ret)
{
    char st[32];

    printf("monitor: %s = %s\n", what, rmi_status_str(ret, st, sizeof(st)));
    el2_fatal("the RMM refused to build the realm");
}

static void check_version(void)
{
    struct rmi_regs r;
    uint64_t ret = rmi_call(RMI_VERSION, RMI_ABI_VERSION_1_0, 0, 0, 0, 0, &r);

    printf("monitor: RMI_VERSION(1.0) = 0x%llx, lower %llu.%llu, higher %llu.%llu\n",
           (unsigned long long)ret, (unsigned long long)(r.x[1] >> 16),
           (unsigned long long)(r.x[1] & 0xffff), (unsigned long long)(r.x[2] >> 16),
           (unsigned long long)(r.x[2] & 0xffff));
    if (ret != RMI_SUCCESS)
        el2_fatal("the RMM does not offer RMI 1.0");
}

static void read_features(void)
{
    struct rmi_regs r;
    uint64_t ret = rmi_call(RMI_FEATURES, 0, 0, 0, 0, 0, &r);
    uint64_t f = r.x[1];

    if (ret != RMI_SUCCESS)
        refused("RMI_FEATURES(0)", ret);
    realm.feat0 = f;
    printf("monitor: RMI_FEATURES(0) = 0x%llx: s2sz %u%s%s, bps %u, wps %u, pmu counters %u, "
           "%s%s, gicv3 lrs %u, max recs 2^%u\n", (unsigned long long)f, RMI_FEAT0_S2SZ(f),
           f & RMI_FEAT0_LPA2 ? " lpa2" : "", f & RMI_FEAT0_SVE_EN ? " sve" : "",
           RMI_FEAT0_NUM_BPS(f), RMI_FEAT0_NUM_WPS(f), RMI_FEAT0_PMU_NUM_CTRS(f),
           f & RMI_FEAT0_HASH_SHA_256 ? "sha256" : "",
           f & RMI_FEAT0_HASH_SHA_512 ? " sha512" : "", RMI_FEAT0_GICV3_NUM_LRS(f) + 1,
           RMI_FEAT0_MAX_RECS_ORDER(f));
    if (RMI_FEAT0_S2SZ(f) < REALM_IPA_BITS || !(f & RMI_FEAT0_HASH_SHA_256) ||
        RMI_FEAT0_NUM_BPS(f) == 0 || RMI_FEAT0_NUM_WPS(f) == 0)
        el2_fatal("the RMM cannot make the realm this host builds");
}

/* s2sz 32 with one level-1 table: the smallest realm the RMM accepts. */
static void create_realm(void)
{
    uint64_t params_pa = granule_alloc(), ret;
    struct rmi_realm_params *p = (struct rmi_realm_params *)(uintptr_t)params_pa;

    realm.rd = granule_alloc_delegated();
    realm.rtt_root = granule_alloc_delegated();
    realm.level_start = 1;
    p->s2sz = REALM_IPA_BITS;
    p->num_bps = RMI_FEAT0_NUM_BPS(realm.feat0);
    p->num_wps = RMI_FEAT0_NUM_WPS(realm.feat0);
    p->hash_algo = RMI_HASH_SHA_256;
    p->vmid = REALM_VMID;
    p->rtt_base = realm.rtt_root;
    p->rtt_level_start = realm.level_start;
    p->rtt_num_start = 1;
    ret = rmi_call(RMI_REALM_CREATE, realm.rd, params_pa, 0, 0, 0, NULL);
    if (ret != RMI_SUCCESS)
        refused("REALM_CREATE", ret);
    rim_realm_params(&realm.expected, p);
    launch_record_realm(p);
}

static unsigned int aux_count(void)
{
    struct rmi_regs r;
    uint64_t ret = rmi_call(RMI_REC_AUX_COUNT, realm.rd, 0, 0, 0, 0, &r);

    if (ret != RMI_SUCCESS)
        refused("REC_AUX_COUNT", ret);
    if (r.x[1] > RMI_REC_MAX_AUX)
        el2_fatal("the RMM wants more auxiliary granules per REC than RMI 1.0 allows");
    return (unsigned int)r.x[1];
}

/* The RIM counts INIT_RIPAS per RTT entry, and one call sets the entries
 * of one table: their size is that of the level the walk at base reaches. */
static void predict_init_ripas(uint64_t base, uint64_t top)
{
    struct rmi_regs r;
    uint64_t size;

    if (rmi_call(RMI_RTT_READ_ENTRY, realm.rd, base, 3, 0, 0, &r) != RMI_SUCCESS || r.x[1] > 3)
        el2_fatal("RTT_READ_ENTRY cannot tell the level INIT_RIPAS worked at");
    size = 1ull << (12 + 9 * (3 - r.x[1]));
    launch_record_init_ripas(base, top, size);
    for (; base < top; base += size)
        rim_init_ripas(&realm.expected, base, base + size);
}

/* All of realm RAM RIPAS RAM, before any DATA_CREATE: INIT_RIPAS stops at
 * assigned entries. It does one table per call; ERROR_RTT asks for one. */
static void init_ripas(void)
{
    uint64_t base = REALM_RAM_IPA;

    while (base < REALM_RAM_TOP) {
        struct rmi_regs r;
        uint64_t ret = rmi_call(RMI_RTT_INIT_RIPAS, realm.rd, base, REALM_RAM_TOP, 0, 0, &r);

        if (ret == RMI_SUCCESS && r.x[1] > base && r.x[1] <= REALM_RAM_TOP) {
            predict_init_ripas(base, r.x[1]);
            base = r.x[1];
        } else if (RMI_STATUS(ret) != RMI_ERROR_RTT ||
                   !rtt_fill(base, (int)RMI_INDEX(ret), (int)RMI_INDEX(ret) + 1)) {
            refused("RTT_INIT_RIPAS", ret);
        }
    }
}

static size_t load_dtb(const struct el2_machine *m, const char *bootargs,
                       const struct host_policy *pol, unsigned int max_cpus, uint64_t *mpidr)
{
    uint64_t staging = granule_alloc();
    size_t size = 0;
    int err;

    for (uint64_t off = GRANULE; off < STAGING_DTB_MAX; off += GRANULE)
        if (granule_alloc() != staging + off)
            el2_fatal("the host's pool is not contiguous");
    err = realm_dtb_build((const void *)m->dtb, (void *)(uintptr_t)staging, STAGING_DTB_MAX,
                          &size, bootargs, pol, max_cpus, &realm.n_recs, mpidr);
    if (err != 0) {
        printf("monitor: realm DTB: libfdt error %d\n", err);
        el2_fatal("cannot build the realm's device tree");
    }
    launch_record_data(REALM_DTB_IPA, size, false, "dtb");
    launch_record_dtb((const void *)(uintptr_t)staging, size);
    if (pol->lie_about_dtb && !realm_dtb_lie((void *)(uintptr_t)staging))
        el2_fatal("the DTB has no root compatible to change");
    for (uint64_t off = 0; off < size; off += GRANULE)
        if (!realm_ram_load(REALM_DTB_IPA + off, staging + off, false))
            el2_fatal("the RMM refused the realm's DTB");
    return size;
}

/* The payload is ccdma.bin, page-aligned in this image: each page is an
 * NS source for DATA_CREATE, measured into the RIM. The last one is copied
 * into a zeroed granule first, so that what is measured is the image and
 * zeros, as a verifier pads it, not whatever this image links after it. */
static uint64_t load_image(void)
{
    uint64_t start = (uintptr_t)__realm_image_start;
    uint64_t size = (uintptr_t)__realm_image_end - start;

    if (size < IMAGE_MAGIC_OFF + 4 || size > REALM_RAM_TOP - REALM_ENTRY_IPA ||
        *(const uint32_t *)(uintptr_t)(start + IMAGE_MAGIC_OFF) != IMAGE_MAGIC)
        el2_fatal("no arm64 Image to load into the realm");
    launch_record_data(REALM_ENTRY_IPA, size, true, "image");
    for (uint64_t off = 0; off < size; off += GRANULE) {
        uint64_t src = start + off;

        if (size - off < GRANULE) {
            src = granule_alloc();
            memcpy((void *)(uintptr_t)src, (const void *)(uintptr_t)(start + off), size - off);
        }
        if (!realm_ram_load(REALM_ENTRY_IPA + off, src, true))
            el2_fatal("the RMM refused a page of the realm image");
    }
    return size;
}

/* Only a runnable REC's parameters are measured (TF-RMM smc_rec_create),
 * so only REC 0 is in the RIM and the launch record. */
static void create_rec(unsigned int idx, uint64_t mpidr, unsigned int n_aux)
{
    uint64_t params_pa = granule_alloc(), ret;
    struct rmi_rec_params *p = (struct rmi_rec_params *)(uintptr_t)params_pa;
    struct host_rec *hr = &realm.recs[idx];

    hr->rec = granule_alloc_delegated();
    hr->mpidr = mpidr;
    hr->runnable = idx == 0;
    p->flags = hr->runnable ? RMI_REC_FLAG_RUNNABLE : 0;
    p->mpidr = mpidr;
    if (hr->runnable) {
        p->pc = REALM_ENTRY_IPA;
        p->gprs[0] = REALM_DTB_IPA;
    }
    p->num_aux = n_aux;
    for (unsigned int i = 0; i < n_aux; i++)
        p->aux[i] = hr->aux[i] = granule_alloc_delegated();
    ret = rmi_call(RMI_REC_CREATE, realm.rd, hr->rec, params_pa, 0, 0, NULL);
    if (ret != RMI_SUCCESS)
        refused("REC_CREATE", ret);
    if (hr->runnable) {
        rim_rec_params(&realm.expected, p);
        launch_record_rec(p);
    }
}

static void print_expected_rim(void)
{
    if (!rim_available()) {
        printf("monitor: expected RIM: unknown (built without a hash library)\n");
        return;
    }
    printf("monitor: expected RIM %s:", realm.expected.hash_algo == RMI_HASH_SHA_512 ? "sha512"
                                                                                   : "sha256");
    for (unsigned int i = 0; i < rim_size(&realm.expected); i++)
        printf("%02x", realm.expected.meas[0][i]);
    printf("\n");
}

void realm_build(const struct el2_machine *m, const struct dt_platform *dt,
                 const struct host_policy *pol)
{
    uint64_t mpidr[HOST_MAX_RECS];
    bool slices = preempt_init(m);
    unsigned int n_aux, max_cpus = slices ? HOST_MAX_RECS : 1;
    uint64_t image;
    size_t dtb;
    uint64_t ret;

    check_version();
    read_features();
    create_realm();
    n_aux = aux_count();
    realm_ram_init();
    init_ripas();
    dtb = load_dtb(m, dt->bootargs, pol, max_cpus, mpidr);
    image = load_image();
    for (unsigned int i = 0; i < realm.n_recs; i++)
        create_rec(i, mpidr[i], n_aux);
    if (slices)
        vgic_init(m, RMI_FEAT0_GICV3_NUM_LRS(realm.feat0) + 1, pol);
    ret = rmi_call(RMI_REALM_ACTIVATE, realm.rd, 0, 0, 0, 0, NULL);
    if (ret != RMI_SUCCESS)
        refused("REALM_ACTIVATE", ret);
    realm.active = true;
    for (unsigned int i = 0; i < realm.n_recs; i++)
        realm.recs[i].run_pa = granule_alloc();
    print_expected_rim();
    printf("monitor: realm built on the %s RMM: IPA width %u, RAM IPA 0x%llx+0x%llx at PA "
           "0x%llx, image 0x%llx bytes at 0x%llx (measured), DTB 0x%zx bytes, %u RECs, %u "
           "aux granules each\n", rmi_conduit_name, REALM_IPA_BITS, (unsigned long long)REALM_RAM_IPA,
           (unsigned long long)REALM_RAM_SIZE, (unsigned long long)REALM_PA(REALM_RAM_IPA),
           (unsigned long long)image, (unsigned long long)REALM_ENTRY_IPA, dtb, realm.n_recs,
           n_aux);
}
