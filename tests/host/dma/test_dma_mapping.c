/* SPDX-License-Identifier: MIT */
/*
 * Mapping core: device descriptions, encodings, dma_capable, attributes
 * and argument checking.
 */
#include "dma_test.h"
#include "dma_internal.h"

#include <stdio.h>

static void test_encodings(void)
{
    struct ccdma_device dev;
    uint8_t *buf = t_pages(1);
    ccdma_phys_t pa = t_pa(buf);
    ccdma_dma_t priv, shared;

    t_dev_t1(&dev, "enc", UINT64_MAX);
    priv = ccdma_phys_to_dma(&dev, pa, false);
    shared = ccdma_phys_to_dma(&dev, pa, true);
    CHECK_EQ(priv, t_encode(pa, false), "private encoding is the platform's");
    CHECK_EQ(shared, t_encode(pa, true), "shared encoding is the platform's");
    CHECK_EQ(ccdma_dma_to_phys(&dev, priv), pa, "private decodes to the physical address");
    CHECK_EQ(ccdma_dma_to_phys(&dev, shared), pa, "shared decodes to the physical address");
    switch (T.enc) {
    case HOST_ENC_CCA:
        CHECK_EQ(shared, pa | (1ull << 31), "CCA: shared = IPA | bit 31");
        CHECK_EQ(priv, pa, "CCA: private = the IPA");
        break;
    case HOST_ENC_SEV:
        CHECK_EQ(priv, pa | (1ull << 47), "SEV: private = PA | C-bit 47");
        CHECK_EQ(shared, pa, "SEV: shared = the PA");
        break;
    default:
        CHECK(priv == pa && shared == pa, "plain: both encodings are the PA");
    }
    CHECK(ccdma_plat_dma_is_shared(shared), "shared encoding reads as shared");
    CHECK_EQ(ccdma_plat_dma_is_shared(priv), !T.cc, "private encoding reads as shared only when plain");
    t_pages_free(buf, 1);
}

static void test_capable(void)
{
    struct ccdma_device t0, t1, low;
    uint8_t *buf = t_pages(1);
    ccdma_phys_t pa = t_pa(buf);
    ccdma_dma_t priv = t_encode(pa, false), shared = t_encode(pa, true);

    t_dev_t0(&t0, "t0", UINT64_MAX);
    t_dev_t1(&t1, "t1", UINT64_MAX);
    CHECK_EQ(ccdma_capable(&t0, priv, 64, 0), !T.cc, "T=0 reaches a private address only without CC");
    CHECK(ccdma_capable(&t0, shared, 64, CCDMA_ATTR_CC_SHARED), "T=0 reaches a shared address");
    CHECK(ccdma_capable(&t1, priv, 64, 0), "T=1 reaches a private address");
    CHECK(ccdma_capable(&t1, shared, 64, CCDMA_ATTR_CC_SHARED), "T=1 keeps its reach to shared memory");
    if (T.cc) {
        CHECK(!ccdma_capable(&t1, shared, 64, 0), "attrs must describe the encoding (shared address, private attrs)");
        CHECK(!ccdma_capable(&t1, priv, 64, CCDMA_ATTR_CC_SHARED), "attrs must describe the encoding (private address, shared attrs)");
    }
    CHECK(!ccdma_capable(&t1, priv, 0, 0), "size 0 is never capable");
    CHECK(!ccdma_capable(&t1, UINT64_MAX - 10, 64, 0), "a range that wraps is never capable");
    CHECK(!ccdma_capable(&t1, CCDMA_DMA_ADDR_INVALID, 1, 0), "the invalid address is never capable");

    t_dev_t1(&low, "low", 0x3fffffff);
    CHECK(!ccdma_capable(&low, priv, 1, 0), "RAM above the mask is not capable");
    low.dma_mask = UINT64_MAX;
    low.bus_limit = t_encode(pa, false) + 4095;
    CHECK(ccdma_capable(&low, priv, 4096, 0), "up to the bus limit is capable");
    CHECK(!ccdma_capable(&low, priv, 4097, 0), "one byte past the bus limit is not");

    /* The check sees the encoding: the same page, two answers. */
    if (T.enc == HOST_ENC_CCA) {
        low.bus_limit = 0;
        low.dma_mask = 0x7fffffff;
        CHECK(ccdma_capable(&low, priv, 64, 0), "CCA, 31-bit mask: the private IPA is reachable");
        CHECK(!ccdma_capable(&low, shared, 64, CCDMA_ATTR_CC_SHARED), "CCA, 31-bit mask: the shared alias is not");
    } else if (T.enc == HOST_ENC_SEV) {
        low.bus_limit = 0;
        low.dma_mask = 0xffffffff;
        CHECK(!ccdma_capable(&low, priv, 64, 0), "SEV, 32-bit mask: the C-bit address is not reachable");
        CHECK(ccdma_capable(&low, shared, 64, CCDMA_ATTR_CC_SHARED), "SEV, 32-bit mask: the shared address is");
    }
    t_pages_free(buf, 1);
}

