/* SPDX-License-Identifier: MIT */
/*
 * Device-tree discovery: memory, reserved ranges, the console UART, virtio-mmio
 * transports, a PCI host bridge, the PSCI conduit, the RNG seed and bootargs. The tree is host
 * input: each property is length-checked and each range overflow-checked
 * before it is stored.
 */
#include "boot/dt_platform.h"

#include <libfdt.h>
#include <string.h>

#include <ccdma/errors.h>

/* Smallest register window a virtio-mmio v2 transport needs (registers up to
 * 0x100, config space after it). */
#define VIRTIO_MMIO_MIN_SIZE 0x100

struct cells {
    int addr; /* #address-cells of the parent */
    int size; /* #size-cells of the parent */
};

static bool cells_valid(struct cells c)
{
    return c.addr >= 1 && c.addr <= 2 && c.size >= 0 && c.size <= 2;
}

static struct cells node_cells(const void *fdt, int parent)
{
    struct cells c = {2, 1}; /* devicetree spec defaults */
    int len;
    const fdt32_t *p = fdt_getprop(fdt, parent, "#address-cells", &len);
    if (p && len == 4)
        c.addr = (int)fdt32_to_cpu(*p);
    else if (p)
        c.addr = -1;
    p = fdt_getprop(fdt, parent, "#size-cells", &len);
    if (p && len == 4)
        c.size = (int)fdt32_to_cpu(*p);
    else if (p)
        c.size = -1;
    return c;
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

/* Reads entry idx of a node's reg. Returns 0, -1 when idx is past the end,
 * or CCDMA_EPROTO when the property is malformed or the range overflows. */
static int reg_entry(const void *fdt, int node, int idx, struct dt_range *out)
{
    struct cells c = node_cells(fdt, fdt_parent_offset(fdt, node));
    int len;
    const fdt32_t *reg;

    if (!cells_valid(c))
        return CCDMA_EPROTO;
    reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || len <= 0)
        return -1;
    int stride = (c.addr + c.size) * 4;
    if (len % stride)
        return CCDMA_EPROTO;
    if (idx >= len / stride)
        return -1;
    reg += idx * (c.addr + c.size);
    out->base = read_cells(reg, c.addr);
    out->size = c.size ? read_cells(reg + c.addr, c.size) : 0;
    if (out->size == 0 || out->base + out->size < out->base)
        return CCDMA_EPROTO;
    return 0;
}

static bool node_enabled(const void *fdt, int node)
{
    int len;
    const char *status = fdt_getprop(fdt, node, "status", &len);
    if (!status)
        return true;
    return len >= 2 && (strncmp(status, "okay", (size_t)len) == 0 ||
                        strncmp(status, "ok", (size_t)len) == 0);
}

bool dt_node_is_memory(const void *fdt, int node)
{
    int len;
    const char *type = fdt_getprop(fdt, node, "device_type", &len);
    return type && len == sizeof("memory") &&
           memcmp(type, "memory", sizeof("memory")) == 0;
}

static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

/* True when [base, base+size) overlaps any RAM or reserved range found so
 * far: a device window there would remap memory the runtime owns. */
static bool overlaps_memory(const struct dt_platform *out, uint64_t base, uint64_t size)
{
    return dt_range_overlaps(base, size, out->mem, out->n_mem) ||
           dt_range_overlaps(base, size, out->reserved, out->n_reserved);
}

static void parse_memory(const void *fdt, struct dt_platform *out,
                         unsigned int *skipped)
{
    for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
         node = fdt_next_node(fdt, node, NULL)) {
        if (!dt_node_is_memory(fdt, node) || !node_enabled(fdt, node))
            continue;
        for (int i = 0;; i++) {
            struct dt_range r;
            int err = reg_entry(fdt, node, i, &r);
            if (err == -1)
                break;
            if (err || out->n_mem == DT_MAX_MEM) {
                (*skipped)++;
                if (err)
                    break;
                continue;
            }
            /* Two ranges over the same pages would give each page two
             * owners (and two allocator bits): keep the first. */
            if (overlaps_memory(out, r.base, r.size)) {
                (*skipped)++;
                continue;
            }
            out->mem[out->n_mem++] = r;
        }
    }
}

static void add_reserved(struct dt_platform *out, uint64_t base, uint64_t size,
                         unsigned int *skipped)
{
    if (size == 0 || base + size < base || out->n_reserved == DT_MAX_RESERVED) {
        (*skipped)++;
        return;
    }
    out->reserved[out->n_reserved++] = (struct dt_range){base, size};
}

