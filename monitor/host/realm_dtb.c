/* SPDX-License-Identifier: MIT */
/*
 * The realm's device tree: the host's, with what a VMM would change for a
 * realm. RAM is the realm's 256 MiB at IPA 0x4000_0000 (one memory node,
 * no reservations in host PAs), PSCI goes over SMC (the RMM answers or
 * forwards it), /cpus lists only the vCPUs this host makes RECs for
 * (REC indices 0 .. n-1, up to HOST_MAX_RECS), and everything else,
 * bootargs included, is kept: device addresses stay PAs, the realm reaches them at shared bit + PA. The
 * bootargs are the host's own, wherever it took them from.
 *
 * /chosen also says what this host does where a host may choose, so the
 * realm's self-tests can tell policy from architecture:
 *   ccdma,share-fill = <byte>   what a newly shared page holds
 *   ccdma,alias-abort           an access to an unprotected IPA that is
 *                               neither shared nor a device gets an
 *                               external abort
 *   ccdma,test-host-calls       it serves ccdma's test host calls
 *                               (HOST_CALL_DESTROY_PAGE)
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "host.h"

/* #address-cells / #size-cells of the root, 1 or 2 each. */
static int root_cells(const void *fdt, const char *name, int dflt)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, 0, name, &len);

    if (p == NULL)
        return dflt;
    if (len != sizeof(*p))
        return -FDT_ERR_BADNCELLS;
    int v = (int)fdt32_to_cpu(*p);
    return v == 1 || v == 2 ? v : -FDT_ERR_BADNCELLS;
}

static int put_cells(fdt32_t *out, int cells, uint64_t v)
{
    if (cells == 1 && v > UINT32_MAX)
        return -FDT_ERR_BADVALUE;
    if (cells == 2)
        *out++ = cpu_to_fdt32((uint32_t)(v >> 32));
    *out = cpu_to_fdt32((uint32_t)v);
    return cells;
}

/* Keep the first memory node (renamed for the realm's base), drop the
 * others, and give it the one range [base, base + size). */
static int set_memory(void *fdt, uint64_t base, uint64_t size)
{
    char name[32];
    fdt32_t reg[4];
    int ac = root_cells(fdt, "#address-cells", 2);
    int sc = root_cells(fdt, "#size-cells", 1);
    int first = -1, node, err, n;

    if (ac < 0 || sc < 0)
        return -FDT_ERR_BADNCELLS;
    for (node = fdt_next_node(fdt, -1, NULL); node >= 0;) {
        if (!dt_node_is_memory(fdt, node)) {
            node = fdt_next_node(fdt, node, NULL);
        } else if (first < 0) {
            first = node;
            node = fdt_next_node(fdt, node, NULL);
        } else {
            /* Offsets after a deleted node move; the first one does not. */
            if ((err = fdt_del_node(fdt, node)) != 0)
                return err;
            node = fdt_next_node(fdt, first, NULL);
        }
    }
    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
    if (first < 0) {
        first = fdt_add_subnode(fdt, 0, name);
        if (first < 0)
            return first;
        if ((err = fdt_setprop_string(fdt, first, "device_type", "memory")) != 0)
            return err;
    } else if ((err = fdt_set_name(fdt, first, name)) != 0) {
        return err;
    }
    if ((n = put_cells(reg, ac, base)) < 0 || (err = put_cells(reg + n, sc, size)) < 0)
        return n < 0 ? n : err;
    return fdt_setprop(fdt, first, "reg", reg, (int)((ac + sc) * sizeof(fdt32_t)));
}

/* A cpu node's reg, the MPIDR in one or two cells, as an RmiRecMpidr
 * (Aff3 moves from bits [39:32] to [31:24]) and the REC index the RMM
 * specification derives from it. False for a reg RMI cannot name: an Aff0
 * of 16 or more, or bits outside the affinity fields. */