static void test_device_init(void)
{
    struct ccdma_device a, b, bad;

    ccdma_device_default(&a, "a", UINT64_MAX);
    CHECK(a.coherent && a.reach_shared, "default: coherent, reaches shared memory");
    CHECK_EQ(a.reach_private, !T.cc, "default: reaches private memory only without CC");
    CHECK_EQ(a.debug_id, 0, "default does not register");
    CHECK_ERR(ccdma_device_init(&a), CCDMA_OK, "init");
    CHECK(a.debug_id != 0, "init gives a dma-debug id");
    t_dev_t1(&b, "b", UINT64_MAX);
    CHECK(b.debug_id != a.debug_id, "ids are distinct");
    {
        uint32_t id = a.debug_id;

        CHECK_ERR(ccdma_device_init(&a), CCDMA_OK, "init twice");
        CHECK_EQ(a.debug_id, id, "init twice keeps the id");
    }
    CHECK_ERR(ccdma_device_init(NULL), CCDMA_EINVAL, "NULL device");

    ccdma_device_default(&bad, "bad", UINT64_MAX);
    bad.min_align_mask = 0x1000;
    CHECK_ERR(ccdma_device_init(&bad), CCDMA_EINVAL, "min_align_mask not 2^k-1");
    bad.min_align_mask = 0x1ffff;
    CHECK_ERR(ccdma_device_init(&bad), CCDMA_EINVAL, "min_align_mask wider than 64 KiB");
    bad.min_align_mask = 0xfff;
    bad.reach_private = false;
    bad.reach_shared = false;
    CHECK_ERR(ccdma_device_init(&bad), CCDMA_EINVAL, "a DMA device that reaches nothing");
    CHECK_EQ(bad.debug_id, 0, "a refused device is not registered");
}

