/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: device-tree discovery (boot/dt_platform.c) and dt_bootarg().
 *
 * Two input modes:
 *  - raw: an input that starts with the FDT magic is the DTB itself (the
 *    seed corpus holds QEMU's trees), so header and structure-block damage
 *    is reached;
 *  - structured: any other input is a program of edits (set cells, reg
 *    entries, strings, delete, add nodes, memreserve, truncate) applied with
 *    libfdt's read-write API to a valid QEMU-like tree, so values deep in
 *    well-formed trees are reached too.
 * Either way the DTB sits right before a PROT_NONE page and the result of
 * dt_platform_parse() is checked against its promises (ranges non-empty
 * and not wrapping, memory ranges disjoint, device windows off RAM and
 * reserved memory, limits, alignment, NUL-terminated bootargs, nothing
 * stale, every stored value present in the tree), and dt_bootarg() against
 * a reference tokenizer. Any break aborts.
 */
#include <libfdt.h>

#include <ccdma/errors.h>

#include "boot/dt_platform.h"
#include "fuzz_util.h"

#define TREE_MAX (64 * 1024)
#define RAW_MAX (1024 * 1024)
#define MAX_PATHS 32
#define PATH_LEN 96
#define MAX_EDITS 64

static struct fz_guard guard;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- checks on the parse result ---------------------------------------------------- */

static bool range_ok(struct dt_range r)
{
    return r.size > 0 && r.base + r.size > r.base; /* end representable */
}

static bool range_zero(struct dt_range r) { return r.base == 0 && r.size == 0; }

static bool overlap(struct dt_range a, struct dt_range b)
{
    return a.base < b.base + b.size && b.base < a.base + a.size;
}

/* A device window must not cover RAM or reserved memory: it would remap
 * memory the runtime owns. */
static bool over_memory(const struct dt_platform *p, struct dt_range r)
{
    for (unsigned int i = 0; i < p->n_mem; i++)
        if (overlap(r, p->mem[i]))
            return true;
    for (unsigned int i = 0; i < p->n_reserved; i++)
        if (overlap(r, p->reserved[i]))
            return true;
    return false;
}

/* #address-cells / #size-cells that node gives its children. */
static void own_cells(const void *fdt, int node, int *ac, int *sc)
{
    int len;
    const fdt32_t *p;

    *ac = 2; /* devicetree spec defaults */
    *sc = 1;
    if ((p = fdt_getprop(fdt, node, "#address-cells", &len)) && len == 4)
        *ac = (int)fdt32_to_cpu(*p);
    if ((p = fdt_getprop(fdt, node, "#size-cells", &len)) && len == 4)
        *sc = (int)fdt32_to_cpu(*p);
}

static void cells_of(const void *fdt, int node, int *ac, int *sc)
{
    int parent = fdt_parent_offset(fdt, node);

    *ac = 2;
    *sc = 1;
    if (parent >= 0)
        own_cells(fdt, parent, ac, sc);
}

/* Whether (base, size) is one of the node's reg entries, decoded with the
 * parent's cell counts, independently of the code under test. */
static bool reg_has(const void *fdt, int node, int ac, int sc, struct dt_range want)
{
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

    if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return false;
    for (int i = 0; (i + 1) * (ac + sc) * 4 <= len; i++) {
        const fdt32_t *e = reg + i * (ac + sc);
        uint64_t base = ac == 2 ? (uint64_t)fdt32_to_cpu(e[0]) << 32 | fdt32_to_cpu(e[1])
                                : fdt32_to_cpu(e[0]);
        const fdt32_t *s = e + ac;
        uint64_t size = sc == 2 ? (uint64_t)fdt32_to_cpu(s[0]) << 32 | fdt32_to_cpu(s[1])
                                : fdt32_to_cpu(s[0]);
        if (base == want.base && size == want.size)
            return true;
    }
    return false;
}

enum kind { K_MEMORY = 1, K_RESERVED = 2, K_PL011 = 4, K_VIRTIO = 8, K_NS16550 = 16 };

/* Every node with a reg, its kinds and its parent's cells, found in one
 * walk (looking parents up per range would make the check quadratic). */
#define MAX_NODES 4096
static struct {
    int off, ac, sc;
    unsigned int kinds;
} nodes[MAX_NODES];
static int nnodes;
static bool indexed; /* false for trees too deep or big to index */

static void index_tree(const void *fdt)
{
    int ac[64], sc[64], parent[64], depth = -1, len; /* the root is depth 0 */
    int rm = fdt_path_offset(fdt, "/reserved-memory");

    nnodes = 0;
    indexed = false;
    for (int node = fdt_next_node(fdt, -1, &depth); node >= 0 && depth >= 0;
         node = fdt_next_node(fdt, node, &depth)) {
        if (depth >= 64 || nnodes == MAX_NODES)
            return;
        own_cells(fdt, node, &ac[depth], &sc[depth]);
        parent[depth] = node;
        if (!fdt_getprop(fdt, node, "reg", &len))
            continue;
        const char *t = fdt_getprop(fdt, node, "device_type", &len);
        unsigned int k = 0;
        if (t && len >= 6 && memcmp(t, "memory", 6) == 0)
            k |= K_MEMORY;
        if (depth > 0 && parent[depth - 1] == rm)
            k |= K_RESERVED;
        if (fdt_node_check_compatible(fdt, node, "arm,pl011") == 0)
            k |= K_PL011;
        if (fdt_node_check_compatible(fdt, node, "virtio,mmio") == 0)
            k |= K_VIRTIO;
        if (fdt_node_check_compatible(fdt, node, "ns16550a") == 0 ||
            fdt_node_check_compatible(fdt, node, "ns16550") == 0 ||
            fdt_node_check_compatible(fdt, node, "ns8250") == 0)
            k |= K_NS16550;
        nodes[nnodes].off = node;
        nodes[nnodes].ac = depth > 0 ? ac[depth - 1] : 2;
        nodes[nnodes].sc = depth > 0 ? sc[depth - 1] : 1;
        nodes[nnodes++].kinds = k;
    }
    indexed = true;
}

/* Provenance: a stored range must come from a node of the right kind. */
static bool in_tree(const void *fdt, enum kind k, struct dt_range r)
{
    if (!indexed)
        return true; /* cannot tell */
    if (k == K_RESERVED) {
        int n = fdt_num_mem_rsv(fdt);
        for (int i = 0; i < n; i++) {
            uint64_t b, s;
            if (fdt_get_mem_rsv(fdt, i, &b, &s) == 0 && b == r.base && s == r.size)
                return true;
        }
    }
    for (int i = 0; i < nnodes; i++)
        if ((nodes[i].kinds & k) && reg_has(fdt, nodes[i].off, nodes[i].ac, nodes[i].sc, r))
            return true;
    return false;
}

/* Reference dt_bootarg(): space-separated tokens, "key" or "key=value". */
static bool ref_bootarg(const char *args, const char *key, const char **val,
                        size_t *vlen)
{
    size_t klen = strlen(key);

    for (const char *s = args; *s;) {
        size_t tlen = strcspn(s, " ");
        if (tlen == klen && memcmp(s, key, klen) == 0) {
            *val = s + klen;
            *vlen = 0;
            return true;
        }
        if (tlen > klen && memcmp(s, key, klen) == 0 && s[klen] == '=') {
            *val = s + klen + 1;
            *vlen = tlen - klen - 1;
            return true;
        }
        s += tlen;
        s += strspn(s, " ");
    }
    return false;
}

static void check_bootargs(const struct dt_platform *p)
{
    /* The keys the firmware and monitor use, plus prefixes of them. */
    static const char *const keys[] = {"ccdma.inject", "ccdma.fail_after", "ccdma.wipe",
                                       "ccdma.strict", "console", "ccdma", "x"};
    static const size_t buflens[] = {1, 2, 8, 64};

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const char *val = NULL;
        size_t vlen = 0;
        bool want = ref_bootarg(p->bootargs, keys[k], &val, &vlen);

        FUZZ_CHECK(dt_bootarg(p, keys[k], NULL, 0) == want, "key %s in \"%s\"",
                   keys[k], p->bootargs);
        for (size_t b = 0; b < sizeof(buflens) / sizeof(buflens[0]); b++) {
            size_t len = buflens[b];
            char *buf = malloc(len); /* exact size: ASan sees an overrun */
            FUZZ_CHECK(buf != NULL, "out of memory");
            memset(buf, 0x7f, len);
            bool got = dt_bootarg(p, keys[k], buf, len);
            FUZZ_CHECK(got == want, "key %s in \"%s\"", keys[k], p->bootargs);
            if (got) {
                size_t n = vlen < len - 1 ? vlen : len - 1;
                FUZZ_CHECK(memcmp(buf, val, n) == 0 && buf[n] == '\0',
                           "value of %s (buflen %zu) in \"%s\"", keys[k], len,
                           p->bootargs);
            }
            free(buf);
        }
    }
}