static void parse_reserved(const void *fdt, struct dt_platform *out,
                           unsigned int *skipped)
{
    int n = fdt_num_mem_rsv(fdt);
    for (int i = 0; i < n; i++) {
        uint64_t base, size;
        if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
            add_reserved(out, base, size, skipped);
    }
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    if (rm < 0)
        return;
    int child;
    fdt_for_each_subnode(child, fdt, rm) {
        for (int i = 0;; i++) {
            struct dt_range r;
            int err = reg_entry(fdt, child, i, &r);
            if (err == -1)
                break;
            if (err) {
                (*skipped)++;
                break;
            }
            add_reserved(out, r.base, r.size, skipped);
        }
    }
}

/* A one-cell u32 property, or dflt when absent; false when malformed. */
static bool prop_u32(const void *fdt, int node, const char *name, uint32_t dflt, uint32_t *v)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

    if (p == NULL) {
        *v = dflt;
        return true;
    }
    if (len != sizeof(*p))
        return false;
    *v = fdt32_to_cpu(*p);
    return true;
}

/* The node stdout-path names, through one alias at most; -1 when none. */
static int stdout_node(const void *fdt)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    int len;
    const char *path;

    if (chosen < 0)
        return -1;
    path = fdt_getprop(fdt, chosen, "stdout-path", &len);
    if (!path || len <= 1 || path[len - 1] != '\0')
        return -1;
    /* "path:options": the options (baud rate) do not concern us. */
    const char *colon = strchr(path, ':');
    int plen = colon ? (int)(colon - path) : (int)strlen(path);
    if (path[0] != '/') {
        /* An alias ("serial0"), resolved here: one level, to an absolute
         * path only. libfdt resolves aliases recursively, so an alias that
         * names itself would recurse until the stack overflows. */
        int aliases = fdt_path_offset(fdt, "/aliases");
        if (aliases < 0 || plen == 0 || memchr(path, '/', (size_t)plen))
            return -1;
        path = fdt_getprop_namelen(fdt, aliases, path, plen, &len);
        if (!path || len <= 1 || path[0] != '/' || path[len - 1] != '\0')
            return -1;
        plen = (int)strlen(path);
    }
    int node = fdt_path_offset_namelen(fdt, path, plen);
    return node >= 0 && node_enabled(fdt, node) ? node : -1;
}

/* The 16550 family: its eight registers, each reg-io-width wide and
 * 1 << reg-shift apart, must fit the window (kvmtool's is 8 bytes). */
static bool ns16550_layout(const void *fdt, int node, const struct dt_range *r,
                           struct dt_uart *u)
{
    uint32_t shift, width;

    if (!prop_u32(fdt, node, "reg-shift", 0, &shift) ||
        !prop_u32(fdt, node, "reg-io-width", 1, &width) || shift > 2 ||
        (width != 1 && width != 4) || (r->base & (width - 1)) ||
        r->size < ((uint64_t)7 << shift) + width)
        return false;
    u->kind = DT_UART_NS16550;
    u->reg_shift = (uint8_t)shift;
    u->io_width = (uint8_t)width;
    return true;
}

static void parse_uart(const void *fdt, struct dt_platform *out,
                       unsigned int *skipped)
{
    static const char *const ns16550_compat[] = {"ns16550a", "ns16550", "ns8250"};
    int node = stdout_node(fdt);
    struct dt_uart u = {0};
    struct dt_range r;
    bool ok = false;

    if (node < 0)
        return;
    if (reg_entry(fdt, node, 0, &r) != 0 || overlaps_memory(out, r.base, r.size)) {
        (*skipped)++;
        return;
    }
    if (fdt_node_check_compatible(fdt, node, "arm,pl011") == 0) {
        u.kind = DT_UART_PL011;
        ok = r.size >= 0x1000 && (r.base & 0xfff) == 0;
    } else {
        bool known = false;

        for (unsigned int i = 0; i < sizeof(ns16550_compat) / sizeof(ns16550_compat[0]); i++)
            if (fdt_node_check_compatible(fdt, node, ns16550_compat[i]) == 0) {
                known = true;
                ok = ns16550_layout(fdt, node, &r, &u);
                break;
            }
        if (!known)
            return; /* a console this runtime has no driver for: none */
    }
    if (!ok) {
        (*skipped)++;
        return;
    }
    u.base = r.base;
    u.size = r.size;
    out->uart = u;
    out->has_uart = true;
}

