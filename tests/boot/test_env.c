/* SPDX-License-Identifier: MIT */
/*
 * The portable half of tests/boot/test_env.h: which host misbehaviour this
 * boot injects and what a conversion must then return. Outside a realm
 * nothing is injected, so on AArch32 these reduce to "must succeed". The
 * RSI queries and the device view are per architecture
 * (test_env_arm64.c, arm/test_env_arm.c).
 */
#include "tests/boot/test_env.h"

#include <libfdt.h>
#include <string.h>

#include <ccdma/blk.h>
#include <ccdma/dma.h>
#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "boot/boot.h"
#include "boot/runtime.h"
#include "tests/boot/disk_pattern.h"

/* ccdma.inject may name several modes ("reject,one_granule"), as the monitor
 * accepts. The one that decides outcomes wins: an error status over a REJECT
 * of everything, over a REJECT of unshares, over partial progress. */
static bool inject_has(const char *list, const char *mode)
{
    size_t n = strlen(mode);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, mode, n) == 0)
            return true;
        p += len + (end != NULL);
    }
    return false;
}

enum inject test_inject_mode(void)
{
    char v[64];
    if (!dt_bootarg(&rt.plat, "ccdma.inject", v, sizeof(v)))
        return INJ_NONE;
    if (inject_has(v, "rsi_error"))
        return INJ_RSI_ERROR;
    if (inject_has(v, "reject_empty"))
        return INJ_REJECT_EMPTY;
    if (inject_has(v, "reject"))
        return INJ_REJECT;
    if (inject_has(v, "one_granule"))
        return INJ_ONE_GRANULE;
    return INJ_NONE;
}

bool test_partial_progress(void)
{
    char v[64];
    return dt_bootarg(&rt.plat, "ccdma.inject", v, sizeof(v)) && inject_has(v, "one_granule");
}

bool test_sharing_fails(void)
{
    enum inject i = test_inject_mode();
    return rt.realm && (i == INJ_REJECT_EMPTY || i == INJ_RSI_ERROR);
}

int test_injected_error(bool to_shared)
{
    if (!rt.realm)
        return 0;
    switch (test_inject_mode()) {
    case INJ_REJECT:
        return to_shared ? 0 : CCDMA_EREJECT; /* the host rejects only RAM */
    case INJ_REJECT_EMPTY:
        /* A refused change to EMPTY is not a REJECT (DEN0137: that answer
         * is for RAM only) but an ACCEPT without progress, again and
         * again: the client gives up on the stall. */
        return to_shared ? CCDMA_ETIMEDOUT : CCDMA_EREJECT;
    case INJ_RSI_ERROR:
        return CCDMA_ERSI;
    default:
        return 0;
    }
}

bool test_conversion(int err, bool to_shared, const char *what)
{
    if (err == 0)
        return true;
    int want = test_injected_error(to_shared);
    st_check(want != 0 && err == want, what, "%s, expected %s", ccdma_strerror(err),
             want ? ccdma_strerror(want) : "success");
    return false;
}

int test_alloc_shared(struct ccdma_device *dev, size_t size, void **cpu, ccdma_dma_t *handle)
{
    int err = ccdma_alloc_coherent(dev, size, 0, 0, cpu, handle);
    if (test_conversion(err, true, "conversion for shared memory refused cleanly by the host"))
        return 0;
    return ccdma_alloc_coherent(dev, size, CCDMA_ALLOC_ATOMIC, 0, cpu, handle);
}

/* A property of /chosen in the DTB the host gave us. */
static const void *chosen_prop(const char *name, int *len)
{
    const void *fdt = (const void *)rt.dtb;
    int chosen = fdt_path_offset(fdt, "/chosen");

    return chosen < 0 ? NULL : fdt_getprop(fdt, chosen, name, len);
}

bool test_host_share_fill(uint8_t *fill)
{
    int len = 0;
    const fdt32_t *v = chosen_prop("ccdma,share-fill", &len);

    if (v == NULL || len != (int)sizeof(*v) || fdt32_to_cpu(*v) > 0xff)
        return false;
    *fill = (uint8_t)fdt32_to_cpu(*v);
    return true;
}

bool test_host_alias_abort(void)
{
    int len = 0;

    return chosen_prop("ccdma,alias-abort", &len) != NULL;
}

void test_disk_identify(struct ccdma_blk *blk, struct test_disk *d)
{
    static const char magic[] = DISK_SIG_MAGIC;
    uint8_t *sec = ccdma_plat_pages_alloc(1, UINT64_MAX);

    *d = (struct test_disk){.why = "the signature sector could not be read"};
    if (ccdma_blk_capacity(blk) < DISK_SECTORS) {
        d->why = "smaller than the test layout: not a test disk, never written";
    } else if (sec != NULL && ccdma_blk_read(blk, DISK_SIG_SECTOR, sec, DISK_SECTOR, 0) == 0) {
        /* The magic, NUL-padded to the salt, and nothing else decides. */
        bool pad = true;
        for (unsigned int i = sizeof(magic) - 1; i < DISK_SIG_SALT_OFF; i++)
            pad = pad && sec[i] == 0;
        d->ours = memcmp(sec, magic, sizeof(magic) - 1) == 0 && pad;
        memcpy(&d->salt, sec + DISK_SIG_SALT_OFF, sizeof(d->salt));
        d->why = d->ours ? NULL : "no test-disk signature at sector 2048: not ours, never written";
    }
    if (d->ours && blk->read_only)
        d->why = "the device is read-only (VIRTIO_BLK_F_RO)";
    d->writable = d->ours && !blk->read_only;
    if (sec != NULL)
        ccdma_plat_pages_free(sec, 1);
}