static bool same_platform(const struct dt_platform *a, const struct dt_platform *b)
{
    if (a->dtb_size != b->dtb_size || a->n_mem != b->n_mem ||
        a->n_reserved != b->n_reserved || a->has_uart != b->has_uart ||
        a->n_virtio != b->n_virtio || a->psci != b->psci ||
        a->rng_seed_len != b->rng_seed_len ||
        memcmp(a->mem, b->mem, sizeof(a->mem)) != 0 ||
        memcmp(a->reserved, b->reserved, sizeof(a->reserved)) != 0 ||
        memcmp(&a->uart, &b->uart, sizeof(a->uart)) != 0 ||
        memcmp(a->rng_seed, b->rng_seed, sizeof(a->rng_seed)) != 0 ||
        memcmp(a->bootargs, b->bootargs, sizeof(a->bootargs)) != 0)
        return false;
    for (unsigned int i = 0; i < DT_MAX_VIRTIO; i++) /* field-wise: padding */
        if (a->virtio[i].base != b->virtio[i].base ||
            a->virtio[i].size != b->virtio[i].size ||
            a->virtio[i].intid != b->virtio[i].intid)
            return false;
    return true;
}

/* ---- dropping windows: the footprint and RIPAS rules --------------------------------- */

static bool clear_of(uint64_t base, uint64_t size, void *ctx)
{
    return !dt_range_overlaps(base, size, ctx, 2);
}