/* Rule 4: the allocation state is the DMA layer's decision alone. */
static void test_alloc_attrs(void)
{
    static const struct {
        unsigned int attrs;
        const char *name;
    } refused[] = {
        {CCDMA_ATTR_CC_SHARED, "CC_SHARED describes mappings: EINVAL"},
        {CCDMA_ATTR_MMIO, "MMIO describes mappings: EINVAL"},
        {CCDMA_ATTR__ALLOC_SHARED, "the internal allocation attribute: EINVAL"},
        {CCDMA_ATTR__ALLOC_SHARED | CCDMA_ATTR_NO_WARN, "internal bit with a public one: EINVAL"},
        {1u << 20, "an unknown bit: EINVAL"},
    };
    struct ccdma_device dev;
    uint64_t rsi = t_rsi_state_sets();
    uint64_t pages = t_port().pages_in_use;
    void *cpu;
    ccdma_dma_t h;

    t_dev_t0(&dev, "alloc-attrs", UINT64_MAX);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        cpu = (void *)1;
        h = 0;
        CHECK_ERR(ccdma_alloc_coherent(&dev, 4096, 0, refused[i].attrs, &cpu, &h),
                  CCDMA_EINVAL, refused[i].name);
        CHECK(cpu == NULL && h == CCDMA_DMA_ADDR_INVALID, "outputs cleared on refusal");
    }
    CHECK_ERR(ccdma_alloc_coherent(&dev, 4096, 1u << 5, 0, &cpu, &h), CCDMA_EINVAL,
              "an unknown allocation flag: EINVAL");
    CHECK_EQ(t_port().pages_in_use, pages, "refusals took no page");
    CHECK_EQ(t_rsi_state_sets(), rsi, "refusals converted nothing");

    CHECK_ERR(ccdma_alloc_coherent(&dev, 4096, 0, CCDMA_ATTR_NO_WARN | CCDMA_ATTR_SKIP_CPU_SYNC,
                                   &cpu, &h), CCDMA_OK, "NO_WARN and SKIP_CPU_SYNC are accepted");
    CHECK_ERR(ccdma_free_coherent(&dev, 4096, cpu, h), CCDMA_OK, "free");
}