/* GIC interrupt specifier (type, number, flags) -> INTID; 0 if unusable.
 * *edge: the trigger the flags give (1, 2: edge; 4, 8: level). */
static uint32_t gic_intid(const void *fdt, int node, bool *edge)
{
    int len;
    const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
    if (!irq || len != 12)
        return 0;
    uint32_t type = fdt32_to_cpu(irq[0]), num = fdt32_to_cpu(irq[1]);
    *edge = (fdt32_to_cpu(irq[2]) & 3u) != 0;
    if (type == 0 && num < 988)
        return 32 + num; /* SPI */
    if (type == 1 && num < 16)
        return 16 + num; /* PPI */
    return 0;
}

static void parse_virtio(const void *fdt, struct dt_platform *out,
                         unsigned int *skipped)
{
    int node = -1;
    while ((node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0) {
        struct dt_range r;
        if (!node_enabled(fdt, node))
            continue;
        if (reg_entry(fdt, node, 0, &r) != 0 || r.size < VIRTIO_MMIO_MIN_SIZE ||
            (r.base & 0xff) || overlaps_memory(out, r.base, r.size)) {
            (*skipped)++;
            continue;
        }
        if (out->n_virtio == DT_MAX_VIRTIO) {
            (*skipped)++;
            continue;
        }
        bool edge = false;
        uint32_t intid = gic_intid(fdt, node, &edge);
        out->virtio[out->n_virtio++] = (struct dt_virtio){r.base, r.size, intid, edge};
    }
}

/* ---- PCI host bridge (the generic ECAM binding, pci-host-ecam-generic) ---------------- */

#define PCI_ADDR_CELLS 3
#define PCI_SIZE_CELLS 2
#define PCI_SPACE(hi) (((hi) >> 24) & 3u)
#define PCI_SPACE_MEM32 2u
#define PCI_SPACE_MEM64 3u
#define ECAM_BUS_BYTES (1ull << 20)

/* The first 32-bit and the first 64-bit memory window of ranges. */
static bool pci_windows(const void *fdt, int node, int parent_ac, struct dt_pci *pci)
{
    int len;
    const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);
    int stride = PCI_ADDR_CELLS + parent_ac + PCI_SIZE_CELLS;

    if (r == NULL || len <= 0 || len % (stride * 4))
        return false;
    for (int i = 0; i < len / (stride * 4); i++, r += stride) {
        uint32_t space = PCI_SPACE(fdt32_to_cpu(r[0]));
        struct dt_pci_window w = {
            .pci = read_cells(r + 1, 2),
            .cpu = read_cells(r + PCI_ADDR_CELLS, parent_ac),
            .size = read_cells(r + PCI_ADDR_CELLS + parent_ac, PCI_SIZE_CELLS),
        };
        struct dt_pci_window *slot = space == PCI_SPACE_MEM32   ? &pci->mem32
                                     : space == PCI_SPACE_MEM64 ? &pci->mem64
                                                                : NULL;

        if (slot == NULL || slot->size)
            continue; /* I/O space, or a later window of a kind already kept */
        if (w.size == 0 || w.cpu + w.size < w.cpu || w.pci + w.size < w.pci ||
            (space == PCI_SPACE_MEM32 && w.pci + w.size > (1ull << 32)))
            return false;
        *slot = w;
    }
    return pci->mem32.size || pci->mem64.size;
}