static bool over_own(uint64_t base, uint64_t size, const struct dt_range *own)
{
    struct dt_range w = {base, size};
    return overlap(w, own[0]) || overlap(w, own[1]);
}

static unsigned int count_over(const struct dt_platform *p, const struct dt_range *own)
{
    unsigned int n = 0;

    n += p->has_uart && over_own(p->uart.base, p->uart.size, own);
    for (unsigned int i = 0; i < p->n_virtio; i++)
        n += over_own(p->virtio[i].base, p->virtio[i].size, own);
    if (p->has_pci && over_own(p->pci.ecam, p->pci.ecam_size, own)) {
        n++;
    } else if (p->has_pci) {
        n += p->pci.mem32.size && over_own(p->pci.mem32.cpu, p->pci.mem32.size, own);
        n += p->pci.mem64.size && over_own(p->pci.mem64.cpu, p->pci.mem64.size, own);
    }
    n += p->gic.version && (over_own(p->gic.dist.base, p->gic.dist.size, own) ||
                            over_own(p->gic.cpu.base, p->gic.cpu.size, own));
    return n;
}

/* The boot drops each device window that lies over what the runtime
 * occupies (the image and the DTB, which need not be in /memory) and, in a
 * realm, over protected RAM the RIPAS says is not a device's: the same
 * walk with another rule. Whatever the rule, every window it refuses goes
 * and every other stays, in order. The two ranges come from the tree: half
 * of the first virtio window (so some drops happen), and the GIC's. */
static void check_drop(const struct dt_platform *parsed)
{
    static struct dt_platform p;
    struct dt_range own[2] = {{0x40000000u, 0x1000000u}, {0, 0}};

    p = *parsed;
    if (parsed->n_virtio)
        own[0] = (struct dt_range){parsed->virtio[0].base + parsed->virtio[0].size / 2, 1};
    if (parsed->gic.version)
        own[1] = parsed->gic.dist;
    unsigned int want = count_over(parsed, own);
    unsigned int dropped = dt_platform_drop_windows(&p, clear_of, own);
    FUZZ_CHECK(dropped == want, "dropped %u windows, %u overlap", dropped, want);
    FUZZ_CHECK(count_over(&p, own) == 0, "a window over the footprint was kept");
    unsigned int k = 0;
    for (unsigned int i = 0; i < parsed->n_virtio; i++) {
        struct dt_range r = {parsed->virtio[i].base, parsed->virtio[i].size};
        if (over_own(r.base, r.size, own))
            continue;
        FUZZ_CHECK(k < p.n_virtio && p.virtio[k].base == r.base && p.virtio[k].size == r.size,
                   "virtio[%u] not kept in order", i);
        k++;
    }
    FUZZ_CHECK(k == p.n_virtio, "kept %u virtio windows, expected %u", p.n_virtio, k);
    FUZZ_CHECK(dt_platform_drop_windows(&p, clear_of, own) == 0, "a second walk drops more");
}