static void test_map_attrs_and_args(void)
{
    struct ccdma_device dev, raw, nodma;
    uint8_t *buf = t_pages(2);
    uint8_t stack_buf[64];
    ccdma_dma_t d = 0;

    t_dev_t1(&dev, "args", UINT64_MAX);
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, CCDMA_ATTR__ALLOC_SHARED, &d),
              CCDMA_EINVAL, "map with the internal attribute");
    CHECK_EQ(d, CCDMA_DMA_ADDR_INVALID, "out set to the invalid address");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, CCDMA_ATTR_MMIO, &d),
              CCDMA_EINVAL, "MMIO through map_single");
    CHECK_ERR(ccdma_map_single(NULL, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL, "NULL device");
    CHECK_ERR(ccdma_map_single(&dev, NULL, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL, "NULL buffer");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, NULL), CCDMA_EINVAL, "NULL out");
    CHECK_ERR(ccdma_map_single(&dev, buf, 0, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL, "size 0");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, (enum ccdma_dir)3, 0, &d), CCDMA_EINVAL, "direction 3");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, (enum ccdma_dir)-1, 0, &d), CCDMA_EINVAL, "direction -1");
    CHECK_ERR(ccdma_map_single(&dev, stack_buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EFAULT,
              "a stack buffer has no physical address");
    CHECK_ERR(ccdma_sync_for_cpu(&dev, 0, 64, (enum ccdma_dir)7), CCDMA_EINVAL, "sync direction 7");
    CHECK_ERR(ccdma_unmap_single(&dev, 0, 64, CCDMA_TO_DEVICE, 1u << 12), CCDMA_EINVAL,
              "unmap with an unknown attribute");

    ccdma_device_default(&raw, "raw", UINT64_MAX);
    CHECK_ERR(ccdma_map_single(&raw, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "a device never passed to ccdma_device_init");
    ccdma_device_default(&nodma, "nodma", 0);
    REQUIRE(ccdma_device_init(&nodma) == CCDMA_OK);
    CHECK_ERR(ccdma_map_single(&nodma, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_ENODEV,
              "dma_mask 0: the device cannot DMA");
    {
        void *cpu;
        ccdma_dma_t h;

        CHECK_ERR(ccdma_alloc_coherent(&nodma, 4096, 0, 0, &cpu, &h), CCDMA_ENODEV,
                  "dma_mask 0: no coherent memory either");
    }
    CHECK_EQ(t_stats().direct_maps + t_stats().bounced_maps, 0, "nothing was mapped");
    t_pages_free(buf, 2);
}

static void test_strerror(void)
{
    const char *seen[16];
    bool distinct = true;

    for (int e = 0; e >= CCDMA_EPROTO; e--) {
        seen[-e] = ccdma_strerror(e);
        if (strcmp(seen[-e], "unknown error") == 0)
            distinct = false;
        for (int k = 0; k < -e; k++)
            if (strcmp(seen[k], seen[-e]) == 0)
                distinct = false;
    }
    CHECK(distinct, "every code has its own name");
    CHECK(strcmp(ccdma_strerror(CCDMA_ESTATE), "shared/private state mismatch") == 0, "ESTATE's name");
    CHECK(strcmp(ccdma_strerror(-99), "unknown error") == 0, "out of range");
    CHECK(strcmp(ccdma_strerror(5), "unknown error") == 0, "positive");
}

static void test_max_mapping_size(void)
{
    struct ccdma_device dev;

    t_dev_t0(&dev, "max", UINT64_MAX);
    CHECK_EQ(ccdma_max_mapping_size(&dev), T.cc ? (size_t)256 << 10 : SIZE_MAX,
             "T=0: the bounce limit under CC, none otherwise");
    dev.force_bounce = true;
    CHECK_EQ(ccdma_max_mapping_size(&dev), (size_t)256 << 10, "forced bounce: 256 KiB");
    dev.min_align_mask = 0xfff;
    CHECK_EQ(ccdma_max_mapping_size(&dev), (size_t)252 << 10, "min_align_mask 4K-1: 252 KiB");
    dev.min_align_mask = 0x7ff;
    CHECK_EQ(ccdma_max_mapping_size(&dev), (size_t)254 << 10, "min_align_mask 2K-1: 254 KiB");
    dev.min_align_mask = 0xffff;
    CHECK_EQ(ccdma_max_mapping_size(&dev), (size_t)192 << 10, "min_align_mask 64K-1: 192 KiB");
    t_dev_t1(&dev, "max-t1", UINT64_MAX);
    CHECK_EQ(ccdma_max_mapping_size(&dev), SIZE_MAX, "T=1 with a full mask never bounces");
    dev.dma_mask = 0xffffffff;
    CHECK_EQ(ccdma_max_mapping_size(&dev), (size_t)256 << 10, "an addressing limit may bounce");
    CHECK_EQ(ccdma_max_mapping_size(NULL), 0, "NULL device");
}

static void test_lifecycle(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct ccdma_device dev;
    void *buf;
    ccdma_dma_t d;

    REQUIRE(host_platform_init(&p) == CCDMA_OK);
    ccdma_device_default(&dev, "early", UINT64_MAX);
    CHECK_ERR(ccdma_device_init(&dev), CCDMA_OK, "devices can be described before ccdma_init");
    buf = t_pages(1);
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_EINVAL,
              "no mapping before ccdma_init");
    CHECK_ERR(ccdma_shutdown(), CCDMA_EINVAL, "no shutdown before init");
    CHECK_ERR(ccdma_init(&c), CCDMA_OK, "init");
    CHECK_ERR(ccdma_init(&c), CCDMA_EBUSY, "init twice");
    CHECK_EQ(ccdma_poll(), 0, "nothing to do right after init");
    CHECK_ERR(ccdma_shutdown(), 0, "shutdown");
    CHECK_ERR(ccdma_init(NULL), CCDMA_OK, "init again, with defaults");
    CHECK(t_debug().enabled, "defaults turn dma-debug on");
    CHECK_ERR(ccdma_shutdown(), 0, "shutdown again");
    t_pages_free(buf, 1);
    CHECK_EQ(t_port().pages_in_use, 0, "every page back");
    host_platform_fini();
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "dma mapping core");
    t_run(test_encodings, "encodings");
    t_run(test_capable, "dma_capable");
    t_run(test_device_init, "devices");
    t_run(test_alloc_attrs, "allocation attributes (rule 4)");
    t_run(test_map_attrs_and_args, "mapping arguments");
    t_run(test_strerror, "strerror");
    t_run(test_max_mapping_size, "max mapping size");
    t_run_raw(test_lifecycle, "lifecycle");
    return t_finish();
}