static void parse_pci(const void *fdt, struct dt_platform *out, unsigned int *skipped)
{
    int node = -1;

    while ((node = fdt_node_offset_by_compatible(fdt, node, "pci-host-ecam-generic")) >= 0) {
        struct cells own = node_cells(fdt, node);
        struct cells parent = node_cells(fdt, fdt_parent_offset(fdt, node));
        struct dt_pci pci = {0};
        struct dt_range ecam;
        const fdt32_t *bus;
        int len;

        if (!node_enabled(fdt, node))
            continue;
        if (out->has_pci) {
            (*skipped)++; /* one bridge is driven; the others are left alone */
            continue;
        }
        bus = fdt_getprop(fdt, node, "bus-range", &len);
        pci.bus_first = bus && len == 8 ? fdt32_to_cpu(bus[0]) : 0;
        pci.bus_last = bus && len == 8 ? fdt32_to_cpu(bus[1]) : 255;
        if (own.addr != PCI_ADDR_CELLS || own.size != PCI_SIZE_CELLS || !cells_valid(parent) ||
            reg_entry(fdt, node, 0, &ecam) != 0 || (ecam.base & (ECAM_BUS_BYTES - 1)) ||
            ecam.size < ECAM_BUS_BYTES || pci.bus_first > pci.bus_last || pci.bus_last > 255 ||
            overlaps_memory(out, ecam.base, ecam.size) ||
            !pci_windows(fdt, node, parent.addr, &pci) ||
            (pci.mem32.size && overlaps_memory(out, pci.mem32.cpu, pci.mem32.size)) ||
            (pci.mem64.size && overlaps_memory(out, pci.mem64.cpu, pci.mem64.size))) {
            (*skipped)++;
            continue;
        }
        /* Only the buses the ECAM really covers. */
        if ((uint64_t)(pci.bus_last - pci.bus_first + 1) * ECAM_BUS_BYTES > ecam.size)
            pci.bus_last = pci.bus_first + (uint32_t)(ecam.size / ECAM_BUS_BYTES) - 1;
        pci.ecam = ecam.base;
        pci.ecam_size = (uint64_t)(pci.bus_last - pci.bus_first + 1) * ECAM_BUS_BYTES;
        out->pci = pci;
        out->has_pci = true;
    }
}

/* The first enabled GIC: its register windows, checked against RAM. */
static void parse_gic(const void *fdt, struct dt_platform *out, unsigned int *skipped)
{
    static const struct { const char *compat; unsigned int version; } kinds[] = {
        {"arm,gic-v3", 3}, {"arm,cortex-a15-gic", 2}, {"arm,gic-400", 2},
        {"arm,cortex-a9-gic", 2},
    };

    for (unsigned int k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        int node = -1;

        while ((node = fdt_node_offset_by_compatible(fdt, node, kinds[k].compat)) >= 0) {
            struct dt_gic g = {.version = kinds[k].version};

            if (!node_enabled(fdt, node))
                continue;
            if (reg_entry(fdt, node, 0, &g.dist) != 0 || reg_entry(fdt, node, 1, &g.cpu) != 0 ||
                g.dist.size < 0x1000 || g.cpu.size < 0x1000 || (g.dist.base & 0xfff) ||
                (g.cpu.base & 0xfff) || overlaps_memory(out, g.dist.base, g.dist.size) ||
                overlaps_memory(out, g.cpu.base, g.cpu.size)) {
                (*skipped)++;
                continue;
            }
            out->gic = g;
            return;
        }
    }
}

/* The CPUs /cpus lists, by MPIDR affinity (their reg, 1 or 2 cells). */
static void parse_cpus(const void *fdt, struct dt_platform *out, unsigned int *skipped)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    struct cells c;
    int node;

    if (cpus < 0)
        return;
    c = node_cells(fdt, cpus);
    fdt_for_each_subnode(node, fdt, cpus) {
        int tlen, len;
        const char *type = fdt_getprop(fdt, node, "device_type", &tlen);
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        uint64_t mpidr;
        bool dup = false;

        if (!type || tlen != sizeof("cpu") || memcmp(type, "cpu", sizeof("cpu")) != 0 ||
            !node_enabled(fdt, node))
            continue;
        if (c.addr < 1 || c.addr > 2 || !reg || len != c.addr * 4 || out->n_cpus == DT_MAX_CPUS) {
            (*skipped)++;
            continue;
        }
        mpidr = read_cells(reg, c.addr);
        for (unsigned int i = 0; i < out->n_cpus; i++)
            dup |= out->cpu_mpidr[i] == mpidr;
        /* Only affinity fields; a duplicate would start one CPU twice. */
        if (dup || (mpidr & ~0xff00ffffffull)) {
            (*skipped)++;
            continue;
        }
        out->cpu_mpidr[out->n_cpus++] = mpidr;
    }
}

static void parse_psci(const void *fdt, struct dt_platform *out)
{
    int node = fdt_path_offset(fdt, "/psci");
    int len;
    const char *method;

    out->psci = DT_PSCI_NONE;
    if (node < 0 || !node_enabled(fdt, node))
        return;
    method = fdt_getprop(fdt, node, "method", &len);
    if (!method || len < 4)
        return;
    if (strncmp(method, "hvc", (size_t)len) == 0)
        out->psci = DT_PSCI_HVC;
    else if (strncmp(method, "smc", (size_t)len) == 0)
        out->psci = DT_PSCI_SMC;
}