static void check_parse(const void *fdt, size_t max)
{
    static struct dt_platform p, q;
    unsigned int skipped = 0, skipped2 = 0;

    /* Different garbage in the two outputs: whatever the parser does not
     * set itself would differ. */
    memset(&p, 0xa5, sizeof(p));
    memset(&q, 0x00, sizeof(q));
    int rc = dt_platform_parse(fdt, max, &p, &skipped);
    int rc2 = dt_platform_parse(fdt, max, &q, &skipped2);
    FUZZ_CHECK(rc == rc2 && skipped == skipped2 && same_platform(&p, &q),
               "parse not deterministic or left stale output (rc %d/%d)", rc, rc2);
    FUZZ_CHECK(rc == 0 || rc == CCDMA_EPROTO, "rc %d", rc);

    unsigned int nv = rc == 0 ? p.n_virtio : 0;
    for (unsigned int i = nv; i < DT_MAX_VIRTIO; i++)
        FUZZ_CHECK(p.virtio[i].base == 0 && p.virtio[i].size == 0 &&
                   p.virtio[i].intid == 0, "virtio slot %u stale", i);
    if (rc != 0) {
        /* A rejected tree publishes nothing. */
        FUZZ_CHECK(p.n_mem == 0 && p.n_reserved == 0 && !p.has_uart &&
                   p.n_virtio == 0 && p.psci == DT_PSCI_NONE &&
                   p.rng_seed_len == 0 && p.bootargs[0] == '\0',
                   "output after rc %d", rc);
        return;
    }

    index_tree(fdt);
    FUZZ_CHECK(p.dtb_size == fdt_totalsize(fdt) && p.dtb_size <= max,
               "dtb_size %llu", (unsigned long long)p.dtb_size);
    FUZZ_CHECK(p.n_mem >= 1 && p.n_mem <= DT_MAX_MEM, "n_mem %u", p.n_mem);
    for (unsigned int i = 0; i < DT_MAX_MEM; i++) {
        if (i >= p.n_mem) {
            FUZZ_CHECK(range_zero(p.mem[i]), "mem slot %u stale", i);
            continue;
        }
        FUZZ_CHECK(range_ok(p.mem[i]) && in_tree(fdt, K_MEMORY, p.mem[i]),
                   "mem[%u] 0x%llx+0x%llx", i, (unsigned long long)p.mem[i].base,
                   (unsigned long long)p.mem[i].size);
        for (unsigned int j = 0; j < i; j++) /* one owner per page */
            FUZZ_CHECK(!overlap(p.mem[i], p.mem[j]), "mem[%u] overlaps mem[%u]", i, j);
    }
    FUZZ_CHECK(p.n_reserved <= DT_MAX_RESERVED, "n_reserved %u", p.n_reserved);
    for (unsigned int i = 0; i < DT_MAX_RESERVED; i++) {
        if (i >= p.n_reserved) {
            FUZZ_CHECK(range_zero(p.reserved[i]), "reserved slot %u stale", i);
            continue;
        }
        FUZZ_CHECK(range_ok(p.reserved[i]) && in_tree(fdt, K_RESERVED, p.reserved[i]),
                   "reserved[%u] 0x%llx+0x%llx", i,
                   (unsigned long long)p.reserved[i].base,
                   (unsigned long long)p.reserved[i].size);
    }
    struct dt_range uart = {p.uart.base, p.uart.size};
    if (p.has_uart && p.uart.kind == DT_UART_PL011)
        FUZZ_CHECK(range_ok(uart) && uart.size >= 0x1000 && (uart.base & 0xfff) == 0 &&
                   in_tree(fdt, K_PL011, uart) && !over_memory(&p, uart),
                   "pl011 0x%llx+0x%llx", (unsigned long long)uart.base,
                   (unsigned long long)uart.size);
    else if (p.has_uart)
        FUZZ_CHECK(p.uart.kind == DT_UART_NS16550 && range_ok(uart) &&
                   p.uart.reg_shift <= 2 && (p.uart.io_width == 1 || p.uart.io_width == 4) &&
                   uart.size >= (7ull << p.uart.reg_shift) + p.uart.io_width &&
                   in_tree(fdt, K_NS16550, uart) && !over_memory(&p, uart),
                   "16550 0x%llx+0x%llx", (unsigned long long)uart.base,
                   (unsigned long long)uart.size);
    else
        FUZZ_CHECK(range_zero(uart) && p.uart.kind == 0, "uart set without has_uart");
    if (p.has_pci) {
        struct dt_range ecam = {p.pci.ecam, p.pci.ecam_size};
        struct dt_range m32 = {p.pci.mem32.cpu, p.pci.mem32.size};
        struct dt_range m64 = {p.pci.mem64.cpu, p.pci.mem64.size};
        FUZZ_CHECK(range_ok(ecam) && !over_memory(&p, ecam) && (ecam.base & 0xfffff) == 0 &&
                       p.pci.bus_first <= p.pci.bus_last && p.pci.bus_last <= 255 &&
                       ecam.size == (uint64_t)(p.pci.bus_last - p.pci.bus_first + 1) << 20 &&
                       (m32.size || m64.size) &&
                       (!m32.size || (range_ok(m32) && !over_memory(&p, m32) &&
                                      p.pci.mem32.pci + m32.size <= (1ull << 32))) &&
                       (!m64.size || (range_ok(m64) && !over_memory(&p, m64))),
                   "pci ecam 0x%llx+0x%llx", (unsigned long long)ecam.base,
                   (unsigned long long)ecam.size);
    }
    FUZZ_CHECK(p.n_virtio <= DT_MAX_VIRTIO, "n_virtio %u", p.n_virtio);
    for (unsigned int i = 0; i < p.n_virtio; i++) {
        const struct dt_virtio *v = &p.virtio[i];
        struct dt_range r = {v->base, v->size};
        FUZZ_CHECK(range_ok(r) && v->size >= 0x100 && (v->base & 0xff) == 0 &&
                   in_tree(fdt, K_VIRTIO, r) && !over_memory(&p, r),
                   "virtio[%u] 0x%llx+0x%llx", i, (unsigned long long)v->base,
                   (unsigned long long)v->size);
        FUZZ_CHECK(v->intid == 0 || (v->intid >= 16 && v->intid < 1020),
                   "virtio[%u] intid %u", i, v->intid);
    }
    FUZZ_CHECK(p.psci == DT_PSCI_NONE || p.psci == DT_PSCI_HVC ||
               p.psci == DT_PSCI_SMC, "psci %d", (int)p.psci);

    int chosen = fdt_path_offset(fdt, "/chosen"), len = 0;
    FUZZ_CHECK(p.rng_seed_len <= sizeof(p.rng_seed), "rng_seed_len %u", p.rng_seed_len);
    if (p.rng_seed_len) {
        const uint8_t *seed = fdt_getprop(fdt, chosen, "rng-seed", &len);
        FUZZ_CHECK(seed && (unsigned int)len >= p.rng_seed_len &&
                   memcmp(seed, p.rng_seed, p.rng_seed_len) == 0, "rng-seed copy");
    }
    for (unsigned int i = p.rng_seed_len; i < sizeof(p.rng_seed); i++)
        FUZZ_CHECK(p.rng_seed[i] == 0, "rng_seed[%u] stale", i);
    FUZZ_CHECK(memchr(p.bootargs, '\0', sizeof(p.bootargs)) != NULL,
               "bootargs not NUL-terminated");
    if (p.bootargs[0]) {
        const char *args = fdt_getprop(fdt, chosen, "bootargs", &len);
        FUZZ_CHECK(args && len > 0 && strcmp(args, p.bootargs) == 0, "bootargs copy");
    }
    check_bootargs(&p);
    check_drop(&p);
}