static bool cpu_rec_mpidr(const fdt32_t *reg, int len, uint64_t *rec_mpidr, unsigned int *index)
{
    uint64_t m;

    if (reg == NULL || (len != 4 && len != 8))
        return false;
    m = len == 8 ? (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
                 : fdt32_to_cpu(reg[0]);
    if (m & ~0xff00ffff0full)
        return false;
    *rec_mpidr = host_affinity(m);
    *index = (unsigned int)((m & 0xf) | ((m >> 8) & 0xff) << 4 | ((m >> 16) & 0xff) << 12 |
                            ((m >> 32) & 0xff) << 20);
    return true;
}

/* Keep the cpu nodes of REC indices 0 .. n-1, n the longest run of indices
 * from 0 the tree lists, at most max: REC_CREATE takes the RECs in index
 * order, and a cpu the realm has no REC for would be a CPU_ON the RMM must
 * refuse. Every other cpu node goes. */
static int set_cpus(void *fdt, unsigned int max, unsigned int *n, uint64_t *mpidr)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    uint64_t seen[HOST_MAX_RECS] = {0};
    bool have[HOST_MAX_RECS] = {false};
    unsigned int keep = 0;
    int node, err;

    *n = 1;
    mpidr[0] = 0;
    if (cpus < 0)
        return 0;
    fdt_for_each_subnode(node, fdt, cpus) {
        int len;
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        unsigned int idx;
        uint64_t m;

        if (type != NULL && strcmp(type, "cpu") == 0 && cpu_rec_mpidr(reg, len, &m, &idx) &&
            idx < max && idx < HOST_MAX_RECS && !have[idx]) {
            have[idx] = true;
            seen[idx] = m;
        }
    }
    while (keep < max && keep < HOST_MAX_RECS && have[keep]) {
        mpidr[keep] = seen[keep];
        keep++;
    }
    *n = keep ? keep : 1;
    /* The first node of each kept index stays; a second one with the same
     * reg goes with the rest. */
    memset(have, 0, sizeof(have));
    for (node = fdt_first_subnode(fdt, cpus); node >= 0;) {
        int len;
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        unsigned int idx;
        uint64_t m;

        if (type == NULL || strcmp(type, "cpu") != 0 ||
            (cpu_rec_mpidr(reg, len, &m, &idx) && idx < keep && !have[idx])) {
            if (type != NULL && strcmp(type, "cpu") == 0)
                have[idx] = true;
            node = fdt_next_subnode(fdt, node);
            continue;
        }
        /* The next node takes this one's offset once it is gone: walk
         * again from the first, every index not yet kept. */
        if ((err = fdt_del_node(fdt, node)) != 0)
            return err;
        memset(have, 0, sizeof(have));
        node = fdt_first_subnode(fdt, cpus);
    }
    /* The cpu-map names CPUs by phandle; some may now point nowhere. */
    node = fdt_subnode_offset(fdt, cpus, "cpu-map");
    if (node >= 0 && (err = fdt_del_node(fdt, node)) != 0)
        return err;
    return 0;
}

static int set_psci_smc(void *fdt)
{
    int node = fdt_path_offset(fdt, "/psci");
    int err;

    if (node < 0) {
        node = fdt_add_subnode(fdt, 0, "psci");
        if (node < 0)
            return node;
        if ((err = fdt_setprop_string(fdt, node, "compatible", "arm,psci-0.2")) != 0)
            return err;
    }
    return fdt_setprop_string(fdt, node, "method", "smc");
}

static int set_chosen(void *fdt, const char *bootargs, const struct host_policy *p)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    int err;

    if (chosen < 0 && (chosen = fdt_add_subnode(fdt, 0, "chosen")) < 0)
        return chosen;
    if (bootargs[0] != '\0' && (err = fdt_setprop_string(fdt, chosen, "bootargs", bootargs)) != 0)
        return err;
    if ((err = fdt_setprop_u32(fdt, chosen, "ccdma,share-fill", p->share_fill)) != 0 ||
        (err = fdt_setprop_empty(fdt, chosen, "ccdma,test-host-calls")) != 0)
        return err;
    return fdt_setprop_empty(fdt, chosen, "ccdma,alias-abort");
}