static void parse_chosen(const void *fdt, struct dt_platform *out)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    int len;

    if (chosen < 0)
        return;
    const uint8_t *seed = fdt_getprop(fdt, chosen, "rng-seed", &len);
    if (seed && len > 0) {
        out->rng_seed_len = (unsigned int)len < sizeof(out->rng_seed)
                                ? (unsigned int)len : sizeof(out->rng_seed);
        memcpy(out->rng_seed, seed, out->rng_seed_len);
    }
    const char *args = fdt_getprop(fdt, chosen, "bootargs", &len);
    if (args && len > 0 && (size_t)len <= sizeof(out->bootargs) &&
        args[len - 1] == '\0')
        memcpy(out->bootargs, args, (size_t)len);
}

bool dt_range_overlaps(uint64_t base, uint64_t size, const struct dt_range *r, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (ranges_overlap(base, size, r[i].base, r[i].size))
            return true;
    return false;
}

static unsigned int drop_pci_window(struct dt_pci_window *w, dt_window_ok_fn ok, void *ctx)
{
    if (w->size == 0 || ok(w->cpu, w->size, ctx))
        return 0;
    *w = (struct dt_pci_window){0};
    return 1;
}

unsigned int dt_platform_drop_windows(struct dt_platform *p, dt_window_ok_fn ok, void *ctx)
{
    unsigned int dropped = 0, kept = 0;

    if (p->has_uart && !ok(p->uart.base, p->uart.size, ctx)) {
        p->has_uart = false;
        dropped++;
    }
    for (unsigned int i = 0; i < p->n_virtio; i++) {
        if (ok(p->virtio[i].base, p->virtio[i].size, ctx))
            p->virtio[kept++] = p->virtio[i];
        else
            dropped++;
    }
    p->n_virtio = kept;
    if (p->has_pci && !ok(p->pci.ecam, p->pci.ecam_size, ctx)) {
        p->has_pci = false;
        dropped++;
    }
    if (p->has_pci) {
        dropped += drop_pci_window(&p->pci.mem32, ok, ctx);
        dropped += drop_pci_window(&p->pci.mem64, ok, ctx);
    }
    if (p->gic.version &&
        (!ok(p->gic.dist.base, p->gic.dist.size, ctx) || !ok(p->gic.cpu.base, p->gic.cpu.size, ctx))) {
        p->gic = (struct dt_gic){0};
        dropped++;
    }
    return dropped;
}

int dt_platform_parse(const void *fdt, size_t max_size, struct dt_platform *out,
                      unsigned int *skipped)
{
    unsigned int dummy = 0;

    if (!fdt || !out)
        return CCDMA_EINVAL;
    if (!skipped)
        skipped = &dummy;
    memset(out, 0, sizeof(*out));
    if (max_size < sizeof(struct fdt_header) || fdt_magic(fdt) != FDT_MAGIC ||
        fdt_totalsize(fdt) > max_size)
        return CCDMA_EPROTO;
    if (fdt_check_header(fdt) != 0)
        return CCDMA_EPROTO;
    struct cells root = node_cells(fdt, 0);
    if (!cells_valid(root))
        return CCDMA_EPROTO;
    out->dtb_size = fdt_totalsize(fdt);

    parse_memory(fdt, out, skipped);
    if (out->n_mem == 0)
        return CCDMA_EPROTO; /* a machine without memory is not plausible */
    parse_reserved(fdt, out, skipped);
    parse_uart(fdt, out, skipped);
    parse_virtio(fdt, out, skipped);
    parse_pci(fdt, out, skipped);
    parse_cpus(fdt, out, skipped);
    parse_gic(fdt, out, skipped);
    parse_psci(fdt, out);
    parse_chosen(fdt, out);
    return 0;
}

bool dt_bootarg(const struct dt_platform *p, const char *key, char *buf,
                size_t buflen)
{
    size_t klen = strlen(key);
    const char *s = p->bootargs;

    while (*s) {
        while (*s == ' ')
            s++;
        const char *end = strchr(s, ' ');
        size_t tlen = end ? (size_t)(end - s) : strlen(s);
        if (tlen >= klen && strncmp(s, key, klen) == 0 &&
            (tlen == klen || s[klen] == '=')) {
            if (buf && buflen) {
                size_t vlen = tlen > klen ? tlen - klen - 1 : 0;
                if (vlen >= buflen)
                    vlen = buflen - 1;
                memcpy(buf, s + klen + (tlen > klen), vlen);
                buf[vlen] = '\0';
            }
            return true;
        }
        s += tlen;
    }
    return false;
}