/* ---- structured mode: edits to a QEMU-like tree ------------------------------------ */

static uint8_t tree[TREE_MAX] __attribute__((aligned(8)));
static char paths[MAX_PATHS][PATH_LEN];
static int npaths;

static const char *const prop_names[] = {
    "reg", "#address-cells", "#size-cells", "device_type", "compatible", "status",
    "stdout-path", "bootargs", "rng-seed", "interrupts", "method", "serial0", "ranges",
};

static const char *const node_names[] = {
    "memory@80000000", "memory", "virtio_mmio@b000000", "region@0", "pl011@9001000",
    "chosen", "psci", "reserved-memory", "aliases", "x", "bus@0",
};

/* Strings the parser compares against, and near misses. */
static const struct {
    const char *s;
    int len; /* with the NUL, or embedded NULs */
} strs[] = {
    {"memory", 7}, {"memor", 6}, {"memory", 6}, {"okay", 5}, {"ok", 3}, {"ok", 2},
    {"okay", 4}, {"disabled", 9}, {"virtio,mmio", 12}, {"virtio,mmio\0arm,pl011", 22},
    {"arm,pl011\0arm,primecell", 24}, {"arm,pl011", 9}, {"hvc", 4}, {"smc", 4},
    {"hvc", 3}, {"smcx", 5}, {"/pl011@9000000", 15}, {"/pl011@9000000:115200n8", 24},
    {"/pl011@9000000", 14}, {"serial0", 8}, {"serial0:115200", 15}, {"/", 2}, {"", 1},
    {":", 2}, {"/virtio_mmio@a000000", 21}, {"/pl011@9001000", 15}, {"/x/x", 5},
    {"ccdma.inject=reject", 20}, {"ccdma.inject ccdma.wipe=0x5a  console=ttyAMA0 ", 46},
    {"ccdma.wipe= =ccdma.inject=", 27}, {"serial0/x", 10}, {"/aliases", 9},
};