/* A hostile host's virtio-mmio node at ipa, one the realm must refuse. */
static int add_hostile_mmio(void *fdt, uint64_t ipa)
{
    char name[32];
    fdt32_t reg[4];
    int ac = root_cells(fdt, "#address-cells", 2);
    int sc = root_cells(fdt, "#size-cells", 1);
    int node, n, err;

    if (ac < 0 || sc < 0)
        return -FDT_ERR_BADNCELLS;
    snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)ipa);
    if ((node = fdt_add_subnode(fdt, 0, name)) < 0)
        return node;
    if ((n = put_cells(reg, ac, ipa)) < 0 || (err = put_cells(reg + n, sc, 0x200)) < 0)
        return n < 0 ? n : err;
    if ((err = fdt_setprop_string(fdt, node, "compatible", "virtio,mmio")) != 0)
        return err;
    return fdt_setprop(fdt, node, "reg", reg, (int)((ac + sc) * sizeof(fdt32_t)));
}

/* The RAM the tree reports, and the device it adds, under the policy:
 *   mmio_over_image  RAM from 32 MiB up, so that the DTB and the image lie
 *                    outside it, and a device inside the image's text;
 *   mmio_over_ram    RAM short of its last 2 MiB, and a device there: the
 *                    realm's RIPAS of it is still RAM.
 * The realm must refuse both devices and use the rest. */
static int set_memory_and_devices(void *fdt, const struct host_policy *p)
{
    uint64_t base = REALM_RAM_IPA, size = REALM_RAM_SIZE;
    int err;

    if (p->mmio_over_image) {
        base += 32ull << 20;
        size -= 32ull << 20;
    } else if (p->mmio_over_ram) {
        size -= 2ull << 20;
    }
    if ((err = set_memory(fdt, base, size)) != 0)
        return err;
    if (p->mmio_over_image)
        return add_hostile_mmio(fdt, REALM_ENTRY_IPA + 0x10000);
    if (p->mmio_over_ram)
        return add_hostile_mmio(fdt, REALM_RAM_TOP - (2ull << 20));
    return 0;
}

int realm_dtb_build(const void *host_fdt, void *dst, size_t max, size_t *size,
                    const char *bootargs, const struct host_policy *p,
                    unsigned int max_cpus, unsigned int *n_cpus, uint64_t *mpidr)
{
    int err, rm;

    if (max > INT32_MAX)
        return -FDT_ERR_NOSPACE;
    if ((err = fdt_open_into(host_fdt, dst, (int)max)) != 0)
        return err;
    while (fdt_num_mem_rsv(dst) > 0)
        if ((err = fdt_del_mem_rsv(dst, 0)) != 0)
            return err;
    /* Reservations name host PAs; the realm's RAM holds none of them. */
    rm = fdt_path_offset(dst, "/reserved-memory");
    if (rm >= 0 && (err = fdt_del_node(dst, rm)) != 0)
        return err;
    if ((err = set_memory_and_devices(dst, p)) != 0 || (err = set_cpus(dst, max_cpus, n_cpus, mpidr)) != 0 ||
        (err = set_psci_smc(dst)) != 0 ||
        (err = set_chosen(dst, bootargs, p)) != 0)
        return err;
    if ((err = fdt_pack(dst)) != 0)
        return err;
    *size = fdt_totalsize(dst);
    return 0;
}

/* A host that lies (the attestation tests): after declaring the DTB in its
 * launch record, it changes one character of the root's compatible, in
 * place, so the size and every page but one stay the same. The realm
 * never reads that property; only its REM[0] can tell. */
bool realm_dtb_lie(void *fdt)
{
    int len;
    char *compat = fdt_getprop_w(fdt, 0, "compatible", &len);

    if (compat == NULL || len < 2)
        return false;
    compat[0] ^= 0x20;
    return true;
}