static const uint32_t cell_values[] = {
    0, 1, 2, 3, 4, 0xff, 0x100, 0x1ff, 0x200, 0xfff, 0x1000, 0x1001, 0x9000000,
    0x9000100, 0xa000000, 0x40000000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffff00,
    0xffffffff, 987, 988, 15, 16,
};

static const uint64_t u64_values[] = {
    0, 1, 0x100, 0x200, 0x1000, 0xfff, 0x9000000, 0x40000000, 0x100000000ull,
    0xfffffffffffff000ull, 0xffffffffffffff00ull, 0xffffffffffffffffull,
    0x8000000000000000ull, 0xffffffff00000000ull,
};

static uint32_t pick_cell(struct fz *f)
{
    uint8_t b = fz_u8(f);
    if (b < 0xc0)
        return cell_values[b % (sizeof(cell_values) / sizeof(cell_values[0]))];
    return fz_u32(f);
}

static uint64_t pick_u64(struct fz *f)
{
    uint8_t b = fz_u8(f);
    if (b < 0xc0)
        return u64_values[b % (sizeof(u64_values) / sizeof(u64_values[0]))];
    return fz_u64(f);
}

#define PICK(f, arr) ((arr)[fz_u8(f) % (sizeof(arr) / sizeof((arr)[0]))])

static void add_path(const char *parent, const char *name)
{
    if (npaths == MAX_PATHS)
        return;
    snprintf(paths[npaths++], PATH_LEN, "%s/%s", strcmp(parent, "/") ? parent : "",
             name);
}

static int node_add(const char *parent_path, const char *name)
{
    int parent = fdt_path_offset(tree, parent_path);
    int node = fdt_add_subnode(tree, parent, name);
    if (node >= 0)
        add_path(parent_path, name);
    return node;
}

static void set_reg2(int node, uint64_t base, uint64_t size)
{
    fdt32_t c[4] = {cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
                    cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size)};
    fdt_setprop(tree, node, "reg", c, sizeof(c));
}

static void set_cells3(int node, const char *name, uint32_t a, uint32_t b, uint32_t c)
{
    fdt32_t v[3] = {cpu_to_fdt32(a), cpu_to_fdt32(b), cpu_to_fdt32(c)};
    fdt_setprop(tree, node, name, v, sizeof(v));
}

/* What QEMU's virt machine gives a realm guest, in miniature. Node
 * offsets move with every edit, so nodes are named by path. */
static void build_base(void)
{
    static const char pl011_compat[] = "arm,pl011\0arm,primecell";
    uint8_t seed[32];
    int n;

    npaths = 0;
    fdt_create_empty_tree(tree, sizeof(tree));
    snprintf(paths[npaths++], PATH_LEN, "/");
    fdt_setprop_u32(tree, 0, "#address-cells", 2);
    fdt_setprop_u32(tree, 0, "#size-cells", 2);
    fdt_setprop_string(tree, 0, "compatible", "linux,dummy-virt");

    n = node_add("/", "chosen");
    fdt_setprop_string(tree, n, "stdout-path", "/pl011@9000000");
    fdt_setprop_string(tree, n, "bootargs",
                       "console=ttyAMA0 ccdma.inject=reject ccdma.wipe=0x5a");
    for (unsigned int i = 0; i < sizeof(seed); i++)
        seed[i] = (uint8_t)(i * 37 + 1);
    fdt_setprop(tree, n, "rng-seed", seed, sizeof(seed));
    n = node_add("/", "aliases");
    fdt_setprop_string(tree, n, "serial0", "/pl011@9000000");
    n = node_add("/", "memory@40000000");
    fdt_setprop_string(tree, n, "device_type", "memory");
    set_reg2(n, 0x40000000, 0x8000000);
    n = node_add("/", "reserved-memory");
    fdt_setprop_u32(tree, n, "#address-cells", 2);
    fdt_setprop_u32(tree, n, "#size-cells", 2);
    fdt_setprop_empty(tree, n, "ranges");
    n = node_add("/reserved-memory", "region@48000000");
    set_reg2(n, 0x48000000, 0x100000);
    n = node_add("/", "pl011@9000000");
    fdt_setprop(tree, n, "compatible", pl011_compat, sizeof(pl011_compat));
    set_reg2(n, 0x9000000, 0x1000);
    set_cells3(n, "interrupts", 0, 1, 4);
    n = node_add("/", "psci");
    fdt_setprop_string(tree, n, "compatible", "arm,psci-1.0");
    fdt_setprop_string(tree, n, "method", "hvc");
    for (unsigned int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof(name), "virtio_mmio@%x", 0xa000000 + i * 0x200);
        n = node_add("/", name);
        fdt_setprop_string(tree, n, "compatible", "virtio,mmio");
        set_reg2(n, 0xa000000 + i * 0x200, 0x200);
        set_cells3(n, "interrupts", 0, 16 + i, 1);
    }
    fdt_add_mem_rsv(tree, 0x48200000, 0x1000);
}

enum edit { E_CELLS, E_REG, E_STRING, E_DELPROP, E_ADDNODE, E_DELNODE, E_MEMRSV,
            E_DELMEMRSV, E_TRUNC, E_FLIP, E_MANY, E_COUNT };

/* More valid nodes of one kind than the parser has slots for. */
static void add_many(struct fz *f, int parent)
{
    unsigned int n = fz_u8(f) % 48, kind = fz_u8(f) % 3;
    for (unsigned int i = 0; i < n; i++) {
        char name[40];
        snprintf(name, sizeof(name), "%s@%x", kind == 0 ? "virtio_mmio" : "memory",
                 0x10000000 + i * 0x1000);
        int node = fdt_add_subnode(tree, parent, name);
        if (node < 0)
            return;
        if (kind == 0)
            fdt_setprop_string(tree, node, "compatible", "virtio,mmio");
        else
            fdt_setprop_string(tree, node, "device_type", "memory");
        set_reg2(node, 0x10000000 + i * 0x1000, kind == 2 ? 0 : 0x1000);
    }
}

static void apply_edit(struct fz *f)
{
    enum edit e = (enum edit)(fz_u8(f) % E_COUNT);
    const char *path = paths[fz_u8(f) % npaths];
    const char *prop = PICK(f, prop_names);
    int node = fdt_path_offset(tree, path);
    uint8_t val[512];
    int len;

    if (node < 0)
        return; /* deleted by an earlier edit */
    switch (e) {
    case E_CELLS: {
        unsigned int n = fz_u8(f) % 9; /* 0..8 cells: empty and odd lengths */
        fdt32_t c[8];
        for (unsigned int i = 0; i < n; i++)
            c[i] = cpu_to_fdt32(pick_cell(f));
        fdt_setprop(tree, node, prop, c, (int)(n * 4));
        break;
    }
    case E_REG: {
        /* Well-formed for the parent's cell counts, hostile values. */
        int ac, sc;
        unsigned int n = 1 + fz_u8(f) % 4, k = 0;
        fdt32_t c[4 * 4];
        cells_of(tree, node, &ac, &sc);
        if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
            ac = sc = 2;
        for (unsigned int i = 0; i < n; i++) {
            uint64_t base = pick_u64(f), size = pick_u64(f);
            if (ac == 2)
                c[k++] = cpu_to_fdt32(base >> 32);
            c[k++] = cpu_to_fdt32((uint32_t)base);
            if (sc == 2)
                c[k++] = cpu_to_fdt32(size >> 32);
            if (sc >= 1)
                c[k++] = cpu_to_fdt32((uint32_t)size);
        }
        fdt_setprop(tree, node, "reg", c, (int)(k * 4));
        break;
    }
    case E_STRING: {
        uint8_t b = fz_u8(f);
        if (b < 0x80) {
            int i = b % (int)(sizeof(strs) / sizeof(strs[0]));
            fdt_setprop(tree, node, prop, strs[i].s, strs[i].len);
        } else if (b < 0xc0) {
            size_t n = fz_bytes(f, val, fz_u8(f) % 128); /* raw, maybe unterminated */
            fdt_setprop(tree, node, prop, val, (int)n);
        } else {
            /* Long: around the 256-byte bootargs limit, NUL-terminated or not. */
            int n = 240 + fz_u8(f) % 32;
            for (int i = 0; i < n; i++)
                val[i] = i % 16 == 15 ? ' ' : (uint8_t)('a' + i % 16);
            memcpy(val, "ccdma.wipe=", 11);
            val[n - 1] = b & 1 ? '\0' : 'z';
            fdt_setprop(tree, node, prop, val, n);
        }
        break;
    }
    case E_DELPROP:
        fdt_delprop(tree, node, prop);
        break;
    case E_ADDNODE:
        node_add(path, PICK(f, node_names));
        break;
    case E_DELNODE:
        if (node > 0)
            fdt_del_node(tree, node);
        break;
    case E_MEMRSV: {
        uint64_t base = pick_u64(f), size = pick_u64(f);
        fdt_add_mem_rsv(tree, base, size);
        break;
    }
    case E_DELMEMRSV:
        fdt_del_mem_rsv(tree, fz_u8(f) % 4);
        break;
    case E_TRUNC:
    case E_FLIP: {
        const void *p = fdt_getprop(tree, node, prop, &len);
        if (!p || len > (int)sizeof(val))
            break;
        memcpy(val, p, (size_t)len);
        if (e == E_TRUNC) {
            len = fz_u8(f) % (len + 1);
        } else if (len > 0) {
            uint8_t at = fz_u8(f);
            val[at % len] ^= fz_u8(f);
        }
        fdt_setprop(tree, node, prop, val, len);
        break;
    }
    case E_MANY:
        add_many(f, node);
        break;
    case E_COUNT:
        break;
    }
}

static void run_structured(struct fz *f)
{
    build_base();
    for (int i = 0; i < MAX_EDITS && !fz_empty(f); i++)
        apply_edit(f);
    FUZZ_CHECK(fdt_pack(tree) == 0, "fdt_pack");
    /* Pad to 4 bytes so the blob starts aligned right before the guard. */
    size_t len = (fdt_totalsize(tree) + 3) & ~(size_t)3;
    memset(tree + fdt_totalsize(tree), 0, len - fdt_totalsize(tree));
    check_parse(fz_guarded(&guard, tree, len), len);
}

/* ---- entry points ------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_guard_init(&guard, RAW_MAX);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "\xd0\x0d\xfe\xed", 4) == 0) { /* FDT_MAGIC */
        /* Whole 32-bit words only, to keep the blob aligned; see fz_guarded. */
        size_t len = size & ~(size_t)3;
        if (len > RAW_MAX)
            len = RAW_MAX;
        check_parse(fz_guarded(&guard, data, len), len);
    } else {
        struct fz f = {data, size};
        run_structured(&f);
    }
    return 0;
}
